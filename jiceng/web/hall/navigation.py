"""医保服务 in the header: service halls, the service network, KPIs, the service circle and the
tidal plan (whose pages live under /planning/)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jiceng.core.models import Role
from jiceng.web.navigation import REGION_ADMINS, Entry, register_group

# Who plans the network and the halls' sessions (and the regulator, who reads the plans).
PLANNERS = REGION_ADMINS | {Role.TOWN_OFFICER, Role.REGULATOR}

register_group(
    "hall",
    pgettext_lazy("navigation", "Medical-insurance services"),
    roles={Role.TOWN_OFFICER, Role.WINDOW_CLERK, Role.REGULATOR},
    entries=[
        Entry("hall-queue", _("Service halls")),
        Entry("hall-network", _("Service network")),
        Entry("hall-kpis", _("Hall KPIs")),
        Entry("hall-coverage", _("Service circle"), roles=PLANNERS),
        Entry("planning-tidal", _("Tidal plan"), roles=PLANNERS),
    ],
)
