"""Reads of the power module: meters a user may see, a meter's loads, its bill by period, an
enterprise's typical days, the plan page, demand-response results.

Public names (for the pages, the letter and the API):
- `meters_visible_to(user)`, `meter_for(user, code)`, `enterprises_visible_to(user)`,
  `enterprise_for(user, enterprise_id)`;
- `price_on(meter, day)`, `prices_between(meter, start, end)`;
- `loads(meter_ids, start, end)` (kW per quarter, NaN where missing), `day_loads(meter, day)`;
- `meter_cost(meter, start, end)` → `Bill`;
- `typical_day(enterprise_id, day_type, until=...)` → `TypicalDay | None`;
- `plan_page(user, enterprise, day_type)` → everything the plan page and the advice letter need;
- `plans_of(enterprise)`, `latest_plan(enterprise, day_type)`;
- `events_visible_to(user)`, `event_for(user, event_id)`, `dr_results(event)` → `[DrResult]`;
- `heat_days(county, start, end)`.
Tariff lookups are in jiceng.power.tariffs (`version_on`, `day_periods`, `quarter_prices`)."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

import numpy as np
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from numpy.typing import NDArray

from jiceng.core.models import Organisation
from jiceng.core.scope import region_prefix_q, scope_queryset
from jiceng.power import access
from jiceng.power.models import (
    MISSING,
    QUARTERS,
    DailyTemperature,
    DayType,
    DrEvent,
    DrParticipation,
    Machine,
    Meter,
    MeterDay,
    MeterPrice,
    Plan,
)
from jiceng.power.reference_data import rules
from jiceng.power.tariffs import KINDS, NoTariff, quarter_kinds, ratio_table, version_on

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from jiceng.core.models import User

CENT = Decimal("0.01")
MAX_BILL_DAYS = 366


class NoPrice(NoTariff):
    """A meter has no flat price on a day."""


# -- meters and enterprises --------------------------------------------------------------------


def meters_visible_to(user: User | AnonymousUser | None) -> QuerySet[Meter]:
    return access.visible(Meter.objects.all(), user)


def meter_for(user: User | AnonymousUser | None, code: str) -> Meter:
    """The meter, if the user may see it; Http404 otherwise (absent and hidden look alike)."""
    try:
        return meters_visible_to(user).get(code=code)
    except Meter.DoesNotExist:
        raise Http404(_("No such meter.")) from None


def enterprises_visible_to(user: User | AnonymousUser | None) -> QuerySet[Organisation]:
    """Enterprises with meters or machines that the user may see."""
    queryset = Organisation.objects.all()
    if user is None:
        return queryset
    if not access.may_read(user):
        return queryset.none()
    queryset = scope_queryset(queryset, user)
    if access.is_contact_only(user):
        return queryset.filter(pk=getattr(user, "organisation_id", None) or 0)
    return queryset


def enterprise_for(user: User | AnonymousUser | None, enterprise_id: int) -> Organisation:
    try:
        return enterprises_visible_to(user).get(pk=enterprise_id)
    except Organisation.DoesNotExist:
        raise Http404(_("No such enterprise.")) from None


def enterprise_meters(enterprise_id: int) -> list[Meter]:
    return list(Meter.objects.filter(enterprise_id=enterprise_id).order_by("code"))


# -- prices ------------------------------------------------------------------------------------


def prices_between(meter: Meter, start: date, end: date) -> list[tuple[date, Decimal]]:
    """The meter's flat prices in force at some time from `start` to `end`, as (from, price)."""
    rows = list(
        MeterPrice.objects.filter(meter=meter, effective_from__lte=end)
        .order_by("effective_from")
        .values_list("effective_from", "yuan_per_kwh")
    )
    starts = [d for d, _p in rows]
    first = max(bisect_right(starts, start) - 1, 0)
    return rows[first:]


def price_on(meter: Meter, day: date) -> Decimal:
    found = (
        MeterPrice.objects.filter(meter=meter, effective_from__lte=day)
        .order_by("-effective_from")
        .values_list("yuan_per_kwh", flat=True)
        .first()
    )
    if found is None:
        raise NoPrice(
            _("Meter %(code)s has no flat price on %(day)s.")
            % {"code": meter.code, "day": day.isoformat()}
        )
    return found


# -- loads -------------------------------------------------------------------------------------


def decode(watts: bytes | memoryview) -> NDArray[np.float64]:
    """A MeterDay's 96 values as kW, NaN where no reading came."""
    raw = np.frombuffer(bytes(watts), dtype="<i4")
    kw = raw.astype(np.float64) / 1000.0
    kw[raw == MISSING] = np.nan
    return kw


def loads(
    meter_ids: Iterable[int], start: date, end: date
) -> dict[tuple[int, date], NDArray[np.float64]]:
    """(meter id, day) → the day's 96 loads (kW, NaN missing), for the days stored."""
    rows = MeterDay.objects.filter(
        meter_id__in=list(meter_ids), day__gte=start, day__lte=end
    ).values_list("meter_id", "day", "watts")
    return {(m, d): decode(w) for m, d, w in rows}


def day_loads(meter: Meter, day: date) -> NDArray[np.float64] | None:
    return loads([meter.pk], day, day).get((meter.pk, day))


# -- the bill by period ------------------------------------------------------------------------


@dataclass
class Bill:
    """A meter's energy and cost by period from `start` to `end` (both included)."""

    meter: str
    start: date
    end: date
    by_period: dict[str, dict[str, Decimal]]  # kind -> {"kwh", "yuan"}
    total_kwh: Decimal
    total_yuan: Decimal
    days: int  # days with readings
    missing: int  # quarters without a reading on those days
    tariffs: list[str] = field(default_factory=list)  # the versions applied


def _money(value: float) -> Decimal:
    return Decimal(repr(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def _kwh(value: float) -> Decimal:
    return Decimal(repr(value)).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


def meter_cost(meter: Meter, start: date, end: date) -> Bill:
    """The bill by period: each quarter's energy (kW × ¼ h) priced at the meter's flat price on
    its day × the ratio of its period on that day (the tariff version and season of the day,
    holiday deep valleys included). Quarters without a reading are not billed (`missing` counts
    them). Raises NoTariff (a day before the first tariff version, or without a price) and
    ValueError for a backwards or too long range."""
    if end < start:
        raise ValueError(_("The period ends before it starts."))
    if (end - start).days + 1 > MAX_BILL_DAYS:
        raise ValueError(_("A bill covers at most %(n)d days.") % {"n": MAX_BILL_DAYS})
    version_on(start)  # a range that starts before the first tariff is refused as a whole
    prices = prices_between(meter, start, end)
    if not prices or prices[0][0] > start:
        raise NoPrice(
            _("Meter %(code)s has no flat price on %(day)s.")
            % {"code": meter.code, "day": start.isoformat()}
        )
    price_starts = [d for d, _p in prices]
    kwh = np.zeros(len(KINDS))
    yuan = np.zeros(len(KINDS))
    used: list[str] = []
    missing = 0
    days = 0
    for (_meter, day), kw in sorted(loads([meter.pk], start, end).items()):
        version = version_on(day)
        if version.code not in used:
            used.append(version.code)
        kinds = quarter_kinds(day, version)
        flat = float(prices[bisect_right(price_starts, day) - 1][1])
        present = ~np.isnan(kw)
        missing += int(QUARTERS - present.sum())
        energy = np.where(present, kw, 0.0) * 0.25
        by_kind = np.bincount(kinds, weights=energy, minlength=len(KINDS))
        kwh += by_kind
        yuan += by_kind * ratio_table(version, meter.category) * flat
        days += 1
    by_period = {
        kind: {"kwh": _kwh(float(kwh[i])), "yuan": _money(float(yuan[i]))}
        for i, kind in enumerate(KINDS)
    }
    return Bill(
        meter=meter.code,
        start=start,
        end=end,
        by_period=by_period,
        total_kwh=sum((p["kwh"] for p in by_period.values()), Decimal("0.000")),
        total_yuan=sum((p["yuan"] for p in by_period.values()), Decimal("0.00")),
        days=days,
        missing=missing,
        tariffs=used,
    )


# -- typical days ------------------------------------------------------------------------------


def day_type_of(day: date) -> str:
    from jiceng.cases.calendar import working_calendar

    return DayType.WORKDAY if working_calendar().is_workday(day) else DayType.REST


@dataclass
class TypicalDay:
    """An enterprise's load on a day of a type: the mean, quarter by quarter, over its meters'
    `days` (the most recent of that type with all readings of every meter)."""

    day_type: str
    profile: NDArray[np.float64]  # 96 kW
    days: list[date]

    @property
    def kwh(self) -> float:
        return float(self.profile.sum() * 0.25)

    @property
    def peak_kw(self) -> float:
        return float(self.profile.max(initial=0.0))


def typical_day(
    enterprise_id: int, day_type: str, *, until: date, days: int | None = None
) -> TypicalDay | None:
    """The typical day of `day_type` from the enterprise's readings in the 120 days up to
    `until` (the `days` most recent complete days of that type; power-rules.json's
    plan.typical_days by default); None without such a day."""
    from jiceng.cases.calendar import working_calendar

    wanted = days or int(rules()["plan"]["typical_days"])
    meter_ids = list(Meter.objects.filter(enterprise_id=enterprise_id).values_list("pk", flat=True))
    if not meter_ids:
        return None
    stored = loads(meter_ids, until - timedelta(days=120), until)
    calendar = working_calendar()
    by_day: dict[date, list[NDArray[np.float64]]] = {}
    for (_m, day), kw in stored.items():
        by_day.setdefault(day, []).append(kw)
    picked: list[date] = []
    total = np.zeros(QUARTERS)
    for day in sorted(by_day, reverse=True):
        profiles = by_day[day]
        is_type = (day_type == DayType.WORKDAY) == calendar.is_workday(day)
        if not is_type or len(profiles) < len(meter_ids):
            continue
        summed = np.sum(profiles, axis=0)
        if np.isnan(summed).any():
            continue
        total += summed
        picked.append(day)
        if len(picked) >= wanted:
            break
    if not picked:
        return None
    return TypicalDay(day_type=day_type, profile=total / len(picked), days=sorted(picked))


# -- plans ---------------------------------------------------------------------------------------


def machines_of(enterprise_id: int) -> list[Machine]:
    return list(Machine.objects.filter(enterprise_id=enterprise_id).order_by("name", "pk"))


def plans_of(enterprise_id: int, day_type: str | None = None) -> QuerySet[Plan]:
    plans = Plan.objects.filter(enterprise_id=enterprise_id)
    if day_type:
        plans = plans.filter(day_type=day_type)
    return plans.order_by("day_type", "-version")


def latest_plan(enterprise_id: int, day_type: str) -> Plan | None:
    return plans_of(enterprise_id, day_type).first()


def plans_visible_to(user: User | AnonymousUser | None) -> QuerySet[Plan]:
    return access.visible(Plan.objects.select_related("enterprise"), user)


def plan_page(
    user: User | AnonymousUser | None, enterprise: Organisation, day_type: str
) -> dict[str, Any]:
    """What the plan page and the advice letter (一企一策建议书) show: the enterprise, its
    meters with their current price, its machines, the typical day, the latest saved plan and
    its earlier versions, the tariff periods of the day the plan is priced on, and whether the
    user may change it. The plan's `schedule` holds the curves (current, planned, base, prices,
    period kinds; 96 values each) and each machine's current and planned run."""
    from jiceng.power.plans import default_day

    plan = latest_plan(enterprise.pk, day_type)
    on = plan.priced_on if plan is not None else default_day(day_type)
    meters = enterprise_meters(enterprise.pk)
    priced = []
    for meter in meters:
        try:
            current: Decimal | None = price_on(meter, on)
        except NoPrice:
            current = None
        priced.append({"meter": meter, "flat_price": current})
    periods: list[Any] = []
    try:
        from jiceng.power.tariffs import day_periods

        category = meters[0].category if meters else "large_industry"
        version, periods = day_periods(on, category)
        tariff: dict[str, Any] | None = {
            "code": version.code,
            "document": version.document,
            "confidence": version.confidence,
        }
    except NoTariff:
        tariff = None
    return {
        "enterprise": enterprise,
        "day_type": day_type,
        "priced_on": on,
        "meters": priced,
        "machines": machines_of(enterprise.pk),
        "typical": typical_day(enterprise.pk, day_type, until=on),
        "plan": plan,
        "versions": list(plans_of(enterprise.pk, day_type)),
        "tariff": tariff,
        "periods": periods,
        "may_edit": access.may_manage(user),
    }


# -- demand response -------------------------------------------------------------------------------


def events_visible_to(user: User | AnonymousUser | None) -> QuerySet[DrEvent]:
    """Events of the user's region; an enterprise contact sees those their meters are in."""
    events = DrEvent.objects.all()
    if user is None:
        return events
    if not access.may_read(user):
        return events.none()
    if access.is_contact_only(user):
        organisation_id = getattr(user, "organisation_id", None) or 0
        return events.filter(participants__meter__enterprise_id=organisation_id).distinct()
    return scope_queryset(events, user)


def event_for(user: User | AnonymousUser | None, event_id: int) -> DrEvent:
    try:
        return events_visible_to(user).get(pk=event_id)
    except DrEvent.DoesNotExist:
        raise Http404(_("No such demand-response event.")) from None


def participants_of(event: DrEvent) -> list[DrParticipation]:
    return list(event.participants.select_related("meter").order_by("meter__code"))


@dataclass(frozen=True)
class DrResult:
    meter: str
    baseline_kw: float | None
    actual_kw: float | None
    reduction_kw: float | None
    committed_kw: float | None
    effective: bool
    paid_kwh: float
    compensation_yuan: Decimal
    days_used: int


def quarter_of(moment: Any) -> int:
    return int(moment.hour) * 4 + int(moment.minute) // 15


def event_window(event: DrEvent) -> tuple[int, int]:
    """The event's window as quarters [start, end) of its day (an end at 00:00 is midnight)."""
    start = quarter_of(event.start)
    end = quarter_of(event.end) or QUARTERS
    return start, end


def _pair(value: Any) -> tuple[float, float]:
    first, second = value
    return float(first), float(second)


def dr_results(event: DrEvent) -> list[DrResult]:
    """Each participant's baseline, actual load and reduction (kW means over the window), its
    commitment, whether the response was effective, the paid kWh and the compensation, by the
    event's baseline method and power-rules.json's thresholds (jiceng.planning.baseline). For
    valley filling the response is the rise of load over the baseline. A meter without a
    commitment is listed, never effective."""
    from jiceng.cases.calendar import working_calendar
    from jiceng.planning.baseline import Method, verify

    participants = participants_of(event)
    if not participants:
        return []
    settings_ = rules()["demand_response"]
    spec = settings_["baselines"].get(event.baseline) or settings_["baselines"]["recent_workdays"]
    method = Method(
        kind=spec["kind"],
        days=int(spec.get("days", 5)),
        highest=int(spec.get("highest", spec.get("days", 5))),
        adjust=bool(spec.get("adjust", False)),
        adjust_hours=_pair(settings_.get("adjust_hours", (4, 1))),
        adjust_clamp=_pair(settings_.get("adjust_clamp", (0.8, 1.2))),
    )
    first = event.day - timedelta(days=int(settings_.get("history_days", 45)))
    days = [first + timedelta(days=i) for i in range((event.day - first).days + 1)]
    index = {d: i for i, d in enumerate(days)}
    meter_ids = [p.meter_id for p in participants]
    array = np.full((len(participants), len(days), QUARTERS), np.nan)
    row_of = {m: i for i, m in enumerate(meter_ids)}
    for (meter_id, day), kw in loads(meter_ids, first, event.day).items():
        array[row_of[meter_id], index[day]] = kw
    valley = event.kind == DrEvent.Kind.VALLEY_FILLING
    ceiling = 0.0
    if valley:
        # The rise over the baseline as a reduction of (ceiling - load): means are linear, so
        # baseline and actual map back exactly.
        ceiling = float(np.nanmax(array, initial=0.0)) + 1.0
        array = ceiling - array
    commitments = np.array([float(p.committed_kw or 0) for p in participants])
    others = set(
        DrEvent.objects.filter(
            region_prefix_q(event.region_id), day__gte=first, day__lt=event.day
        ).values_list("day", flat=True)
    )
    result = verify(
        array,
        days,
        event.day,
        event_window(event),
        commitments,
        price=float(event.price_yuan_per_kwh),
        calendar=working_calendar().exceptions,
        event_days=others,
        method=method,
        effective_ratio=float(settings_["effective_ratio"]),
        cap_ratio=float(settings_["paid_cap_ratio"]),
    )
    rows: list[DrResult] = []
    for i, participant in enumerate(participants):
        base = float(result.baseline_kw[i])
        actual = float(result.actual_kw[i])
        if valley:
            base, actual = ceiling - base, ceiling - actual
        committed = participant.committed_kw is not None
        rows.append(
            DrResult(
                meter=participant.meter.code,
                baseline_kw=None if np.isnan(base) else round(base, 3),
                actual_kw=None if np.isnan(actual) else round(actual, 3),
                reduction_kw=None
                if np.isnan(result.reduction_kw[i])
                else round(float(result.reduction_kw[i]), 3),
                committed_kw=float(participant.committed_kw or 0) if committed else None,
                effective=committed and bool(result.effective[i]),
                paid_kwh=round(float(result.paid_kwh[i]), 3) if committed else 0.0,
                compensation_yuan=_money(float(result.compensation[i]))
                if committed
                else Decimal("0.00"),
                days_used=int(result.days_used[i]),
            )
        )
    return rows


# -- temperatures --------------------------------------------------------------------------------


def temperatures(county: str, start: date, end: date) -> QuerySet[DailyTemperature]:
    return DailyTemperature.objects.filter(region_id=county, day__gte=start, day__lte=end)


def heat_days(county: str, start: date, end: date) -> list[date]:
    return list(
        temperatures(county, start, end).filter(heat_day=True).values_list("day", flat=True)
    )
