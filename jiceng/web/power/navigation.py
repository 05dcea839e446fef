"""迎峰度夏 in the header: meters, enterprises' plans, demand-response events and the county's
summer, for the power company's account managers and dispatchers, enterprise contacts (their own
enterprise), the region's administrators and the regulator (jiceng/power/access.py). The imports
are for those who keep the readings (account managers, administrators)."""

from django.utils.translation import gettext_lazy as _

from jiceng.power.access import MANAGERS, READERS, STAFF_READERS
from jiceng.web.navigation import Entry, register_group

register_group(
    "power",
    _("Summer peak load"),
    roles=READERS,
    entries=[
        Entry("power-summer", _("Summer"), roles=STAFF_READERS),
        Entry("power-meters", _("Meters"), also_active_on=frozenset({"power-meter"})),
        Entry("power-plans", _("Plans"), also_active_on=frozenset({"power-plan"})),
        Entry("power-events", _("Demand response"), also_active_on=frozenset({"power-event"})),
        Entry("power-readings", _("Import readings"), roles=MANAGERS),
        Entry("power-temperatures", _("Import temperatures"), roles=MANAGERS),
    ],
)
