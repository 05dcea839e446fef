"""Pages of the service network (under /hall/network/): the catalogue, points, hall set-up,
handling records, KPIs and the ten-minute service circle."""

from django.urls import path

from jiceng.web.hall import coverage_views, kpi_views, network_views

urlpatterns = [
    path("", network_views.catalogue_page, name="hall-network"),
    path("items/reload/", network_views.catalogue_reload, name="hall-catalogue-reload"),
    path("items/<str:code>/edit/", network_views.item_edit, name="hall-item-edit"),
    path("points/", network_views.points_page, name="hall-points"),
    path("points/<int:point_id>/", network_views.point_page, name="hall-point"),
    path(
        "points/<int:point_id>/records/",
        network_views.point_records,
        name="hall-point-records",
    ),
    path("halls/<int:hall_id>/setup/", network_views.hall_setup, name="hall-setup"),
    path(
        "windows/<int:window_id>/sessions/",
        network_views.window_sessions,
        name="hall-window-sessions",
    ),
    path("kpis/", kpi_views.kpis_page, name="hall-kpis"),
    path("coverage/", coverage_views.coverage_page, name="hall-coverage"),
    path("coverage/map.geojson", coverage_views.coverage_map, name="hall-coverage-map"),
    path(
        "coverage/travel-model/",
        coverage_views.travel_model_save,
        name="hall-coverage-travel-model",
    ),
    path(
        "coverage/travel-times/",
        coverage_views.travel_times_import,
        name="hall-coverage-travel-times",
    ),
]
