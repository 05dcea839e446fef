from django.urls import include, path

urlpatterns = [
    path("", include("jiceng.web.hall.queue_urls")),
    path("network/", include("jiceng.web.hall.network_urls")),
]
