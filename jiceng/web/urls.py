from django.urls import include, path

from jiceng.web import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("accounts/", include("jiceng.web.accounts.urls")),
    path("registry/", include("jiceng.web.registries.urls")),
    path("cases/", include("jiceng.web.cases.urls")),
    path("hall/", include("jiceng.web.hall.urls")),
    path("planning/", include("jiceng.web.planning.urls")),
    path("ltc/", include("jiceng.web.ltc.urls")),
    path("gas/", include("jiceng.web.gas.urls")),
    path("ebike/", include("jiceng.web.ebike.urls")),
    path("power/", include("jiceng.web.power.urls")),
    path("projects/", include("jiceng.web.projects.urls")),
    path("youth/", include("jiceng.web.youth.urls")),
    path("inspections/", include("jiceng.web.inspections.urls")),
    path("lottery/", include("jiceng.web.lottery.urls")),
    path("federation/", include("jiceng.web.federation.urls")),
    path("", include("jiceng.web.dashboard.urls")),
]
