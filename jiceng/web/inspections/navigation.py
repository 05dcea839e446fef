"""The inspections engine has no group of its own (modules link to its pages); the county's
checklists and the patrol rounds are under administration."""

from django.utils.translation import gettext_lazy as _

from jiceng.web.navigation import REGION_ADMINS, Entry, add_entries

add_entries(
    "admin",
    Entry("inspection-checklists", _("Checklists"), roles=REGION_ADMINS),
    Entry("inspection-rounds", _("Patrol rounds"), roles=REGION_ADMINS),
)
