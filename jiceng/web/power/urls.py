from django.urls import path

from jiceng.web.power import views

urlpatterns = [
    path("", views.meters_page, name="power-meters"),
    path("meters/<slug:code>/", views.meter_page, name="power-meter"),
    path("readings/", views.readings_page, name="power-readings"),
    path("temperatures/", views.temperatures_page, name="power-temperatures"),
    path("plans/", views.plans_page, name="power-plans"),
    path("plans/<int:enterprise_id>/", views.plan_page, name="power-plan"),
    path("plans/<int:enterprise_id>/preview/", views.plan_preview, name="power-plan-preview"),
    path("plans/<int:enterprise_id>/letter.pdf", views.letter_page, name="power-letter"),
    path("plans/<int:enterprise_id>/machines/", views.machine_edit, name="power-machine-new"),
    path(
        "plans/<int:enterprise_id>/machines/<int:machine_id>/",
        views.machine_edit,
        name="power-machine",
    ),
    path(
        "plans/<int:enterprise_id>/machines/<int:machine_id>/delete/",
        views.machine_remove,
        name="power-machine-delete",
    ),
    path("events/", views.events_page, name="power-events"),
    path("events/<int:event_id>/", views.event_page, name="power-event"),
    path("summer/", views.summer_page, name="power-summer"),
]
