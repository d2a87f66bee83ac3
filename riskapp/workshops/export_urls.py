from django.urls import path

from riskapp.workshops import export_views

urlpatterns = [
    path("<int:pk>/export.csv", export_views.export_csv, name="export_csv"),
    path("<int:pk>/export.json", export_views.export_json, name="export_json"),
    path("<int:pk>/report/", export_views.report, name="report"),
    path("<int:pk>/report.html", export_views.report_html, name="report_html"),
    path("<int:pk>/report.pdf", export_views.report_pdf, name="report_pdf"),
]
