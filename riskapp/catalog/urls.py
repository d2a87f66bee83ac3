from django.urls import path

from riskapp.catalog import views

app_name = "catalog"

urlpatterns = [
    path("", views.index, name="index"),
    # Version slugs contain dots (anthropic-rsp-1.0), which the slug converter does not accept.
    path("<str:version_slug>/", views.version_detail, name="version"),
    path("<str:version_slug>/<slug:level_slug>/", views.level_detail, name="level"),
]
