"""电动车 in the header: the map of buildings, buildings, e-bikes, shops, facilities, alerts,
night patrols and the figures, for the module's roles (property managers, shop owners), the
offices that work on it (town officers, village and grid workers, department handlers), the
region's administrators and the regulator."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jiceng.core.models import Role
from jiceng.web.navigation import REGION_ADMINS, Entry, register_group

OFFICES = frozenset(
    {Role.TOWN_OFFICER, Role.VILLAGE_WORKER, Role.GRID_WORKER, Role.DEPARTMENT_HANDLER}
)
EBIKE_ROLES = OFFICES | {Role.PROPERTY_MANAGER, Role.EBIKE_SHOP, Role.REGULATOR}
OVERSIGHT = REGION_ADMINS | OFFICES | {Role.REGULATOR}

register_group(
    "ebike",
    pgettext_lazy("navigation", "E-bikes"),
    roles=EBIKE_ROLES,
    entries=[
        Entry("ebike-home", _("Map"), roles=OVERSIGHT | {Role.PROPERTY_MANAGER}),
        Entry("ebike-buildings", _("Buildings"), roles=OVERSIGHT | {Role.PROPERTY_MANAGER}),
        Entry("ebike-bikes", _("E-bikes")),
        Entry("ebike-shops", _("Shops and recyclers")),
        Entry("ebike-facilities", _("Facilities"), roles=OVERSIGHT | {Role.PROPERTY_MANAGER}),
        Entry("ebike-alerts", _("Lift alerts"), roles=OVERSIGHT | {Role.PROPERTY_MANAGER}),
        Entry("ebike-patrols", _("Night patrols"), roles=OVERSIGHT),
        Entry("ebike-figures", _("Figures"), roles=OVERSIGHT),
    ],
)
