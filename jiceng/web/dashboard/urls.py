from django.urls import path, register_converter

from jiceng.web.dashboard import views


class RegionCodeConverter:
    """A division code: 6, 9, 12 or 15 digits."""

    regex = r"\d{6}(?:\d{3}){0,3}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(RegionCodeConverter, "region_code")

urlpatterns = [
    path("", views.home, name="home"),
    path("region/<region_code:code>/", views.region_dashboard, name="region-dashboard"),
    path("region/<region_code:code>/panel/", views.region_panel, name="region-panel"),
    path("region/<region_code:code>/map.geojson", views.region_map, name="region-map"),
]
