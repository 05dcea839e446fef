"""青苗 in the header: the young people, the pipeline, reserve cadres, practice platforms and
volunteer hours, the mediation studio and overdue steps, for the party organisers, branch
secretaries, mentors and region administrators; a young person sees only their own page.

The regulator is not offered the group: a young person's record is visible only to the
organisation roles of their region, their branch secretary, their mentors and themself
(jiceng/youth/access.py), so the regulator's pages would be empty."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jiceng.core.models import Role
from jiceng.web.navigation import Entry, register_group

STAFF = frozenset(
    {
        Role.COUNTY_ADMIN,
        Role.TOWN_ADMIN,
        Role.PARTY_ORGANISER,
        Role.BRANCH_SECRETARY,
        Role.MENTOR,
    }
)
OFFICES = frozenset({Role.COUNTY_ADMIN, Role.TOWN_ADMIN, Role.PARTY_ORGANISER})

register_group(
    "youth",
    pgettext_lazy("navigation", "Youth"),
    roles=STAFF | {Role.YOUTH},
    entries=[
        Entry("youth-me", _("My page"), roles=frozenset({Role.YOUTH})),
        Entry("youth-people", _("Young people"), roles=STAFF),
        Entry("youth-overdue", _("Overdue steps"), roles=STAFF),
        Entry("youth-pipeline", _("Pipeline"), roles=OFFICES | {Role.BRANCH_SECRETARY}),
        Entry("youth-reserve", _("Reserve cadres"), roles=OFFICES | {Role.BRANCH_SECRETARY}),
        Entry("youth-platforms", _("Practice and hours"), roles=STAFF),
        Entry("youth-studio", _("Mediation studio"), roles=STAFF),
    ],
)
