from django.urls import include, path

from riskapp.workshops import participant_views, views

app_name = "workshops"

urlpatterns = [
    # The facilitator's pages.
    path("", views.workshop_list, name="list"),
    path("revisions/<int:revision_id>/new/", views.workshop_create, name="create"),
    path("<int:pk>/", views.workshop_dashboard, name="dashboard"),
    path("<int:pk>/data/", views.workshop_data, name="data"),
    path("<int:pk>/rounds/open/", views.round_open, name="round_open"),
    path("<int:pk>/rounds/<int:number>/close/", views.round_close, name="round_close"),
    path("<int:pk>/rounds/<int:number>/reveal/", views.round_reveal, name="round_reveal"),
    path("<int:pk>/rounds/<int:number>/pool/", views.round_pool, name="round_pool"),
    path("<int:pk>/poolings/<int:pooling_id>/", views.pooling_detail, name="pooling"),
    path("<int:pk>/poolings/<int:pooling_id>/apply/", views.pooling_apply, name="pooling_apply"),
    # The experts' pages, reached by join code and the session's secret token.
    path("join/", participant_views.join, name="join"),
    path("join/<str:code>/", participant_views.join_code, name="join_code"),
    path("p/<str:code>/", participant_views.participant_page, name="participant"),
    path("p/<str:code>/data/", participant_views.participant_data, name="participant_data"),
    path("p/<str:code>/leave/", participant_views.leave, name="leave"),
    path("", include("riskapp.workshops.export_urls")),
]
