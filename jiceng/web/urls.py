from django.urls import include, path

from jiceng.web import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("accounts/", include("jiceng.web.accounts.urls")),
    path("registry/", include("jiceng.web.registries.urls")),
    path("cases/", include("jiceng.web.cases.urls")),
    path("hall/", include("jiceng.web.hall.urls")),
    path("", include("jiceng.web.dashboard.urls")),
]
