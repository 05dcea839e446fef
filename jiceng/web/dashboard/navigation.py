"""总览 in the header: the region dashboard and the registries of people, organisations and
sites."""

from django.utils.translation import gettext_lazy as _

from jiceng.core.models import Role
from jiceng.web.navigation import Entry, register_group

register_group(
    "overview",
    _("Overview"),
    roles={
        Role.TOWN_OFFICER,
        Role.VILLAGE_WORKER,
        Role.GRID_WORKER,
        Role.DEPARTMENT_HANDLER,
        Role.WINDOW_CLERK,
        Role.REGULATOR,
    },
    entries=[
        Entry("home", _("Overview"), also_active_on=frozenset({"region-dashboard"})),
        Entry("people-list", _("People")),
        Entry("organisations-list", _("Organisations")),
        Entry("sites-list", _("Sites")),
    ],
)
