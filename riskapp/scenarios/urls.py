from django.urls import path

from riskapp.scenarios import editor_views, matrix_views, revision_views, views

app_name = "scenarios"

urlpatterns = [
    path("", views.scenario_list, name="list"),
    path("import/", views.scenario_import, name="import"),
    path("editor/new/", editor_views.scenario_new, name="new"),
    path("editor/validate/", editor_views.editor_validate, name="editor_validate"),
    path("editor/preview/", editor_views.editor_preview, name="editor_preview"),
    path("editor/measures/", editor_views.editor_measures, name="editor_measures"),
    path("<slug:slug>/", views.scenario_detail, name="detail"),
    path("<slug:slug>/import/", views.scenario_import, name="import_revision"),
    path("<slug:slug>/delete/", views.scenario_delete, name="delete"),
    path("<slug:slug>/edit/", editor_views.scenario_edit, name="edit"),
    path("<slug:slug>/revisions/<int:number>/export.<str:syntax>", views.scenario_export, name="export"),
    path("<slug:slug>/matrix-changes/", matrix_views.matrix_changes, name="matrix_changes"),
    path("<slug:slug>/diff/", revision_views.revision_diff, name="diff"),
    path("<slug:slug>/revisions/<int:number>/restore/", revision_views.revision_restore, name="restore"),
    path("<slug:slug>/revisions/<int:number>/copy/", revision_views.scenario_copy, name="copy"),
]
