from django.contrib.auth import views as auth_views
from django.urls import path

from riskapp.accounts import views

app_name = "accounts"

urlpatterns = [
    path("sign-in/", auth_views.LoginView.as_view(), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("organisations/<slug:slug>/audit/", views.audit_trail, name="audit"),
    path("organisations/<slug:slug>/deleted-scenarios/", views.deleted_scenarios, name="deleted_scenarios"),
    path("organisations/<slug:slug>/deleted-scenarios/<slug:scenario_slug>/restore/", views.restore_scenario,
         name="restore_scenario"),
]
