from django.urls import path

from jiceng.web.federation import views

urlpatterns = [
    path("", views.peers_page, name="federation-peers"),
    path("peers/<str:code>/disable/", views.peer_disable_view, name="federation-peer-disable"),
]
