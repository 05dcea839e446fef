"""Saving a plan (一企一策): the computed plan, with the account manager's adjustments (pinned
starts), stored as the next version of the enterprise's plan for the day type."""

from __future__ import annotations

from datetime import date, time
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from jiceng.core.errors import Changed
from jiceng.core.models import Organisation
from jiceng.power import access
from jiceng.power.models import Plan
from jiceng.power.plans import compute

if TYPE_CHECKING:
    from jiceng.core.models import User


def _two(value: float) -> Decimal:
    return Decimal(repr(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def plan_save(
    *,
    actor: User | None,
    enterprise: Organisation,
    day_type: str,
    on: date | None = None,
    starts: dict[int, time] | None = None,
    note: str = "",
) -> Plan:
    """Compute the plan (jiceng.power.plans.compute; `starts` pins machines by id) and store it
    as the next version. ValidationError when it cannot be made (naming the machine)."""
    access.check_manage(actor)
    access.check_in_scope(actor, enterprise.region_id)
    result = compute(enterprise, day_type, on=on, starts=starts)
    if starts:
        result.schedule["pinned"] = {str(k): v.strftime("%H:%M") for k, v in starts.items()}
    try:
        with transaction.atomic():
            latest = Plan.objects.filter(enterprise=enterprise, day_type=day_type).aggregate(
                v=Max("version")
            )["v"]
            return Plan.objects.create(
                enterprise=enterprise,
                day_type=day_type,
                version=(latest or 0) + 1,
                tariff_id=result.tariff_id,
                priced_on=result.priced_on,
                schedule=result.schedule,
                current_yuan=_two(result.current_yuan),
                planned_yuan=_two(result.planned_yuan),
                saved_per_day=_two(result.saved_per_day),
                saved_per_summer=_two(result.saved_per_summer),
                peak_removed_kw=_two(result.peak_removed_kw),
                after_23_kwh=_two(result.after_23_kwh),
                note=note,
                created_by=actor,
            )
    except IntegrityError as exc:  # another version saved at the same moment
        raise Changed(
            _("Another version of this plan was saved at the same time; try again.")
        ) from exc
