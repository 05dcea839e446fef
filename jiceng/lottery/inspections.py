"""Lottery outlets as targets of the shared inspections engine (target kind "lottery_outlet"):
the outlet inspection and minors' protection checklists (jiceng/reference/
lottery-checklists.json). A failed item opens a welfare-lottery complaint case (category
`lottery_complaint`, routed to the town's social affairs office); the engine closes it when a
re-inspection finds the item fine. Registered in LotteryConfig.ready()."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from jiceng.inspections.hooks import CaseSpec, Target, TargetKind
from jiceng.lottery import access
from jiceng.lottery.models import Outlet
from jiceng.lottery.services import COMPLAINT_CATEGORY

if TYPE_CHECKING:
    from jiceng.core.models import User
    from jiceng.inspections.models import ChecklistItem

TARGET_KIND = "lottery_outlet"
CHECKLISTS = ("lottery_outlet", "lottery_minors")


def outlet_target(target_id: str) -> Target | None:
    """An outlet by its code."""
    outlet = Outlet.objects.filter(code=target_id[:30]).first()
    if outlet is None:
        return None
    return Target(
        region_code=outlet.region_id,
        label=f"{outlet.code} {outlet.name}",
        address=outlet.address,
    )


def outlet_may_inspect(actor: User, target: Target) -> None:
    """The welfare-lottery centre's staff and the region's administrators inspect outlets."""
    if not access.may_write(actor):
        raise PermissionDenied(_("Only the welfare-lottery centre's staff inspect outlets."))


def outlet_case(item: ChecklistItem, note: str) -> CaseSpec:
    return CaseSpec(
        category=COMPLAINT_CATEGORY,
        description=_("Outlet inspection: %(item)s not as required.") % {"item": item.text},
    )


def outlet_changed(target_ids: list[str], at: datetime) -> None:
    """Nothing at an outlet follows its inspections (no colour)."""
    return None


OUTLET_TARGET = TargetKind(
    resolve=outlet_target,
    may_inspect=outlet_may_inspect,
    case_for=outlet_case,
    changed=outlet_changed,
    categories=(COMPLAINT_CATEGORY,),
)
