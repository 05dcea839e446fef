from django.urls import path

from jiceng.web.ebike import views

urlpatterns = [
    path("", views.home, name="ebike-home"),
    path("map.geojson", views.map_geojson, name="ebike-map-geojson"),
    path("buildings/", views.buildings_page, name="ebike-buildings"),
    path("buildings/import/", views.import_buildings, name="ebike-import-buildings"),
    path("buildings/<int:building_id>/", views.building_page, name="ebike-building"),
    path("buildings/<int:building_id>/count/", views.live_count_page, name="ebike-count"),
    path(
        "buildings/<int:building_id>/blockers/<int:blocker_id>/revoke/",
        views.lift_blocker_revoke_page,
        name="ebike-blocker-revoke",
    ),
    path("bikes/", views.bikes_page, name="ebike-bikes"),
    path("bikes/import/", views.import_bikes, name="ebike-import-bikes"),
    path("bikes/<str:plate>/", views.bike_page, name="ebike-bike"),
    path("shops/", views.shops_page, name="ebike-shops"),
    path("facilities/", views.facilities_page, name="ebike-facilities"),
    path("alerts/", views.alerts_page, name="ebike-alerts"),
    path("patrols/", views.patrols_page, name="ebike-patrols"),
    path("figures/", views.figures_page, name="ebike-figures"),
    path("figures/export.xlsx", views.figures_export, name="ebike-figures-export"),
    path(
        "templates/buildings.xlsx",
        views.import_template,
        {"what": "buildings"},
        name="ebike-import-template-buildings",
    ),
    path(
        "templates/bikes.xlsx",
        views.import_template,
        {"what": "bikes"},
        name="ebike-import-template-bikes",
    ),
]
