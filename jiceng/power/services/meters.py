"""Meters, their flat prices, and an enterprise's machines."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jiceng.core.models import Organisation, Region
from jiceng.core.scope import code_in_scope, scope_queryset
from jiceng.power import access
from jiceng.power.models import Category, Machine, Meter, MeterPrice

if TYPE_CHECKING:
    from jiceng.core.models import User

# A meter's first price applies from this date unless another is given: "since it was registered".
PRICE_SINCE = date(2000, 1, 1)
MAX_FLAT_PRICE = Decimal("10")  # yuan/kWh: anything above is a typing error


def _check_price(value: Decimal | str, field: str = "flat_price") -> Decimal:
    value = Decimal(value).quantize(Decimal("0.00001"))
    if not Decimal(0) < value <= MAX_FLAT_PRICE:
        raise ValidationError(
            {
                field: _("A flat price is more than 0 and at most %(max)s yuan/kWh.")
                % {"max": MAX_FLAT_PRICE}
            }
        )
    return value


def _enterprise(actor: User | None, credit_code: str) -> Organisation:
    queryset = Organisation.objects.filter(credit_code=credit_code)
    if actor is not None:
        queryset = scope_queryset(queryset, actor)
    found = queryset.first()
    if found is None:
        raise ValidationError(
            {
                "enterprise": _("No enterprise with the credit code %(code)s in your region.")
                % {"code": credit_code}
            }
        )
    return found


def meter_create(
    *,
    actor: User | None,
    code: str,
    category: str,
    flat_price: Decimal,
    enterprise: str | None = None,
    region: str | None = None,
    name: str = "",
    voltage_kv: Decimal | None = None,
    contracted_kw: Decimal | None = None,
    max_demand_kw: Decimal | None = None,
    price_from: date | None = None,
) -> Meter:
    """Register a meter. `enterprise` is the enterprise's credit code; the meter's region is
    `region` (a code), else the enterprise's, else the actor's. Its first flat price applies
    from `price_from` (default: since always, PRICE_SINCE)."""
    access.check_manage(actor)
    code = code.strip()
    if not code:
        raise ValidationError({"code": _("A meter needs a code.")})
    if category not in Category.values:
        raise ValidationError({"category": _("Unknown tariff category.")})
    price = _check_price(flat_price)
    for field, value in (
        ("voltage_kv", voltage_kv),
        ("contracted_kw", contracted_kw),
        ("max_demand_kw", max_demand_kw),
    ):
        if value is not None and not Decimal(0) < Decimal(value) <= Decimal("10000000"):
            raise ValidationError({field: _("The value must be more than 0.")})
    voltage_kv, contracted_kw, max_demand_kw = (
        None if v is None else Decimal(v).quantize(Decimal("0.01"))
        for v in (voltage_kv, contracted_kw, max_demand_kw)
    )
    organisation = _enterprise(actor, enterprise) if enterprise else None
    if region:
        place = Region.objects.filter(code=region).first()
        if place is None or (actor is not None and not code_in_scope(actor, place.code)):
            raise ValidationError({"region": _("No such region in your scope.")})
        region_code = place.code
    elif organisation is not None:
        region_code = organisation.region_id
    elif actor is not None and actor.region_id:
        region_code = actor.region_id
    else:
        raise ValidationError({"region": _("Say which region the meter is in.")})
    access.check_in_scope(actor, region_code)
    if Meter.objects.filter(code=code).exists():
        raise ValidationError(
            {"code": _("A meter with the code %(code)s is already registered.") % {"code": code}}
        )
    with transaction.atomic():
        meter = Meter.objects.create(
            code=code,
            enterprise=organisation,
            region_id=region_code,
            name=name,
            category=category,
            voltage_kv=voltage_kv,
            contracted_kw=contracted_kw,
            max_demand_kw=max_demand_kw,
        )
        MeterPrice.objects.create(
            meter=meter, effective_from=price_from or PRICE_SINCE, yuan_per_kwh=price
        )
    return meter


def meter_update(
    *,
    actor: User | None,
    meter: Meter,
    category: str | None = None,
    name: str | None = None,
    voltage_kv: Decimal | None = None,
    contracted_kw: Decimal | None = None,
    max_demand_kw: Decimal | None = None,
) -> Meter:
    """Change a meter's category, name, voltage or demand (None leaves a value as it is)."""
    access.check_manage(actor)
    access.check_in_scope(actor, meter.region_id)
    if category is not None and category not in Category.values:
        raise ValidationError({"category": _("Unknown tariff category.")})
    for field, value in (
        ("voltage_kv", voltage_kv),
        ("contracted_kw", contracted_kw),
        ("max_demand_kw", max_demand_kw),
    ):
        if value is not None and not Decimal(0) < Decimal(value) <= Decimal("10000000"):
            raise ValidationError({field: _("The value must be more than 0.")})
    changes: dict[str, object] = {
        "category": category,
        "name": name,
        "voltage_kv": voltage_kv,
        "contracted_kw": contracted_kw,
        "max_demand_kw": max_demand_kw,
    }
    for field, change in changes.items():
        if change is not None:
            setattr(meter, field, change)
    meter.save()
    return meter


def meter_price_set(
    *, actor: User | None, meter: Meter, effective_from: date, yuan_per_kwh: Decimal
) -> MeterPrice:
    """The meter's flat price from a date (the monthly agency purchase price, 代理购电价格);
    a price already recorded for that date is replaced."""
    access.check_manage(actor)
    access.check_in_scope(actor, meter.region_id)
    price = _check_price(yuan_per_kwh, "yuan_per_kwh")
    row, _created = MeterPrice.objects.update_or_create(
        meter=meter, effective_from=effective_from, defaults={"yuan_per_kwh": price}
    )
    return row


def machine_save(
    *,
    actor: User | None,
    enterprise: Organisation,
    name: str,
    power_kw: Decimal,
    run_minutes: int,
    window_start: time,
    window_end: time,
    current_start: time,
    kind: str = Machine.Kind.SHIFTABLE,
    crew: str = "",
    shifts: str = "",
    note: str = "",
    machine: Machine | None = None,
) -> Machine:
    """Add a machine to an enterprise (or change `machine`, which must be the enterprise's)."""
    access.check_manage(actor)
    access.check_in_scope(actor, enterprise.region_id)
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = _("A machine needs a name.")
    if kind not in Machine.Kind.values:
        errors["kind"] = _("Unknown kind.")
    if not Decimal(0) < Decimal(power_kw) <= Decimal("1000000"):
        errors["power_kw"] = _("The power must be more than 0 kW.")
    if not 0 < int(run_minutes) <= 1440:
        errors["run_minutes"] = _("A run lasts from 1 minute to 24 hours.")
    if errors:
        raise ValidationError(errors)
    if machine is not None and machine.enterprise_id != enterprise.pk:
        raise ValidationError(_("The machine belongs to another enterprise."))
    target = machine or Machine(enterprise=enterprise)
    target.name = name.strip()
    target.kind = kind
    target.power_kw = Decimal(power_kw)
    target.run_minutes = int(run_minutes)
    target.window_start = window_start
    target.window_end = window_end
    target.current_start = current_start
    target.crew = crew.strip()
    target.shifts = shifts
    target.note = note
    target.save()
    return target


def machine_delete(*, actor: User | None, machine: Machine) -> None:
    access.check_manage(actor)
    access.check_in_scope(actor, machine.enterprise.region_id)
    machine.delete()
