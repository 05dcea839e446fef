"""长护险 in the header: applications, institutions, cross-border care, recognitions, person
status (the care-insurance staff only, as the page requires) and the monthly statement."""

from django.utils.translation import gettext_lazy as _

from jiceng.core.models import Role
from jiceng.ltc.access import STAFF_ROLES
from jiceng.web.navigation import Entry, register_group

register_group(
    "ltc",
    _("Long-term care"),
    # The staff run the workflow; town officers and village workers take in applications for
    # their residents; the regulator reads.
    roles=STAFF_ROLES | {Role.TOWN_OFFICER, Role.VILLAGE_WORKER, Role.REGULATOR},
    entries=[
        Entry("ltc-home", _("Applications")),
        Entry("ltc-institutions", _("Institutions")),
        Entry("ltc-living-elsewhere", _("Across the border")),
        Entry("ltc-recognitions", _("Recognitions")),
        Entry("ltc-person-status", _("Person status"), roles=STAFF_ROLES),
        Entry("ltc-statement", _("Statement")),
    ],
)
