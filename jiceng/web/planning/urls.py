from django.urls import path

from jiceng.web.planning import views

urlpatterns = [
    path("", views.tidal_page, name="planning-tidal"),
    path("apply/", views.tidal_apply, name="planning-tidal-apply"),
    path("circle/", views.circle_page, name="planning-circle"),
    path("circle/map.geojson", views.circle_map, name="planning-circle-map"),
]
