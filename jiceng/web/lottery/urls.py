from django.urls import path

from jiceng.web.lottery import views

urlpatterns = [
    path("", views.fund_page, name="lottery-fund"),
    path("report/", views.report_page, name="lottery-report"),
    path("report/<int:year>.pdf", views.report_pdf, name="lottery-report-pdf"),
    path("outlets/", views.outlets_page, name="lottery-outlets"),
    path("outlets/new/", views.outlet_create_view, name="lottery-outlet-create"),
    path("outlets/<slug:code>/", views.outlet_page, name="lottery-outlet"),
    path("sales/", views.sales_page, name="lottery-sales"),
    path("prizes/", views.prizes_page, name="lottery-prizes"),
    path("grants/", views.grants_page, name="lottery-grants"),
    path("grants/new/", views.grant_create_view, name="lottery-grant-create"),
    path("grants/<int:grant_id>/", views.grant_page, name="lottery-grant"),
    path(
        "grants/<int:grant_id>/photos/<int:photo_id>", views.grant_photo, name="lottery-grant-photo"
    ),
    path("responsibility/", views.responsibility_page, name="lottery-responsibility"),
]
