from django.urls import path

from riskapp.reports import views

app_name = "reports"

urlpatterns = [
    path("assessments/<int:assessment_id>/", views.comparison, name="comparison"),
    path("assessments/<int:assessment_id>/data.json", views.comparison_data, name="comparison_data"),
    path("assessments/<int:assessment_id>/export.html", views.export_html, name="export_html"),
    path("assessments/<int:assessment_id>/export.pdf", views.export_pdf, name="export_pdf"),
    path("assessments/<int:assessment_id>/export.json", views.export_json, name="export_json"),
    path("assessments/<int:assessment_id>/export.csv", views.export_csv, name="export_csv"),
    path("plotly.min.js", views.plotly_js, name="plotly_js"),
]
