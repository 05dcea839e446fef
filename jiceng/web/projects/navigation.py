"""项目 in the header: the pipeline board, the weekly meeting and the reviews."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jiceng.core.models import Role
from jiceng.web.navigation import Entry, register_group

register_group(
    "projects",
    pgettext_lazy("navigation", "Projects"),
    roles=frozenset({Role.TOWN_OFFICER, Role.REGULATOR}),
    entries=[
        Entry("projects-board", _("Pipeline")),
        Entry("projects-agenda", _("Weekly meeting")),
        Entry("projects-ranking", _("Monthly ranking")),
        Entry("projects-contest", _("Quarterly contest")),
        Entry("projects-annual", _("Annual evaluation")),
    ],
)
