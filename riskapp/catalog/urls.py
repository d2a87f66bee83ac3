from django.urls import path

from riskapp.catalog import views

app_name = "catalog"

urlpatterns = [
    path("", views.index, name="index"),
    # These fixed paths come before the version pattern, which would otherwise match them.
    path("crosswalk/", views.crosswalk, name="crosswalk"),
    path("benchmarks/", views.benchmark_list, name="benchmarks"),
    path("benchmarks/<slug:slug>/", views.benchmark_detail, name="benchmark"),
    path("models/", views.profile_list, name="profiles"),
    path("models/import/", views.evaluation_import, name="evaluation_import"),
    path("models/<slug:slug>/", views.profile_detail, name="profile"),
    path("models/<slug:slug>/draft/<str:version_slug>/", views.draft_scenario, name="draft_scenario"),
    # Version slugs contain dots (anthropic-rsp-1.0), which the slug converter does not accept.
    path("<str:version_slug>/", views.version_detail, name="version"),
    path("<str:version_slug>/<slug:level_slug>/", views.level_detail, name="level"),
]
