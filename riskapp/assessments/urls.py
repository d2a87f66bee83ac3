from django.urls import path

from riskapp.assessments import views

app_name = "assessments"

urlpatterns = [
    path("start/<int:revision_id>/", views.start, name="start"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/progress.json", views.progress, name="progress"),
    path("runs/<int:run_id>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/sensitivity/", views.start_sensitivity, name="start_sensitivity"),
    path("sensitivity/<int:pk>/", views.sensitivity_detail, name="sensitivity"),
    path("sensitivity/<int:pk>/progress.json", views.sensitivity_progress, name="sensitivity_progress"),
    path("sensitivity/<int:pk>/cancel/", views.cancel_sensitivity, name="cancel_sensitivity"),
]
