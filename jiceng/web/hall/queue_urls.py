"""The queue pages of the halls, under /hall/: the public devices and the staff's pages."""

from django.urls import path

from jiceng.web.hall import device_views as devices
from jiceng.web.hall import queue_views as views

urlpatterns = [
    path("", views.halls_page, name="hall-queue"),
    path("<int:hall_id>/devices/", views.device_links_page, name="hall-devices"),
    path("<int:hall_id>/kiosk/", devices.kiosk_page, name="hall-kiosk"),
    path("<int:hall_id>/kiosk/take/", devices.kiosk_take, name="hall-kiosk-take"),
    path("<int:hall_id>/kiosk/rate/", devices.kiosk_rate, name="hall-kiosk-rate"),
    path("<int:hall_id>/phone/", devices.phone_page, name="hall-phone"),
    path("<int:hall_id>/phone/slots/", devices.phone_slots, name="hall-phone-slots"),
    path("<int:hall_id>/phone/take/", devices.phone_take, name="hall-phone-take"),
    path("<int:hall_id>/phone/book/", devices.phone_book, name="hall-phone-book"),
    path("<int:hall_id>/board/", devices.board_page, name="hall-board"),
    path("<int:hall_id>/board/live/", devices.board_live, name="hall-board-live"),
    path("ticket/<int:ticket_id>/<str:key>/", devices.ticket_page, name="hall-ticket"),
    path("ticket/<int:ticket_id>/<str:key>/live/", devices.ticket_live, name="hall-ticket-live"),
    path(
        "ticket/<int:ticket_id>/<str:key>/rate/", devices.ticket_rate_page, name="hall-ticket-rate"
    ),
    path("windows/<int:window_id>/", views.console_page, name="hall-console"),
    path("windows/<int:window_id>/waiting/", views.console_waiting, name="hall-console-waiting"),
    path("windows/<int:window_id>/act/", views.console_act, name="hall-console-act"),
]
