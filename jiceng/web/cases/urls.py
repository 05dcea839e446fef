from django.urls import path

from jiceng.web.cases import views

urlpatterns = [
    path("", views.inbox_page, name="cases-inbox"),
    path("bulk-dispatch/", views.bulk_dispatch, name="cases-bulk-dispatch"),
    path("new/", views.case_report_page, name="case-report"),
    path("new/attributes/", views.report_attribute_fields, name="case-report-attributes"),
    path("map/", views.cases_map, name="cases-map"),
    path("map.geojson", views.cases_map_geojson, name="cases-map-geojson"),
    path("scorecards/", views.scorecards_page, name="cases-scorecards"),
    path("scorecards/trend.json", views.scorecards_trend, name="cases-scorecards-trend"),
    path("notifications/", views.notifications_page, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications-read"),
    path("photos/<str:token>/", views.case_photo, name="case-photo"),
    path("<int:case_id>/", views.case_page, name="case-detail"),
    path("<int:case_id>/act/", views.case_act_page, name="case-act"),
]
