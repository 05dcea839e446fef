from django.urls import path

from jiceng.web.gas import views

urlpatterns = [
    path("", views.home, name="gas-home"),
    path("map.geojson", views.map_geojson, name="gas-map-geojson"),
    path("sites/", views.sites_page, name="gas-sites"),
    path("sites/export.xlsx", views.sites_export, name="gas-sites-export"),
    path("sites/<int:site_id>/", views.site_page, name="gas-site"),
    path("sites/<int:site_id>/check/", views.safety_check_page, name="gas-check"),
    path("checks/photos/<str:token>/", views.safety_check_photo, name="gas-check-photo"),
    path("cylinders/", views.cylinder_find, name="gas-cylinders"),
    path("cylinders/<str:identifier>/", views.cylinder_page, name="gas-cylinder"),
    path("stations/", views.stations_page, name="gas-stations"),
    path("stations/<str:code>/", views.station_page, name="gas-station"),
    path(
        "stations/<str:code>/devices/<int:device_id>/revoke/",
        views.station_device_revoke,
        name="gas-device-revoke",
    ),
    path("orders/", views.call_centre, name="gas-orders"),
    path("delivery/", views.delivery_list, name="gas-delivery"),
    path("delivery/<int:order_id>/", views.delivery_order, name="gas-delivery-order"),
    path("labels/sites.svg", views.site_labels, name="gas-labels-sites"),
    path("labels/cylinders.svg", views.cylinder_labels, name="gas-labels-cylinders"),
    # Public pages behind the QR codes: no login, no personal data.
    path("q/s/<str:token>/", views.public_site, name="gas-public-site"),
    path("q/c/<str:serial>/", views.public_cylinder, name="gas-public-cylinder"),
]
