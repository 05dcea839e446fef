from django.contrib import admin
from django.urls import include, path

from jiceng.api.root import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("open311/v2/", include("jiceng.api.open311")),
    path("epcis/v2/", include("jiceng.api.epcis")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("jiceng.web.urls")),
]
