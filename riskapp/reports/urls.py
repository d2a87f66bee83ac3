from django.urls import path

from riskapp.reports import views

app_name = "reports"

urlpatterns = [
    path("assessments/<int:assessment_id>/", views.comparison, name="comparison"),
    path("assessments/<int:assessment_id>/data.json", views.comparison_data, name="comparison_data"),
    path("plotly.min.js", views.plotly_js, name="plotly_js"),
]
