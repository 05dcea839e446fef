"""The ebike module's side of the inspections engine: target kinds "building" and "shop"
(registered in EbikeConfig.ready()), and the checklist answers of the API.

A failed item opens a case by its checklist category: fire → the fire brigade's category,
market → market supervision's, registration → the traffic police's, property → the town's
property management office's (the building's property manager sees the open findings and
cases of their building). After every inspection, and when a finding's case closes or reopens,
the buildings concerned get their colours recomputed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from jiceng.ebike.access import may_inspect_region
from jiceng.ebike.models import Building, Shop
from jiceng.ebike.reference_data import finding_case_categories, finding_case_category

if TYPE_CHECKING:
    from jiceng.core.models import User
    from jiceng.inspections.hooks import CaseSpec, Target
    from jiceng.inspections.models import ChecklistItem, Inspection


def _id(target_id: str) -> int | None:
    return int(target_id) if target_id.isdigit() and len(target_id) < 12 else None


def building_target(target_id: str) -> Target | None:
    from jiceng.inspections.hooks import Target

    pk = _id(target_id)
    building = Building.objects.filter(pk=pk).first() if pk is not None else None
    if building is None:
        return None
    return Target(
        region_code=building.region_id,
        label=building.name,
        lat=building.lat,
        lon=building.lon,
        address=building.address,
    )


def shop_target(target_id: str) -> Target | None:
    from jiceng.inspections.hooks import Target

    pk = _id(target_id)
    shop = Shop.objects.filter(pk=pk).first() if pk is not None else None
    if shop is None:
        return None
    return Target(
        region_code=shop.region_id,
        label=shop.name,
        lat=shop.lat,
        lon=shop.lon,
        address=shop.address,
    )


def check_may_inspect(actor: User, target: Target) -> None:
    if not may_inspect_region(actor, target.region_code):
        raise PermissionDenied(_("Your role may not inspect for e-bike safety."))


def finding_case(item: ChecklistItem, note: str) -> CaseSpec:
    from jiceng.inspections.hooks import CaseSpec

    text = f"{item.code} {item.text}"
    if note:
        text += f"：{note}"
    return CaseSpec(category=finding_case_category(item.category), description=text)


def shops_changed(target_ids: list[str], at: datetime) -> None:
    """Shops have no colour: nothing to recompute."""
    return None


def target_kinds_register() -> None:
    from jiceng.ebike.services.colours import building_targets_changed
    from jiceng.inspections.hooks import TargetKind, register_target_kind

    categories = finding_case_categories()
    register_target_kind(
        "building",
        TargetKind(
            resolve=building_target,
            may_inspect=check_may_inspect,
            case_for=finding_case,
            changed=building_targets_changed,
            categories=categories,
        ),
    )
    register_target_kind(
        "shop",
        TargetKind(
            resolve=shop_target,
            may_inspect=check_may_inspect,
            case_for=finding_case,
            changed=shops_changed,
            categories=categories,
        ),
    )


def inspection_submit(
    *,
    actor: User,
    target: str,
    checklist: str,
    inspected_at: datetime | None,
    findings: Sequence[Mapping[str, Any]],
    note: str = "",
    round_id: int | None = None,
) -> Inspection:
    """An inspection of a building or shop ("building:ID" / "shop:ID") with an ebike checklist,
    through the engine (which validates every answer before writing, opens the cases of failed
    items and closes those of items now passed)."""
    from django.core.exceptions import ValidationError

    from jiceng.ebike.reference_data import MODULE
    from jiceng.inspections.models import Checklist
    from jiceng.inspections.services import inspection_record

    kind = target.partition(":")[0]
    if kind not in ("building", "shop"):
        raise ValidationError({"target": _("Unknown target: %s") % target[:80]})
    if not Checklist.objects.filter(code=checklist, module=MODULE, is_active=True).exists():
        raise ValidationError({"checklist": _("Unknown checklist: %s") % checklist[:50]})
    return inspection_record(
        actor=actor,
        checklist=checklist,
        target=target,
        findings=findings,
        inspected_at=inspected_at,
        note=note,
        round_id=round_id,
    )
