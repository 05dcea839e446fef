"""Reads for the power module's pages and exports that the selectors do not make: a saved plan's
load and cost by tariff period, the chart of a day's load against the tariff's periods, and the
county's summer (迎峰度夏) in figures — peak load by day against the temperature, the load the
plans move out of the sharp and peak periods, what the enterprises with plans save, and each
demand-response event's effective response.

Everything is read through jiceng/power/selectors.py (role and scope: an enterprise contact sees
only their enterprise), so the same user sees the same figures on the page, on the wall screen
and in the Excel export."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import numpy as np
from django.utils import timezone

from jiceng.core.models import Region, RegionLevel
from jiceng.core.scope import county_of
from jiceng.power import selectors
from jiceng.power.models import QUARTERS, MeterDay, PeriodKind, Plan
from jiceng.power.tariffs import KINDS, clock

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from jiceng.core.models import User

HOURS = 0.25
SHIFTED_KINDS = (PeriodKind.SHARP, PeriodKind.PEAK)
LABELS = tuple(clock(q) for q in range(QUARTERS))


# -- a plan in figures ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodLine:
    kind: str
    label: str
    current_kwh: float
    planned_kwh: float
    current_yuan: float
    planned_yuan: float


def plan_periods(schedule: dict[str, Any]) -> list[PeriodLine]:
    """The plan's day by tariff period: energy and cost now and as planned (periods of the day
    only)."""
    kinds = list(schedule.get("kinds") or [])
    if len(kinds) != QUARTERS:
        return []
    current = np.asarray(schedule["current_load"], dtype=float)
    planned = np.asarray(schedule["planned_load"], dtype=float)
    prices = np.asarray(schedule["prices"], dtype=float)
    labels = dict(PeriodKind.choices)
    lines = []
    for kind in KINDS:
        mask = np.array([k == kind for k in kinds])
        if not mask.any():
            continue
        lines.append(
            PeriodLine(
                kind=kind,
                label=str(labels[kind]),
                current_kwh=float(current[mask].sum() * HOURS),
                planned_kwh=float(planned[mask].sum() * HOURS),
                current_yuan=float((current[mask] * prices[mask]).sum() * HOURS),
                planned_yuan=float((planned[mask] * prices[mask]).sum() * HOURS),
            )
        )
    return lines


def shifted_kwh(schedule: dict[str, Any]) -> float:
    """kWh a day the plan moves out of the sharp and peak periods (the fall of the load there)."""
    kinds = list(schedule.get("kinds") or [])
    if len(kinds) != QUARTERS:
        return 0.0
    mask = np.array([k in SHIFTED_KINDS for k in kinds])
    current = np.asarray(schedule["current_load"], dtype=float)[mask]
    planned = np.asarray(schedule["planned_load"], dtype=float)[mask]
    return float(np.maximum(current - planned, 0.0).sum() * HOURS)


@dataclass(frozen=True)
class Band:
    start: int  # quarter
    end: int  # quarter, exclusive
    kind: str
    label: str


def period_bands(kinds: Sequence[str]) -> list[Band]:
    """Runs of quarters of one period kind, for shading a day's chart."""
    labels = dict(PeriodKind.choices)
    bands: list[Band] = []
    start = 0
    for q in range(1, len(kinds) + 1):
        if q == len(kinds) or kinds[q] != kinds[start]:
            bands.append(Band(start, q, kinds[start], str(labels.get(kinds[start], kinds[start]))))
            start = q
    return bands


def chart_data(
    *, kinds: Sequence[str], series: dict[str, Sequence[float | None]]
) -> dict[str, Any]:
    """The page's chart (static/web/power/power.js): 96 labels, named lines, period bands."""
    return {
        "labels": list(LABELS),
        "series": [
            {"name": name, "values": [None if v is None else round(float(v), 1) for v in values]}
            for name, values in series.items()
        ],
        "bands": [
            {"start": b.start, "end": b.end, "kind": b.kind, "label": b.label}
            for b in period_bands(kinds)
        ],
    }


# -- the summer ----------------------------------------------------------------------------------


def summer_of(today: date | None = None) -> tuple[date, date]:
    """July to September of the summer under way or last passed."""
    today = today or timezone.localdate()
    year = today.year if today >= date(today.year, 7, 1) else today.year - 1
    return date(year, 7, 1), date(year, 9, 30)


def county_for(user: User | AnonymousUser | None) -> str | None:
    """The county whose weather and summer a user sees: their region's, or the first county."""
    region = getattr(user, "region", None)
    if region is not None:
        return county_of(region.code)
    return (
        Region.objects.filter(level=RegionLevel.COUNTY)
        .order_by("code")
        .values_list("code", flat=True)
        .first()
    )


@dataclass(frozen=True)
class SummerDay:
    day: date
    max_c: Decimal | None
    heat_day: bool
    peak_kw: float  # the highest quarter hour of the meters' summed load
    kwh: float


@dataclass(frozen=True)
class PlanLine:
    plan: Plan
    shifted_kwh_per_day: float


@dataclass(frozen=True)
class EventLine:
    event: Any
    invited: int
    committed: int
    committed_kw: float
    effective: int
    reduction_kw: float  # the committed participants' mean reduction over the window, summed
    compensation_yuan: Decimal


@dataclass
class Summer:
    county: str | None
    start: date
    end: date
    meters: int
    days: list[SummerDay]
    plans: list[PlanLine]
    events: list[EventLine]
    shifted_kwh_per_day: float = 0.0
    shifted_kwh_per_summer: float = 0.0
    saved_per_day: Decimal = Decimal("0.00")
    saved_per_summer: Decimal = Decimal("0.00")
    peak_removed_kw: Decimal = Decimal("0.00")
    top_day: SummerDay | None = field(default=None)


def summer_days(user: User | AnonymousUser | None, start: date, end: date) -> list[SummerDay]:
    """Each day's summed load of the meters the user sees, with the county's temperature."""
    meter_ids = list(selectors.meters_visible_to(user).values_list("pk", flat=True))
    total: dict[date, np.ndarray] = {}
    rows = MeterDay.objects.filter(
        meter_id__in=meter_ids, day__gte=start, day__lte=end
    ).values_list("day", "watts")
    for day, watts in rows.iterator(chunk_size=2000):
        kw = np.nan_to_num(selectors.decode(watts))
        if day in total:
            total[day] += kw
        else:
            total[day] = kw
    county = county_for(user)
    weather = {t.day: t for t in selectors.temperatures(county, start, end)} if county else {}
    days = []
    current = start
    while current <= end:
        load = total.get(current)
        reading = weather.get(current)
        if load is not None or reading is not None:
            days.append(
                SummerDay(
                    day=current,
                    max_c=reading.max_c if reading else None,
                    heat_day=bool(reading and reading.heat_day),
                    peak_kw=float(load.max()) if load is not None else 0.0,
                    kwh=float(load.sum() * HOURS) if load is not None else 0.0,
                )
            )
        current += timedelta(days=1)
    return days


def latest_plans(user: User | AnonymousUser | None) -> list[Plan]:
    """The latest version of each enterprise's plan of each day type that the user sees."""
    seen: set[tuple[int, str]] = set()
    found = []
    plans = selectors.plans_visible_to(user).order_by("enterprise_id", "day_type", "-version")
    for plan in plans:
        key = (plan.enterprise_id, plan.day_type)
        if key not in seen:
            seen.add(key)
            found.append(plan)
    return found


def event_lines(user: User | AnonymousUser | None, start: date, end: date) -> list[EventLine]:
    lines = []
    events = selectors.events_visible_to(user).filter(day__gte=start, day__lte=end)
    for event in events.order_by("day", "start"):
        results = selectors.dr_results(event)
        committed = [r for r in results if r.committed_kw is not None]
        lines.append(
            EventLine(
                event=event,
                invited=len(results),
                committed=len(committed),
                committed_kw=sum(r.committed_kw or 0.0 for r in committed),
                effective=sum(1 for r in committed if r.effective),
                reduction_kw=sum(r.reduction_kw or 0.0 for r in committed),
                compensation_yuan=sum((r.compensation_yuan for r in committed), Decimal("0.00")),
            )
        )
    return lines


def summer(user: User | AnonymousUser | None, start: date, end: date) -> Summer:
    """The county's summer page in figures (see the module docstring)."""
    days = summer_days(user, start, end)
    plans = [PlanLine(plan, shifted_kwh(plan.schedule)) for plan in latest_plans(user)]
    found = Summer(
        county=county_for(user),
        start=start,
        end=end,
        meters=selectors.meters_visible_to(user).count(),
        days=days,
        plans=plans,
        events=event_lines(user, start, end),
    )
    workday = [p for p in plans if p.plan.day_type == "workday"]
    found.shifted_kwh_per_day = sum(p.shifted_kwh_per_day for p in workday)
    found.shifted_kwh_per_summer = sum(
        p.shifted_kwh_per_day * int(p.plan.schedule.get("summer_days") or 0) for p in plans
    )
    found.saved_per_day = sum((p.plan.saved_per_day for p in workday), Decimal("0.00"))
    found.saved_per_summer = sum((p.plan.saved_per_summer for p in plans), Decimal("0.00"))
    found.peak_removed_kw = sum((p.plan.peak_removed_kw for p in workday), Decimal("0.00"))
    found.top_day = max(days, key=lambda d: d.peak_kw, default=None)
    return found
