"""The inspections engine has no group of its own (modules link to its pages); the county's
checklists (edited by county administrators) and the patrol rounds (of every region
administrator) are under administration."""

from django.utils.translation import gettext_lazy as _

from jiceng.core.models import Role
from jiceng.web.navigation import REGION_ADMINS, Entry, add_entries

add_entries(
    "admin",
    Entry("inspection-checklists", _("Checklists"), roles=frozenset({Role.COUNTY_ADMIN})),
    Entry("inspection-rounds", _("Patrol rounds"), roles=REGION_ADMINS),
)
