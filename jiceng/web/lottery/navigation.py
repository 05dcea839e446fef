"""福彩 in the header: the fund ledger, the annual report, outlets, sales, prizes, grants and the
responsibility work, for the welfare-lottery centre's staff, the region's administrators and the
regulator (jiceng/lottery/access.py)."""

from django.utils.translation import gettext_lazy as _

from jiceng.lottery.access import READERS
from jiceng.web.navigation import Entry, register_group

register_group(
    "lottery",
    _("Welfare lottery"),
    roles=READERS,
    entries=[
        Entry("lottery-fund", _("Fund ledger")),
        Entry("lottery-report", _("Responsibility report")),
        Entry("lottery-outlets", _("Outlets")),
        Entry("lottery-sales", _("Sales")),
        Entry("lottery-prizes", _("Prizes")),
        Entry("lottery-grants", _("Grants")),
        Entry("lottery-responsibility", _("Responsibility work")),
    ],
)
