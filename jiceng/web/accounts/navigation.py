"""Administration (in the user menu): users and their roles, for the administrators of a county or
a town (left out until the accounts pages are wired)."""

from django.utils.translation import gettext_lazy as _

from jiceng.web.navigation import REGION_ADMINS, Entry, add_entries

add_entries("admin", Entry("account-list", _("Users"), roles=REGION_ADMINS))
