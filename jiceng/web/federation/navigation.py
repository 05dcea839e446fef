"""Administration (in the user menu): peer deployments and the audit log, for the county's
administrators, who alone may manage them (roles.may_administer)."""

from django.utils.translation import gettext_lazy as _

from jiceng.core.roles import ADMINISTERS
from jiceng.web.navigation import Entry, add_entries

add_entries(
    "admin",
    Entry("federation-peers", _("Peer deployments"), roles=ADMINISTERS),
    Entry("audit-log", _("Audit log"), roles=ADMINISTERS),
)
