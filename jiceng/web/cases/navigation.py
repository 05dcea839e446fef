"""问题 in the header: the case loop's inbox, report form, map and scorecards."""

from django.utils.translation import gettext_lazy as _

from jiceng.core.models import Role
from jiceng.web.navigation import REGION_ADMINS, Entry, register_group

# Everyone who works cases; the regulator reads them.
REPORTERS = REGION_ADMINS | {
    Role.TOWN_OFFICER,
    Role.VILLAGE_WORKER,
    Role.GRID_WORKER,
    Role.DEPARTMENT_HANDLER,
}

register_group(
    "cases",
    _("Cases"),
    roles=REPORTERS | {Role.REGULATOR},
    entries=[
        Entry("cases-inbox", _("Cases")),
        Entry("case-report", _("Report a case"), roles=REPORTERS),
        Entry("cases-map", _("Case map")),
        Entry("cases-scorecards", _("Scorecards")),
    ],
)
