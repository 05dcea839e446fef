"""Demand-response events (需求响应): a dispatcher creates an event (day, window, kind, baseline
method, price), invites meters, and records each enterprise's commitment (kW); results are
computed by `selectors.dr_results`."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core.models import Region
from jiceng.core.scope import code_in_scope, code_within
from jiceng.power import access
from jiceng.power.models import DrEvent, DrParticipation, Meter
from jiceng.power.reference_data import rules

if TYPE_CHECKING:
    from jiceng.core.models import User


def baselines() -> dict[str, str]:
    """The baseline methods an event may name, with their labels (power-rules.json)."""
    found = rules()["demand_response"]["baselines"]
    return {key: spec["label"] for key, spec in found.items() if isinstance(spec, dict)}


def _on_quarter(moment: time) -> bool:
    return moment.minute % 15 == 0 and not moment.second and not moment.microsecond


def dr_event_create(
    *,
    actor: User | None,
    day: date,
    start: time,
    end: time,
    kind: str,
    baseline: str,
    price_yuan_per_kwh: Decimal,
    region: str | None = None,
    target_kw: Decimal | None = None,
    note: str = "",
) -> DrEvent:
    """Create an event in `region` (default: the dispatcher's region). The window is on quarter
    hours, within the day (an end at 00:00 is midnight); the price is not above the cap of its
    kind (power-rules.json)."""
    access.check_dispatch(actor)
    errors: dict[str, str] = {}
    if kind not in DrEvent.Kind.values:
        errors["kind"] = _("Unknown kind of event.")
    if baseline not in baselines():
        errors["baseline"] = _("Unknown baseline method: one of %(names)s.") % {
            "names": ", ".join(baselines())
        }
    if not _on_quarter(start) or not _on_quarter(end):
        errors["start"] = _("An event starts and ends on a quarter hour.")
    elif end != time(0, 0) and end <= start:
        errors["end"] = _("An event ends after it starts.")
    price = Decimal(price_yuan_per_kwh).quantize(Decimal("0.0001"))
    caps = rules()["demand_response"]["price_caps_yuan_per_kwh"]
    cap = caps.get(kind)
    if price < 0:
        errors["price_yuan_per_kwh"] = _("A price is not negative.")
    elif cap is not None and price > Decimal(str(cap)):
        errors["price_yuan_per_kwh"] = _("The price is above the cap of %(cap)s yuan/kWh.") % {
            "cap": cap
        }
    if target_kw is not None and Decimal(target_kw) <= 0:
        errors["target_kw"] = _("A target is more than 0 kW.")
    if errors:
        raise ValidationError(errors)
    if region is None:
        region_code = getattr(actor, "region_id", None)
        if region_code is None:
            raise ValidationError({"region": _("Say which region the event is for.")})
    else:
        if not Region.objects.filter(code=region).exists() or (
            actor is not None and not code_in_scope(actor, region)
        ):
            raise ValidationError({"region": _("No such region in your scope.")})
        region_code = region
    return DrEvent.objects.create(
        region_id=region_code,
        day=day,
        start=start,
        end=end,
        kind=kind,
        baseline=baseline,
        price_yuan_per_kwh=price,
        target_kw=target_kw,
        note=note,
        created_by=actor,
    )


def _meter_of_event(event: DrEvent, code: str, actor: User | None) -> Meter:
    meter = Meter.objects.filter(code=code).first()
    if (
        meter is None
        or not code_within(meter.region_id, event.region_id)
        or (
            actor is not None
            and not access.is_contact_only(actor)
            and not code_in_scope(actor, meter.region_id)
        )
    ):
        raise ValidationError(
            {"meter": _("No meter %(code)s in the event's region.") % {"code": code}}
        )
    return meter


def dr_invite(*, actor: User | None, event: DrEvent, meters: list[str]) -> int:
    """Invite meters (codes) to an event; returns how many were newly invited."""
    access.check_dispatch(actor)
    access.check_in_scope(actor, event.region_id)
    found = [_meter_of_event(event, code, actor) for code in meters]
    created = 0
    with transaction.atomic():
        for meter in found:
            _row, made = DrParticipation.objects.get_or_create(event=event, meter=meter)
            created += made
    return created


def dr_commit(*, actor: User | None, event: DrEvent, meter: str, kw: Decimal) -> DrParticipation:
    """Record a meter's commitment (kW) to an event (inviting it if it was not); an enterprise
    contact commits only their own enterprise's meters. A later commitment replaces the
    earlier one."""
    found = _meter_of_event(event, meter, actor)
    access.check_commit(actor, found.enterprise_id)
    if not access.is_contact_only(actor):
        access.check_in_scope(actor, found.region_id)
    value = Decimal(kw).quantize(Decimal("0.01"))
    if not Decimal(0) < value <= Decimal("1000000"):
        raise ValidationError({"kw": _("A commitment is more than 0 kW.")})
    row, _created = DrParticipation.objects.update_or_create(
        event=event,
        meter=found,
        defaults={"committed_kw": value, "committed_at": timezone.now()},
    )
    return row
