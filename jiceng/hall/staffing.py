"""A hall's tidal staffing plan for a week: how many windows each half hour needs, which regular
and tidal sessions to open, how long residents would wait, and who works which shift.

The steps, each with the planning library (jiceng.planning):

1. Arrivals per half hour of the hall's past tickets (by the time each ticket was taken; tickets
   taken before the first half hour count in it, those after the last in the last one), over the
   weeks before the planned week; public holidays and the hall's closed days are marked.
2. `forecast.arrivals`: the expected arrivals of each half hour of the week, with an interval
   of uncertainty.
3. `erlang.required_servers`: the fewest windows per half hour such that `service_level` of the
   residents are called within `target_wait` minutes (Erlang C), with the mean handling time of
   the hall's item mix (the catalogue's standard minutes, weighted by how often each item was
   asked for). The hall's windows are one pool: tidal rules switch windows to the busy groups.
   No half hour gets more windows than the hall has.
4. `roster.cover`: the cheapest mix of day shifts (SHIFTS: regular hours, an early start, a late
   finish, a noon shift, a Saturday morning) covering that requirement; each shift is a window's
   sessions for the day, so the mix says which early, late, noon and Saturday sessions to open.
5. `simulate.hall`: the day replayed with the windows the shifts open, for the mean wait and the
   service level with their confidence intervals (the check on the Erlang figures).
6. `roster.assign`: the hall point's clerks to the shifts over the week (weekly hours, rest
   between shifts, consecutive days); positions nobody fills are listed as vacancies.
7. The shifts placed on the hall's windows: the weekly session plan that applying the plan
   writes (`jiceng.hall.services.plans.staffing_plan_apply`). Weekdays on which the hall is closed
   in the planned week (a public holiday) keep their current sessions.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
from django.core.cache import cache
from django.db.models import Case, Count, IntegerField, Value, When
from django.db.models.functions import ExtractMinute
from django.utils.translation import gettext as _
from numpy.typing import NDArray

from jiceng.cases.calendar import working_calendar
from jiceng.hall.models import (
    TIDAL_SESSION_KINDS,
    Hall,
    HallDay,
    ServiceItem,
    SessionKind,
    Ticket,
    Window,
)
from jiceng.hall.selectors import ZONE, hall_plans, windows_of
from jiceng.hall.timetable import PlannedSession, plan_weekday
from jiceng.planning import erlang, forecast, roster, simulate

INTERVAL_MINUTES = 30
DAY_START = 8 * 60  # 08:00, the earliest tidal session
PERIODS = 20  # half hours up to 18:00, the end of the latest tidal session
HISTORY_WEEKS = 12
TARGET_WAIT_MINUTES = 15.0
SERVICE_LEVEL = 0.8
WEEKLY_HOURS = 40.0
TIDAL_PREMIUM = 0.05  # per tidal session: at equal cover, regular hours are preferred
FORECAST_LEVEL = 0.8
HISTORY_CACHE_SECONDS = 300  # past days' tickets rarely change; a late one shows within minutes


@dataclass(frozen=True)
class Shift:
    """A window's day: its sessions (kind, first minute, end minute of the day)."""

    name: str
    sessions: tuple[tuple[str, int, int], ...]
    saturday: bool = False

    @property
    def row(self) -> NDArray[np.int8]:
        cells = np.zeros(PERIODS, dtype=np.int8)
        for _kind, start, end in self.sessions:
            cells[
                (start - DAY_START) // INTERVAL_MINUTES : (end - DAY_START) // INTERVAL_MINUTES
            ] = 1
        return cells

    @property
    def hours(self) -> float:
        return sum(end - start for _kind, start, end in self.sessions) / 60.0

    @property
    def cost(self) -> float:
        tidal = sum(1 for kind, _s, _e in self.sessions if kind in TIDAL_SESSION_KINDS)
        return self.hours + TIDAL_PREMIUM * tidal


R, E, L, N, S = (
    SessionKind.REGULAR,
    SessionKind.EARLY,
    SessionKind.LATE,
    SessionKind.NOON,
    SessionKind.SATURDAY,
)
# Every weekday shift is seven hours at a window and covers 10:00-11:30, so the shifts of a day
# never outnumber the windows open at its busiest half hour.
SHIFTS = (
    Shift("regular", ((R, 510, 720), (R, 810, 1020))),  # 08:30-12:00, 13:30-17:00
    Shift("early", ((E, 480, 510), (R, 510, 720), (R, 810, 990))),  # from 08:00, home 16:30
    Shift("late", ((R, 570, 720), (R, 810, 1020), (L, 1020, 1080))),  # from 09:30 to 18:00
    Shift("noon", ((R, 600, 720), (N, 720, 810), (R, 810, 1020))),  # from 10:00, through noon
    Shift("saturday", ((S, 540, 720),), saturday=True),  # Saturday 09:00-12:00
)
SHIFT_BY_NAME = {shift.name: shift for shift in SHIFTS}


def period_labels() -> list[str]:
    return [_clock(DAY_START + INTERVAL_MINUTES * i) for i in range(PERIODS)]


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


class StaffingUnavailable(ValueError):
    """The plan cannot be made (e.g. a hall without windows); the message says why."""


@dataclass
class DayPlan:
    day: date
    plan_weekday: int | None  # the weekday whose sessions the hall runs (None: closed)
    arrivals: float
    shifts: dict[str, int]
    mean_wait: float | None = None  # simulated, minutes, over the day's arrivals
    mean_wait_low: float | None = None
    mean_wait_high: float | None = None
    service_level: float | None = None  # simulated share called within the target wait
    erlang_service_level: float | None = None  # Erlang C, weighted by arrivals


@dataclass
class StaffingPlan:
    hall_id: int
    hall_name: str
    week: date  # Monday
    target_wait: float
    service_level: float
    aht: float  # mean handling minutes of the item mix
    history_days: int
    history_tickets: int
    windows: int
    periods: list[str]
    days: list[DayPlan]
    mean: NDArray[np.float64]  # 7 × PERIODS forecast arrivals
    lower: NDArray[np.float64]
    upper: NDArray[np.float64]
    required: NDArray[np.int64]  # windows required (Erlang C), capped at the hall's windows
    short: NDArray[np.int64]  # windows the hall lacks beyond its own, per half hour
    uncovered: NDArray[np.float64]  # expected arrivals in half hours no session can open
    on_duty: NDArray[np.int64]  # windows the proposed shifts open
    erlang_level: NDArray[np.float64]  # Erlang C service level with those windows (NaN: none)
    sim_wait: NDArray[np.float64]  # simulated mean wait per half hour (NaN: nobody arrives)
    sim_level: NDArray[np.float64]
    cost: float
    sessions: dict[int, list[dict[str, Any]]]  # window id -> weekly sessions to write
    window_numbers: dict[int, int]
    roster: dict[str, list[str | None]] | None = None  # person -> shift name per day
    roster_hours: dict[str, float] = field(default_factory=dict)
    vacancies: list[str] = field(default_factory=list)
    roster_problem: str = ""
    kept_weekdays: list[int] = field(default_factory=list)
    placement: dict[int, dict[int, str]] = field(default_factory=dict)  # weekday -> window -> shift

    @property
    def fingerprint(self) -> str:
        """A digest of the sessions the plan writes: the same plan applies the same change."""
        payload = json.dumps(
            {str(k): v for k, v in sorted(self.sessions.items())}, sort_keys=True, default=str
        )
        return hashlib.sha256(f"{self.hall_id}:{self.week}:{payload}".encode()).hexdigest()[:20]

    @property
    def meets_target(self) -> bool:
        """Whether every half hour with arrivals meets the service level by Erlang C (half
        hours the hall cannot staff, for want of windows or sessions, excepted)."""
        busy = (self.mean > 0) & (self.short == 0) & (self.uncovered == 0)
        return bool((self.erlang_level[busy] >= self.service_level - 1e-9).all())


# --- reading the history ---------------------------------------------------------------------


def week_monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _period_of(minute_of_day: NDArray[np.int64]) -> NDArray[np.int64]:
    return np.clip((minute_of_day - DAY_START) // INTERVAL_MINUTES, 0, PERIODS - 1)


def arrival_history(hall: Hall, first: date, last: date) -> NDArray[np.float64]:
    """Tickets taken per day (rows, `first`..`last` inclusive) and half hour (columns), counted
    by the database (day, local hour, which half of the hour); kept for a few minutes."""
    days = (last - first).days + 1
    if days <= 0:
        return np.zeros((0, PERIODS))
    key = f"hall:arrivals:{hall.pk}:{first.isoformat()}:{last.isoformat()}"
    cached = cache.get(key)
    if cached is not None:
        return np.array(cached, dtype=np.float64)
    counts = _count_arrivals(hall, first, last, days)
    cache.set(key, counts.tolist(), HISTORY_CACHE_SECONDS)
    return counts


def _count_arrivals(hall: Hall, first: date, last: date, days: int) -> NDArray[np.float64]:
    counts = np.zeros((days, PERIODS))
    rows = (
        Ticket.objects.filter(hall_id=hall.pk, service_day__gte=first, service_day__lte=last)
        .alias(taken_minute=ExtractMinute("taken_at", tzinfo=ZONE))
        .annotate(
            late_half=Case(
                When(taken_minute__gte=30, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .values_list("service_day", "hour", "late_half")
        .annotate(n=Count("pk"))
        .values_list("service_day", "hour", "late_half", "n")
    )
    found = list(rows)
    if found:
        day_index = np.array([(d - first).days for d, _h, _half, _n in found])
        minutes = np.array([h * 60 + 30 * half for _d, h, half, _n in found], dtype=np.int64)
        np.add.at(counts, (day_index, _period_of(minutes)), np.array([n for *_x, n in found]))
    return counts


def item_mix_minutes(hall: Hall, first: date, last: date) -> float:
    """Mean standard handling minutes of the items the hall's tickets asked for (all active
    items alike when it has no tickets)."""
    mix = (
        Ticket.objects.filter(hall_id=hall.pk, service_day__gte=first, service_day__lte=last)
        .values_list("item__standard_minutes")
        .annotate(n=Count("pk"))
        .values_list("item__standard_minutes", "n")
    )
    total = sum(n for _minutes, n in mix)
    if total:
        return float(sum(minutes * n for minutes, n in mix) / total)
    standard = list(ServiceItem.objects.filter(is_active=True).values_list("standard_minutes"))
    return float(np.mean([m for (m,) in standard])) if standard else 10.0


def _plan_weekdays(hall: Hall, first: date, last: date) -> dict[date, int | None]:
    """For each day, the weekday whose plan the hall runs (None: closed), as the queue does."""
    exceptions = {
        d: (is_open, weekday)
        for d, is_open, weekday in HallDay.objects.filter(
            hall_id=hall.pk, date__gte=first, date__lte=last
        ).values_list("date", "is_open", "plan_weekday")
    }
    national = working_calendar().exceptions
    found = {}
    day = first
    while day <= last:
        found[day] = plan_weekday(
            day, exception=exceptions.get(day), national_workday=national.get(day)
        )
        day += timedelta(days=1)
    return found


def _achievable(
    need: NDArray[np.int64], rows: list[NDArray[np.int8]], windows: int
) -> NDArray[np.int64]:
    """The most of a day's requirement that at most `windows` shifts of these kinds can cover:
    every mix of shifts is tried, the one leaving the fewest window-half-hours uncovered (then
    using the fewest shifts) wins, and the requirement is cut to what it covers. When the whole
    requirement can be covered, it comes back unchanged."""
    kinds = len(rows)
    grid = np.stack(np.meshgrid(*[np.arange(windows + 1)] * kinds, indexing="ij"), axis=-1)
    mixes = grid.reshape(-1, kinds)
    mixes = mixes[mixes.sum(axis=1) <= windows]
    covered = mixes @ np.array(rows, dtype=np.int64)  # mixes × periods
    missing = np.maximum(need[None, :] - covered, 0).sum(axis=1)
    best = np.lexsort((mixes.sum(axis=1), missing))[0]
    if missing[best] == 0:
        return need
    return np.minimum(need, covered[best])


# --- placing shifts on windows -----------------------------------------------------------------


def _window_order(windows: list[Window]) -> list[Window]:
    """Windows in the order they are opened: first enough to serve every group of the hall,
    then by number."""
    chosen: list[Window] = []
    groups = {g for w in windows for g in w.default_groups}
    served: set[str] = set()
    rest = list(windows)
    while served != groups and rest:
        best = max(rest, key=lambda w: (len(set(w.default_groups) - served), -w.number))
        if not set(best.default_groups) - served:
            break
        chosen.append(best)
        served.update(best.default_groups)
        rest.remove(best)
    return chosen + sorted(rest, key=lambda w: w.number)


def _place_shifts(counts: dict[str, int], windows: list[Window]) -> dict[int, str]:
    """Window id -> shift name for one day: tidal shifts go to tidal windows first, regular
    shifts to the other windows first."""
    order = _window_order(windows)
    tidal_first = [w for w in order if w.is_tidal] + [w for w in order if not w.is_tidal]
    regular_first = [w for w in order if not w.is_tidal] + [w for w in order if w.is_tidal]
    placed: dict[int, str] = {}
    wanted = [name for shift in SHIFTS for name in [shift.name] * counts.get(shift.name, 0)]
    tidal = [n for n in wanted if n != "regular"]
    regular = [n for n in wanted if n == "regular"]
    for names, preference in ((tidal, tidal_first), (regular, regular_first)):
        for name in names:
            free = next((w for w in preference if w.pk not in placed), None)
            if free is None:
                raise StaffingUnavailable(_("The hall has fewer windows than the plan needs."))
            placed[free.pk] = name
    return placed


def _current_sessions(
    plans: list[PlannedSession], window_id: int, day: date, weekday: int
) -> list[dict[str, Any]]:
    return [
        {
            "weekday": weekday,
            "kind": p.kind,
            "starts": p.starts.strftime("%H:%M"),
            "ends": p.ends.strftime("%H:%M"),
        }
        for p in sorted(plans, key=lambda p: p.starts)
        if p.window_id == window_id and p.weekday == weekday and p.in_force(day)
    ]


# --- the plan ----------------------------------------------------------------------------------


def staffing_plan(
    hall: Hall,
    *,
    week: date,
    today: date,
    target_wait: float = TARGET_WAIT_MINUTES,
    service_level: float = SERVICE_LEVEL,
    history_weeks: int = HISTORY_WEEKS,
    replications: int = 100,
    seed: int = 0,
    with_simulation: bool = True,
    with_roster: bool = True,
) -> StaffingPlan:
    """The staffing plan of `hall` for the week of `week` (any day of it; the plan starts on its
    Monday), from the tickets before that Monday (or before `today`, for a week to come).

    with_simulation / with_roster: skip the simulation or the roster (applying a plan needs
    neither). StaffingUnavailable when the hall has no windows."""
    monday = week_monday(week)
    windows = windows_of(hall)
    if not windows:
        raise StaffingUnavailable(_("The hall has no windows."))
    history_end = min(monday, today)  # exclusive
    history_first = history_end - timedelta(days=7 * history_weeks)
    # A hall with a shorter history starts on the Monday of its first ticket (weeks without any
    # would look like a steep trend).
    first_ticket = (
        Ticket.objects.filter(
            hall_id=hall.pk, service_day__gte=history_first, service_day__lt=history_end
        )
        .order_by("service_day")
        .values_list("service_day", flat=True)
        .first()
    )
    if first_ticket is not None:
        history_first = min(week_monday(first_ticket), history_end - timedelta(days=7))
    last_day = monday + timedelta(days=6)
    calendar = _plan_weekdays(hall, history_first, last_day)
    history = arrival_history(hall, history_first, history_end - timedelta(days=1))
    tickets = int(history.sum())
    # Days that ran another weekday's plan (a make-up working day on a Saturday) would blur the
    # weekday profiles: they count as days off, like the days the hall was closed.
    unusual = [
        d
        for d, w in calendar.items()
        if (w is None and d.weekday() < 5) or (w is not None and w != d.weekday())
    ]
    for d in unusual:
        if history_first <= d < history_end:
            history[(d - history_first).days] = 0.0
    closed_weekdays = unusual
    horizon = (last_day - history_end).days + 1
    if tickets:
        predicted = forecast.arrivals(
            history, horizon, start=history_first, holidays=closed_weekdays, level=FORECAST_LEVEL
        )
        mean, lower, upper = (
            a[-7:].copy() for a in (predicted.mean, predicted.lower, predicted.upper)
        )
    else:
        mean, lower, upper = (np.zeros((7, PERIODS)) for _ in range(3))
    dates = [monday + timedelta(days=i) for i in range(7)]
    plan_days = [calendar[d] for d in dates]
    # Half hours in which the hall never had an arrival on that weekday stay empty (the
    # forecast's profile borrows from the other weekdays).
    history_weekday = np.array(
        [(history_first + timedelta(days=d)).weekday() for d in range(history.shape[0])]
    )
    for i, day in enumerate(dates):
        seen = history[history_weekday == day.weekday()].sum(axis=0) > 0
        mean[i], lower[i], upper[i] = mean[i] * seen, lower[i] * seen, upper[i] * seen
    for i, weekday in enumerate(plan_days):
        if weekday is None or weekday == 6:
            mean[i] = lower[i] = upper[i] = 0.0
        elif weekday != dates[i].weekday():  # a make-up day: like the day whose plan it runs
            mean[i], lower[i], upper[i] = mean[weekday], lower[weekday], upper[weekday]
    aht = item_mix_minutes(hall, history_first, history_end - timedelta(days=1))
    required = erlang.required_servers(mean, aht, INTERVAL_MINUTES, target_wait, service_level)

    rows = {shift.name: shift.row for shift in SHIFTS}
    costs = {shift.name: shift.cost for shift in SHIFTS}
    shift_days: dict[str, list[int]] = {}
    for shift in SHIFTS:
        shift_days[shift.name] = [
            i
            for i, weekday in enumerate(plan_days)
            if weekday is not None and (weekday == 5 if shift.saturday else weekday < 5)
        ]
    coverable = np.zeros((7, PERIODS), dtype=bool)
    for shift in SHIFTS:
        for i in shift_days[shift.name]:
            coverable[i] |= rows[shift.name].astype(bool)
    uncovered = np.where(coverable, 0.0, mean)
    need = np.where(coverable, required, 0)
    count = len(windows)
    achievable = np.minimum(need, count)
    for i in range(7):
        usable = [shift.name for shift in SHIFTS if i in shift_days[shift.name]]
        if usable and achievable[i].any():
            achievable[i] = _achievable(achievable[i], [rows[n] for n in usable], count)
    short = need - achievable
    need = achievable
    cover = roster.cover(
        need,
        rows,
        costs,
        shift_days=shift_days,
        max_period_staff=count,
        max_search_seconds=10.0,
    )
    on_duty = cover.coverage.astype(np.int64)
    load = mean / INTERVAL_MINUTES * aht
    level = np.asarray(erlang.service_level(load, on_duty, target_wait, aht), dtype=np.float64)
    level = np.where(mean > 0, level, np.nan)

    day_plans: list[DayPlan] = []
    sim_wait = np.full((7, PERIODS), np.nan)
    sim_level = np.full((7, PERIODS), np.nan)
    for i, day in enumerate(dates):
        shifts = {name: n for name, n in cover.counts[i].items() if n}
        plan = DayPlan(
            day=day, plan_weekday=plan_days[i], arrivals=float(mean[i].sum()), shifts=shifts
        )
        if mean[i].sum() > 0:
            weights = mean[i] / mean[i].sum()
            plan.erlang_service_level = float(np.nansum(np.nan_to_num(level[i]) * weights))
        if with_simulation and mean[i].sum() > 0 and on_duty[i].any():
            simulated = simulate.hall(
                mean[i],
                aht,
                on_duty[i],
                INTERVAL_MINUTES,
                replications=replications,
                seed=seed + i,
            )
            sim_wait[i] = simulated.mean_wait
            sim_level[i] = simulated.service_level(target_wait).estimate
            pooled, low, high = simulated.pooled_mean_wait()
            plan.mean_wait, plan.mean_wait_low, plan.mean_wait_high = pooled, low, high
            in_time = (simulated.served & (simulated.waits <= target_wait)).sum()
            plan.service_level = float(in_time / max(simulated.customers, 1))
        day_plans.append(plan)

    # The weekly session plan: each weekday's shifts on windows; closed weekdays keep theirs.
    current = hall_plans(hall.pk)
    sessions: dict[int, list[dict[str, Any]]] = {w.pk: [] for w in windows}
    kept: list[int] = []
    placement: dict[int, dict[int, str]] = {}
    source: dict[int, int] = {}
    for i, weekday in enumerate(plan_days):
        if weekday is not None and weekday == dates[i].weekday():
            source[weekday] = i
    for i, weekday in enumerate(plan_days):
        if weekday is not None and weekday not in source:
            source[weekday] = i
    for weekday in range(7):
        if weekday not in source or (weekday == 6 and not any(cover.counts[source[6]].values())):
            kept.append(weekday)
            day = monday + timedelta(days=weekday)
            for window in windows:
                sessions[window.pk] += _current_sessions(current, window.pk, day, weekday)
            continue
        placed = _place_shifts(cover.counts[source[weekday]], windows)
        placement[weekday] = placed
        for window_id, name in placed.items():
            sessions[window_id] += [
                {"weekday": weekday, "kind": str(kind), "starts": _clock(a), "ends": _clock(b)}
                for kind, a, b in SHIFT_BY_NAME[name].sessions
            ]

    result = StaffingPlan(
        hall_id=hall.pk,
        hall_name=hall.name,
        week=monday,
        target_wait=float(target_wait),
        service_level=float(service_level),
        aht=round(aht, 2),
        history_days=(history_end - history_first).days,
        history_tickets=tickets,
        windows=count,
        periods=period_labels(),
        days=day_plans,
        mean=mean,
        lower=lower,
        upper=upper,
        required=need.astype(np.int64),
        short=short.astype(np.int64),
        uncovered=uncovered,
        on_duty=on_duty,
        erlang_level=level,
        sim_wait=sim_wait,
        sim_level=sim_level,
        cost=cover.cost,
        sessions=sessions,
        window_numbers={w.pk: w.number for w in windows},
        kept_weekdays=kept,
        placement=placement,
    )
    if with_roster:
        _add_roster(result, hall, cover.counts, rows)
    return result


def _add_roster(
    plan: StaffingPlan, hall: Hall, counts: list[dict[str, int]], rows: dict[str, Any]
) -> None:
    """The point's clerks on the shifts; positions nobody can fill become vacancies."""
    clerks = [str(u) for u in hall.point.staff.filter(is_active=True).order_by("username")]
    hours = {shift.name: shift.hours for shift in SHIFTS}
    needed_hours = sum(hours[name] * n for day in counts for name, n in day.items())
    most_in_a_day = max((sum(day.values()) for day in counts), default=0)
    if not most_in_a_day:
        plan.roster, plan.roster_hours = {}, {}
        return
    positions = max(most_in_a_day, math.ceil(needed_hours / WEEKLY_HOURS))
    vacancies = max(0, positions - len(clerks))
    for _attempt in range(4):
        names = [_("Vacancy %d") % (n + 1) for n in range(vacancies)]
        staff = [roster.StaffMember(name=name, max_hours=WEEKLY_HOURS) for name in clerks + names]
        try:
            assignment = roster.assign(
                staff, counts, rows, period_minutes=INTERVAL_MINUTES, max_search_seconds=10.0
            )
        except roster.RosterInfeasible as exc:
            plan.roster_problem = str(exc)
            vacancies += max(1, positions // 5)
            continue
        worked = Counter(name for name, days in assignment.schedule.items() if any(days))
        plan.roster = {name: days for name, days in assignment.schedule.items() if worked[name]}
        plan.roster_hours = {name: h for name, h in assignment.hours.items() if worked[name]}
        plan.vacancies = [name for name in names if worked[name]]
        plan.roster_problem = ""
        return
    plan.roster = None


# --- presentation helpers ----------------------------------------------------------------------


def shift_sessions_label(name: str) -> str:
    """ "08:00-08:30 early, 08:30-12:00 regular, ..." for a shift."""
    shift = SHIFT_BY_NAME[name]
    return ", ".join(
        f"{_clock(a)}-{_clock(b)} {SessionKind(kind).label}" for kind, a, b in shift.sessions
    )
