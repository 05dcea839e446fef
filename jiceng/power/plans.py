"""One plan per enterprise (一企一策): when its machines should run on a day of a type, computed
with jiceng.planning.loadshift against the time-of-use prices of the day the plan is priced on.

The enterprise's load on the day is its typical day (the mean of its recent complete days of that
type, `selectors.typical_day`); the machines' current runs are in it. The base load is the
typical day less the machines' current runs (never below zero); the plan places the machines in
their windows (a window may run past midnight: the day is cut for the solver where no window is
open, and turned back after); an account manager may pin a machine's start. Costs are the base
plus the machines, priced quarter by quarter (the flat price of the enterprise's first meter on
the day × the period ratio of its category): saved per day = current − planned, per summer ×
power-rules.json's summer days of the type; the peak removed is the fall of the highest load in
the sharp and peak periods; what moves to the night is the machines' energy from 23:00 to the end
of the morning valley, planned less current.

`compute(...)` only reads; `services.plan_save` stores a version."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from numpy.typing import NDArray

from jiceng.core.models import Organisation
from jiceng.planning.loadshift import LoadShiftError, Process, schedule
from jiceng.power.models import QUARTERS, DayType, Machine
from jiceng.power.reference_data import rules
from jiceng.power.selectors import (
    NoPrice,
    day_type_of,
    enterprise_meters,
    machines_of,
    price_on,
    typical_day,
)
from jiceng.power.tariffs import (
    KIND_INDEX,
    KINDS,
    NoTariff,
    clock,
    quarter_kinds,
    quarter_prices,
    version_on,
)

HOURS = 0.25


def _quarter(moment: time, *, up: bool = False) -> int:
    minutes = moment.hour * 60 + moment.minute
    return (minutes + 14) // 15 if up else minutes // 15


def default_day(day_type: str, today: date | None = None) -> date:
    """The day a new plan is priced on: the first day of the type in August of this summer
    (next summer's once this one is over)."""
    today = today or timezone.localdate()
    year = today.year if today.month <= 9 else today.year + 1
    day = date(year, 8, 1)
    for _i in range(31):
        if day_type_of(day) == day_type:
            return day
        day += timedelta(days=1)
    return date(year, 8, 1)


@dataclass
class _Machine:
    machine: Machine
    name: str
    power: float
    duration: int
    window: tuple[int, int]  # [start, end) quarters, end may pass 96 (past midnight)
    current: int  # current start quarter
    kind: str
    pinned: int | None = None


@dataclass
class PlanResult:
    enterprise: Organisation
    day_type: str
    priced_on: date
    tariff_id: int
    tariff_code: str
    current_yuan: float
    planned_yuan: float
    saved_per_day: float
    saved_per_summer: float
    peak_removed_kw: float
    after_23_kwh: float
    schedule: dict[str, Any]


def _run(start: int, duration: int) -> NDArray[np.int64]:
    return (start + np.arange(duration)) % QUARTERS


def _machines(machines: list[Machine], starts: dict[int, time] | None) -> list[_Machine]:
    found: list[_Machine] = []
    names: set[str] = set()
    for machine in machines:
        name = machine.name if machine.name not in names else f"{machine.name} #{machine.pk}"
        names.add(name)
        duration = math.ceil(machine.run_minutes / 15)
        ws = _quarter(machine.window_start)
        we = _quarter(machine.window_end, up=True)
        if we <= ws:
            we += QUARTERS
        if machine.kind == Machine.Kind.INFLEXIBLE:
            ws, we = 0, QUARTERS
        item = _Machine(
            machine=machine,
            name=name,
            power=float(machine.power_kw),
            duration=duration,
            window=(ws, we),
            current=_quarter(machine.current_start),
            kind=str(machine.kind),
        )
        if starts and machine.pk in starts:
            pinned = _quarter(starts[machine.pk])
            inside = (pinned - ws) % QUARTERS + duration <= we - ws
            if item.kind != Machine.Kind.INFLEXIBLE and not inside:
                raise ValidationError(
                    {
                        "starts": _(
                            "%(name)s cannot start at %(start)s: it must run within "
                            "%(from)s–%(until)s."
                        )
                        % {
                            "name": machine.name,
                            "start": clock(pinned),
                            "from": clock(ws % QUARTERS),
                            "until": clock(we % QUARTERS or QUARTERS),
                        }
                    }
                )
            item.pinned = pinned
        if duration > QUARTERS or (item.kind != Machine.Kind.INFLEXIBLE and duration > we - ws):
            raise ValidationError(
                _(
                    "%(name)s cannot fit: it runs %(minutes)d minutes but its window "
                    "%(from)s–%(until)s is shorter."
                )
                % {
                    "name": machine.name,
                    "minutes": machine.run_minutes,
                    "from": clock(ws % QUARTERS),
                    "until": clock(we % QUARTERS or QUARTERS),
                }
            )
        found.append(item)
    return found


def _fixed(item: _Machine) -> bool:
    """An inflexible machine, or one whose start the account manager pinned."""
    return item.kind == Machine.Kind.INFLEXIBLE or item.pinned is not None


def _fixed_start(item: _Machine) -> int:
    return item.current if item.pinned is None else item.pinned


def _offset(items: list[_Machine]) -> int:
    """Where to cut the day for the solver: a quarter inside no movable window (midnight when it
    can). Fixed runs do not count: they go to the solver as base load, and may cross the cut."""

    def fits(offset: int) -> bool:
        for item in items:
            if _fixed(item):
                continue  # a fixed run is base load, wherever the day is cut
            length = item.window[1] - item.window[0]
            if length < QUARTERS and (item.window[0] - offset) % QUARTERS + length > QUARTERS:
                return False
        return True

    for offset in range(QUARTERS):
        if fits(offset):
            return offset
    raise ValidationError(
        _("The machines' windows and fixed runs cover the whole day in a way no day can hold.")
    )


def compute(
    enterprise: Organisation,
    day_type: str,
    *,
    on: date | None = None,
    starts: dict[int, time] | None = None,
) -> PlanResult:
    """The plan (not stored). ValidationError when the enterprise has no meter or machine, no
    price or tariff on the day, or a machine cannot fit (the message names it)."""
    if day_type not in DayType.values:
        raise ValidationError({"day_type": _("Unknown day type.")})
    on = on or default_day(day_type)
    meters = enterprise_meters(enterprise.pk)
    if not meters:
        raise ValidationError(_("%(name)s has no meter.") % {"name": enterprise.name})
    machines = machines_of(enterprise.pk)
    if not machines:
        raise ValidationError(_("%(name)s has no machines to plan.") % {"name": enterprise.name})
    meter = meters[0]
    try:
        version = version_on(on)
        flat = float(price_on(meter, on))
        prices = quarter_prices(on, meter.category, flat)
        kinds = quarter_kinds(on, version)
    except (NoTariff, NoPrice) as exc:
        raise ValidationError(str(exc)) from exc
    items = _machines(machines, starts)
    typical = typical_day(enterprise.pk, day_type, until=on)
    current_machine = np.zeros(QUARTERS)
    for item in items:
        current_machine[_run(item.current, item.duration)] += item.power
    if typical is not None:
        base = np.maximum(typical.profile - current_machine, 0.0)
    else:
        base = np.zeros(QUARTERS)
    offset = _offset(items)
    rotate = (np.arange(QUARTERS) + offset) % QUARTERS  # solver interval -> quarter
    # Fixed runs (inflexible or pinned) are load the solver cannot move: they join the base
    # load, and the quarters they take are forbidden to the other machines of their crew.
    fixed_load = np.zeros(QUARTERS)
    crew_busy: dict[str, set[int]] = {}
    for item in items:
        if _fixed(item):
            run = _run(_fixed_start(item), item.duration)
            fixed_load[run] += item.power
            if item.machine.crew:
                crew_busy.setdefault(item.machine.crew, set()).update(int(q) for q in run)
    solver_index = np.argsort(rotate)  # quarter -> solver interval
    processes: list[Process] = []
    for item in items:
        if _fixed(item):
            continue
        length = min(item.window[1] - item.window[0], QUARTERS)
        earliest = (item.window[0] - offset) % QUARTERS if length < QUARTERS else 0
        busy = crew_busy.get(item.machine.crew, set()) if item.machine.crew else set()
        processes.append(
            Process(
                name=item.name,
                power_kw=item.power,
                duration=item.duration,
                kind="breakable" if item.kind == Machine.Kind.BREAKABLE else "shiftable",
                earliest=earliest,
                latest_end=min(earliest + length, QUARTERS),
                crew=item.machine.crew or None,
                forbidden=sorted(int(solver_index[q]) for q in busy),
            )
        )
    cap = float(meter.contracted_kw) if meter.contracted_kw else None
    try:
        solved = schedule(
            prices[rotate], processes, base_load=(base + fixed_load)[rotate], power_cap=cap
        )
    except LoadShiftError as exc:
        if exc.process:
            message = _("%(name)s cannot fit: %(reason)s") % {
                "name": exc.process,
                "reason": str(exc),
            }
        elif exc.cap:
            message = _("The machines cannot fit under the contracted demand: %(reason)s") % {
                "reason": str(exc)
            }
        else:
            message = _("No plan fits: %(reason)s") % {"reason": str(exc)}
        raise ValidationError(message) from exc
    planned_machine = np.zeros(QUARTERS)
    rows: list[dict[str, Any]] = []
    night = np.zeros(QUARTERS, dtype=bool)
    night_from = _quarter(time.fromisoformat(rules()["plan"]["night_from"]))
    night[night_from:] = True
    valleys = (kinds == KIND_INDEX["valley"]) | (kinds == KIND_INDEX["deep_valley"])
    morning_end = int(np.argmin(valleys)) if not valleys.all() else QUARTERS
    night[:morning_end] = True
    current_night = planned_night = 0.0
    for item in items:
        if _fixed(item):
            fixed_run = _run(_fixed_start(item), item.duration)
            quarters = sorted(int(q) for q in fixed_run)
            planned_start = _fixed_start(item)
            planned_last = int(fixed_run[-1])
        else:
            quarters = sorted(int(rotate[t]) for t in solved.runs[item.name])
            solver_runs = sorted(solved.runs[item.name])
            planned_start = int(rotate[solver_runs[0]])
            planned_last = int(rotate[solver_runs[-1]])
        planned_machine[quarters] += item.power
        current = _run(item.current, item.duration)
        cur_night = float(night[current].sum() * item.power * HOURS)
        plan_night = float(night[quarters].sum() * item.power * HOURS)
        current_night += cur_night
        planned_night += plan_night
        rows.append(
            {
                "id": item.machine.pk,
                "name": item.machine.name,
                "kind": item.kind,
                "power_kw": item.power,
                "quarters": item.duration,
                "current_start": clock(item.current),
                "current_end": clock((item.current + item.duration) % QUARTERS or QUARTERS),
                "planned_start": clock(planned_start),
                "planned_end": clock((planned_last + 1) % QUARTERS or QUARTERS),
                "planned_quarters": quarters,
                "pinned": item.pinned is not None,
                "moved": planned_start != item.current or len(quarters) != item.duration,
                "to_night": plan_night > cur_night,
            }
        )
    current_load = base + current_machine
    planned_load = base + planned_machine
    current_yuan = float(prices @ current_load * HOURS)
    planned_yuan = float(prices @ planned_load * HOURS)
    peak_mask = (kinds == KIND_INDEX["sharp"]) | (kinds == KIND_INDEX["peak"])
    peak_removed = 0.0
    if peak_mask.any():
        peak_removed = float(current_load[peak_mask].max() - planned_load[peak_mask].max())
    saved = current_yuan - planned_yuan
    summer_days = int(rules()["plan"]["summer_days"].get(day_type, 0))
    return PlanResult(
        enterprise=enterprise,
        day_type=day_type,
        priced_on=on,
        tariff_id=version.id,
        tariff_code=version.code,
        current_yuan=current_yuan,
        planned_yuan=planned_yuan,
        saved_per_day=saved,
        saved_per_summer=saved * summer_days,
        peak_removed_kw=peak_removed,
        after_23_kwh=planned_night - current_night,
        schedule={
            "meter": meter.code,
            "category": meter.category,
            "flat_price": flat,
            "tariff": version.code,
            "offset": offset,
            "optimal": bool(solved.optimal),
            "gap": float(solved.gap) if math.isfinite(solved.gap) else None,
            "typical_days": [d.isoformat() for d in typical.days] if typical else [],
            "machines": rows,
            "base_load": [round(float(v), 3) for v in base],
            "current_load": [round(float(v), 3) for v in current_load],
            "planned_load": [round(float(v), 3) for v in planned_load],
            "prices": [round(float(v), 5) for v in prices],
            "kinds": [KINDS[int(k)] for k in kinds],
            "night_quarters": [int(q) for q in np.flatnonzero(night)],
            "summer_days": summer_days,
        },
    )
