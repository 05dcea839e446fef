"""燃气 in the header: the regulator's map, user sites, the call centre and the deliveries."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jiceng.core.models import Role
from jiceng.web.navigation import REGION_ADMINS, Entry, register_group

GAS_TRADE = frozenset({Role.STATION_STAFF, Role.DELIVERY_WORKER, Role.GAS_MANAGER})

register_group(
    "gas",
    pgettext_lazy("navigation", "Gas"),
    roles=GAS_TRADE | {Role.REGULATOR},
    entries=[
        Entry("gas-home", _("Map")),
        Entry("gas-sites", _("User sites")),
        Entry(
            "gas-orders",
            _("Call centre"),
            roles=REGION_ADMINS | {Role.STATION_STAFF, Role.GAS_MANAGER, Role.REGULATOR},
        ),
        Entry("gas-delivery", _("Deliveries"), roles=REGION_ADMINS | GAS_TRADE),
    ],
)
