from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="scenarios:list", permanent=False), name="home"),
    path("admin/", admin.site.urls),
    path("accounts/", include("riskapp.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("catalog/", include("riskapp.catalog.urls")),
    path("scenarios/", include("riskapp.scenarios.urls")),
    path("assessments/", include("riskapp.assessments.urls")),
    path("reports/", include("riskapp.reports.urls")),
    path("workshops/", include("riskapp.workshops.urls")),
]
