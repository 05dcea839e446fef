"""The queue pages of the halls, under /hall/."""

from django.urls import path

from jiceng.web.hall import queue_views as views

urlpatterns = [
    path("", views.halls_page, name="hall-queue"),
    path("<int:hall_id>/devices/", views.device_links_page, name="hall-devices"),
    path("<int:hall_id>/kiosk/", views.kiosk_page, name="hall-kiosk"),
    path("<int:hall_id>/kiosk/take/", views.kiosk_take, name="hall-kiosk-take"),
    path("<int:hall_id>/kiosk/rate/", views.kiosk_rate, name="hall-kiosk-rate"),
    path("<int:hall_id>/phone/", views.phone_page, name="hall-phone"),
    path("<int:hall_id>/phone/slots/", views.phone_slots, name="hall-phone-slots"),
    path("<int:hall_id>/phone/take/", views.phone_take, name="hall-phone-take"),
    path("<int:hall_id>/phone/book/", views.phone_book, name="hall-phone-book"),
    path("<int:hall_id>/board/", views.board_page, name="hall-board"),
    path("<int:hall_id>/board/live/", views.board_live, name="hall-board-live"),
    path("ticket/<int:ticket_id>/<str:key>/", views.ticket_page, name="hall-ticket"),
    path("ticket/<int:ticket_id>/<str:key>/live/", views.ticket_live, name="hall-ticket-live"),
    path("ticket/<int:ticket_id>/<str:key>/rate/", views.ticket_rate_page, name="hall-ticket-rate"),
    path("windows/<int:window_id>/", views.console_page, name="hall-console"),
    path("windows/<int:window_id>/waiting/", views.console_waiting, name="hall-console-waiting"),
    path("windows/<int:window_id>/act/", views.console_act, name="hall-console-act"),
]
