"""Rosters: how many people on which shift each day, then who works which shift.

Two steps, both integer programs solved by HiGHS (scipy.optimize.milp):

1. `cover`: shift types (regular, early and late tidal sessions, noon, Saturday, ...) given as
   0/1 rows over the periods of a day, each with a cost, and a requirement of windows per day and
   period; find the cheapest number of people per shift and day that covers every period.
2. `assign`: named staff to those shifts over the week, with each person's weekly hours, the
   minimum rest between the end of one shift and the start of the next, the maximum number of
   consecutive working days, the shifts each person can work and their days off. Hours are spread
   as evenly as the constraints allow (in proportion to each person's maximum hours).

When no roster exists, the error names what cannot be staffed and the rule that prevents it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from jiceng.planning.validation import nonnegative_array, positive_number

__all__ = [
    "Assignment",
    "Cover",
    "RosterInfeasible",
    "StaffMember",
    "assign",
    "cover",
    "shift_row",
]

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class RosterInfeasible(ValueError):
    """No roster satisfies the rules; `constraint` names the rule, `unstaffed` what is missing."""

    def __init__(self, message: str, *, constraint: str, unstaffed: Sequence[tuple[int, str, int]]):
        super().__init__(message)
        self.constraint = constraint
        self.unstaffed = list(unstaffed)


def _day_name(day: int) -> str:
    return f"day {day} ({DAY_NAMES[day % 7]})"


def shift_row(
    start: str,
    end: str,
    *,
    period_minutes: int = 15,
    day_start: str = "00:00",
    periods: int | None = None,
    breaks: Iterable[tuple[str, str]] = (),
) -> NDArray[np.int8]:
    """A shift as a 0/1 row over the periods of a day, from clock times "HH:MM" (end exclusive).

    day_start: the clock time of the first period; periods: how many (default: to midnight).
    breaks: unpaid breaks inside the shift, e.g. [("12:00", "13:30")] for a noon break.
    """

    def minutes(clock: str) -> int:
        hours, mins = clock.split(":")
        return int(hours) * 60 + int(mins)

    origin = minutes(day_start)
    count = (1440 - origin) // period_minutes if periods is None else periods

    def period(clock: str) -> int:
        offset = minutes(clock) - origin
        if offset % period_minutes:
            raise ValueError(f"{clock} is not on a {period_minutes}-minute period boundary")
        return offset // period_minutes

    row = np.zeros(count, dtype=np.int8)
    first, last = period(start), period(end)
    if not 0 <= first < last <= count:
        raise ValueError(f"shift {start}-{end} must start before it ends, within the day")
    row[first:last] = 1
    for break_start, break_end in breaks:
        row[max(period(break_start), 0) : period(break_end)] = 0
    return row


# ------------------------------------------------------------------------------------ cover


@dataclass(frozen=True)
class Cover:
    """The cheapest shift counts: counts[day][shift] people, coverage[day, period] on duty."""

    cost: float
    counts: list[dict[str, int]]
    coverage: NDArray[np.int64]
    requirement: NDArray[np.int64]
    optimal: bool

    @property
    def surplus(self) -> NDArray[np.int64]:
        """People on duty beyond the requirement, per day and period."""
        return self.coverage - self.requirement


def _shift_matrix(
    shifts: Mapping[str, ArrayLike], periods: int
) -> tuple[list[str], NDArray[np.float64]]:
    names = list(shifts)
    if not names:
        raise ValueError("shifts: at least one shift is needed")
    rows = []
    for name in names:
        row = np.asarray(shifts[name], dtype=np.float64)
        if row.shape != (periods,):
            raise ValueError(
                f"shift {name!r} has {row.shape[0] if row.ndim == 1 else row.shape} periods, "
                f"the requirement has {periods}"
            )
        if not np.isin(row, (0.0, 1.0)).all():
            raise ValueError(f"shift {name!r} must be 0/1 per period")
        rows.append(row)
    return names, np.array(rows).T  # periods × shifts


def cover(
    requirement: ArrayLike,
    shifts: Mapping[str, ArrayLike],
    costs: Mapping[str, float],
    *,
    max_search_seconds: float | None = None,
    shift_days: Mapping[str, Iterable[int]] | None = None,
    max_period_staff: int | None = None,
    max_shift_staff: int | None = None,
) -> Cover:
    """The cheapest number of people per shift and day covering the requirement.

    requirement: days × periods, people needed (whole numbers). shifts: {name: 0/1 per period}.
    costs: {name: cost of one person on that shift for a day}. shift_days: {name: days it may be
    used} (e.g. a Saturday session only on day 5); shifts not named there may be used any day.
    max_period_staff: at most this many on duty in any period; max_shift_staff: at most this many
    on one shift in one day. max_search_seconds: time budget (the best roster found so far is
    returned, with optimal=False, if it runs out).

    ValueError names the periods that no shift can cover.
    """
    need = nonnegative_array("requirement", requirement)
    if need.ndim == 1:
        need = need[None, :]
    if need.ndim != 2:
        raise ValueError(f"requirement must be days × periods, not shape {need.shape}")
    if (need != np.floor(need)).any():
        raise ValueError("requirement must be whole numbers of people")
    days, periods = need.shape
    names, matrix = _shift_matrix(shifts, periods)
    missing = [name for name in names if name not in costs]
    if missing:
        raise ValueError(f"costs: no cost for shift {', '.join(map(repr, missing))}")
    unknown = [name for name in costs if name not in shifts]
    if unknown:
        raise ValueError(f"costs: {', '.join(map(repr, unknown))} is not a shift")
    price = np.array([float(costs[name]) for name in names])
    if not np.isfinite(price).all() or (price < 0).any():
        raise ValueError("costs must be finite numbers of at least 0")
    allowed = np.ones((days, len(names)), dtype=bool)
    for name, chosen in (shift_days or {}).items():
        if name not in shifts:
            raise ValueError(f"shift_days: {name!r} is not a shift")
        allowed[:, names.index(name)] = False
        for day in chosen:
            if 0 <= day < days:
                allowed[day, names.index(name)] = True

    uncovered = [
        (day, period)
        for day in range(days)
        for period in np.flatnonzero(need[day] > 0)
        if not (matrix[period] * allowed[day]).any()
    ]
    if uncovered:
        listed = ", ".join(f"{_day_name(d)} period {p}" for d, p in uncovered[:10])
        more = f" and {len(uncovered) - 10} more" if len(uncovered) > 10 else ""
        raise ValueError(f"requirement: no shift covers {listed}{more}")
    if max_period_staff is not None:
        over = np.argwhere(need > max_period_staff)
        if over.size:
            d, p = over[0]
            raise ValueError(
                f"requirement: {_day_name(int(d))} period {int(p)} needs {int(need[d, p])}, "
                f"more than max_period_staff={max_period_staff}"
            )

    deadline = None if max_search_seconds is None else time.monotonic() + max_search_seconds
    # Days with the same requirement and shifts are solved once. All distinct days go to one
    # linear program first: with shifts that are unbroken runs of periods its optimum is whole
    # (an interval matrix is totally unimodular), and then it is the integer optimum too. Days
    # whose relaxed answer is fractional are solved as integer programs.
    distinct: dict[bytes, int] = {}
    day_block = np.zeros(days, dtype=np.int64)
    blocks: list[_DayModel] = []
    for day in range(days):
        key = need[day].tobytes() + allowed[day].tobytes()
        if key not in distinct:
            distinct[key] = len(blocks)
            blocks.append(_DayModel.build(need[day], matrix, allowed[day], max_period_staff, day))
        day_block[day] = distinct[key]
    answers = _relaxed_days(blocks, price, max_shift_staff, deadline)
    optimal = True
    for index, block in enumerate(blocks):
        answer = answers[index] if answers is not None else None
        fractional = answer is not None and bool((np.abs(answer - np.round(answer)) > 1e-6).any())
        if answer is None or fractional:
            answer, block_optimal = _cover_day(block, price, deadline, max_shift_staff)
            optimal &= block_optimal
        block.answer = np.round(answer).astype(np.int64)
    counts = np.zeros((days, len(names)), dtype=np.int64)
    for day in range(days):
        block = blocks[day_block[day]]
        counts[day, block.usable] = block.answer
    coverage = counts @ matrix.T.astype(np.int64)
    return Cover(
        cost=float((counts * price).sum()),
        counts=[{name: int(counts[d, s]) for s, name in enumerate(names)} for d in range(days)],
        coverage=coverage,
        requirement=need.astype(np.int64),
        optimal=optimal,
    )


@dataclass
class _DayModel:
    """One day's covering constraints over the shifts usable that day."""

    day: int
    usable: NDArray[np.int64]
    constraints: list[LinearConstraint]
    answer: NDArray[np.int64] | None = None

    @staticmethod
    def build(
        need: NDArray[np.float64],
        matrix: NDArray[np.float64],
        allowed: NDArray[np.bool_],
        max_period_staff: int | None,
        day: int,
    ) -> _DayModel:
        usable = np.flatnonzero(allowed)
        rows = np.flatnonzero(need > 0)
        upper = np.inf if max_period_staff is None else float(max_period_staff)
        constraints = []
        if rows.size:
            # periods with the same shifts on duty need only their largest requirement
            patterns, inverse = np.unique(matrix[np.ix_(rows, usable)], axis=0, return_inverse=True)
            largest = np.zeros(patterns.shape[0])
            np.maximum.at(largest, inverse.ravel(), need[rows])
            constraints.append(LinearConstraint(sparse.csr_array(patterns), largest, upper))
        if max_period_staff is not None:
            quiet = np.flatnonzero(need == 0)
            if quiet.size:
                constraints.append(
                    LinearConstraint(sparse.csr_array(matrix[np.ix_(quiet, usable)]), 0, upper)
                )
        return _DayModel(day, usable, constraints)


def _relaxed_days(
    blocks: list[_DayModel],
    price: NDArray[np.float64],
    max_shift_staff: int | None,
    deadline: float | None,
) -> list[NDArray[np.float64] | None] | None:
    """The linear relaxation of all days at once (None if it has no solution)."""
    offsets = np.cumsum([0] + [block.usable.size for block in blocks])
    matrices, lower, upper = [], [], []
    for index, block in enumerate(blocks):
        for constraint in block.constraints:
            width = offsets[-1]
            placed = sparse.hstack(
                [
                    sparse.csr_array((constraint.A.shape[0], int(offsets[index]))),
                    sparse.csr_array(constraint.A),
                    sparse.csr_array((constraint.A.shape[0], int(width - offsets[index + 1]))),
                ],
                format="csr",
            )
            matrices.append(placed)
            lower.append(np.broadcast_to(constraint.lb, constraint.A.shape[0]))
            upper.append(np.broadcast_to(constraint.ub, constraint.A.shape[0]))
    if not matrices:
        return [np.zeros(block.usable.size) for block in blocks]
    objective = np.concatenate([price[block.usable] for block in blocks])
    bound = np.inf if max_shift_staff is None else float(max_shift_staff)
    options: dict[str, float | bool] = {}
    if deadline is not None:
        options["time_limit"] = max(deadline - time.monotonic(), 0.01)
    outcome = milp(
        objective,
        bounds=Bounds(0, bound),
        constraints=LinearConstraint(
            sparse.vstack(matrices, format="csr"), np.concatenate(lower), np.concatenate(upper)
        ),
        options=options,
    )
    if outcome.status != 0 or outcome.x is None:
        return None
    return [outcome.x[offsets[i] : offsets[i + 1]] for i in range(len(blocks))]


def _cover_day(
    block: _DayModel,
    price: NDArray[np.float64],
    deadline: float | None,
    max_shift_staff: int | None,
) -> tuple[NDArray[np.float64], bool]:
    if not block.constraints:
        return np.zeros(block.usable.size), True
    bound = np.inf if max_shift_staff is None else float(max_shift_staff)
    options: dict[str, float | bool] = {"mip_rel_gap": 0.0}
    if deadline is not None:
        options["time_limit"] = max(deadline - time.monotonic(), 0.01)
    outcome = milp(
        price[block.usable],
        integrality=np.ones(block.usable.size),
        bounds=Bounds(0, bound),
        constraints=block.constraints,
        options=options,
    )
    if outcome.x is None:
        reason = "" if max_shift_staff is None else f" with at most {max_shift_staff} per shift"
        raise ValueError(f"requirement: {_day_name(block.day)} cannot be covered{reason}")
    return outcome.x, outcome.status == 0


# ----------------------------------------------------------------------------------- assign


@dataclass(frozen=True)
class StaffMember:
    """A person who can be rostered.

    max_hours/min_hours: weekly hours. shifts: the shifts they can work (None: all).
    days_off: days they cannot work. consecutive_days_before: days worked in a row just before
    the first day (counts towards the maximum consecutive days).
    """

    name: str
    max_hours: float = 40.0
    min_hours: float = 0.0
    shifts: frozenset[str] | None = None
    days_off: frozenset[int] = field(default_factory=frozenset)
    consecutive_days_before: int = 0


@dataclass(frozen=True)
class Assignment:
    """Who works what: schedule[name][day] is a shift name or None (day off)."""

    schedule: dict[str, list[str | None]]
    hours: dict[str, float]
    optimal: bool

    def staff_on(self, day: int, shift: str) -> list[str]:
        """The names of the people working `shift` on `day`."""
        return [name for name, days in self.schedule.items() if days[day] == shift]


@dataclass(frozen=True)
class _ShiftTimes:
    start: NDArray[np.float64]  # minutes from the day's start
    end: NDArray[np.float64]
    hours: NDArray[np.float64]


def _shift_times(
    names: list[str], shifts: Mapping[str, ArrayLike], period_minutes: float
) -> _ShiftTimes:
    start, end, hours = [], [], []
    for name in names:
        row = np.asarray(shifts[name])
        worked = np.flatnonzero(row)
        if worked.size == 0:
            raise ValueError(f"shift {name!r} covers no period")
        start.append(worked[0] * period_minutes)
        end.append((worked[-1] + 1) * period_minutes)
        hours.append(worked.size * period_minutes / 60.0)
    return _ShiftTimes(np.array(start), np.array(end), np.array(hours))


_RULES = ("rest", "consecutive", "max_hours", "min_hours")
_RULE_NAMES = {
    "rest": "the minimum rest between shifts",
    "consecutive": "the maximum consecutive working days",
    "max_hours": "the maximum weekly hours",
    "min_hours": "the minimum weekly hours",
    "availability": "who can work which shift and day (skills and days off)",
}


def assign(
    staff: Sequence[StaffMember],
    counts: Sequence[Mapping[str, int]],
    shifts: Mapping[str, ArrayLike],
    *,
    period_minutes: float,
    min_rest_hours: float = 11.0,
    max_consecutive_days: int = 6,
    max_search_seconds: float | None = 10.0,
) -> Assignment:
    """Assign named staff to the shifts: counts[day][shift] people on each shift and day.

    Each person works at most one shift a day, between their min and max weekly hours, with at
    least `min_rest_hours` from the end of a shift to the start of the next day's, and at most
    `max_consecutive_days` working days in a row. Among the rosters that do, the one returned
    spreads hours in proportion to each person's max_hours (least total deviation).

    RosterInfeasible (a ValueError) names the rule that makes it impossible and the shifts left
    unstaffed.
    """
    if not staff:
        raise ValueError("staff: nobody to roster")
    names = [member.name for member in staff]
    if len(set(names)) != len(names):
        raise ValueError("staff: names must be unique")
    shift_names = list(shifts)
    for day, row in enumerate(counts):
        for name, number in row.items():
            if name not in shifts:
                raise ValueError(f"counts: day {day} names {name!r}, which is not a shift")
            if number < 0 or int(number) != number:
                raise ValueError(f"counts: day {day} {name!r} must be a whole number >= 0")
    for member in staff:
        if member.shifts is not None and not set(member.shifts) <= set(shifts):
            raise ValueError(f"staff: {member.name} can work unknown shifts")
    if max_consecutive_days < 1:
        raise ValueError("max_consecutive_days must be at least 1")
    minutes = positive_number("period_minutes", period_minutes)
    times = _shift_times(shift_names, shifts, minutes)
    days = len(counts)
    need = np.array(
        [[int(row.get(name, 0)) for name in shift_names] for row in counts], dtype=np.int64
    ).reshape(days, len(shift_names))
    model = _AssignmentModel(staff, shift_names, need, times, min_rest_hours, max_consecutive_days)
    deadline = None if max_search_seconds is None else time.monotonic() + max_search_seconds
    solution, missing = model.solve(frozenset(), deadline)
    if missing:
        rules = _diagnose(model, deadline)
        raise RosterInfeasible(
            _infeasible_message(missing, rules, min_rest_hours, max_consecutive_days),
            constraint="+".join(rules),
            unstaffed=missing,
        )
    assert solution is not None
    return solution


def _infeasible_message(
    missing: list[tuple[int, str, int]], rules: tuple[str, ...], rest: float, consecutive: int
) -> str:
    shifts = [(day, name, number) for day, name, number in missing if day >= 0]
    people = [name for day, name, _ in missing if day < 0]
    parts = []
    if shifts:
        listed = ", ".join(
            f"{_day_name(day)} {name!r} ({number} short)" for day, name, number in shifts[:8]
        )
        more = f" and {len(shifts) - 8} more" if len(shifts) > 8 else ""
        parts.append(f"staffs {listed}{more}")
    if people:
        parts.append(f"gives {', '.join(people)} their minimum weekly hours")
    detail = {"rest": f" ({rest:g} h)", "consecutive": f" ({consecutive} days)"}
    broken = " together with ".join(_RULE_NAMES[rule] + detail.get(rule, "") for rule in rules)
    return f"no roster {' or '.join(parts)}: it would break {broken}"


def _diagnose(model: _AssignmentModel, deadline: float | None) -> tuple[str, ...]:
    """The rule (or the pair of rules) whose relaxation makes a roster possible; ('availability',)
    when relaxing every rule still leaves something unstaffed."""
    for rule in _RULES:
        _, missing = model.solve(frozenset({rule}), deadline, feasibility_only=True)
        if not missing:
            return (rule,)
    _, missing = model.solve(frozenset(_RULES), deadline, feasibility_only=True)
    if missing:
        return ("availability",)
    for i, first in enumerate(_RULES):
        for second in _RULES[i + 1 :]:
            _, missing = model.solve(frozenset({first, second}), deadline, feasibility_only=True)
            if not missing:
                return (first, second)
    return _RULES


class _AssignmentModel:
    """Binary x[person, day, shift] for the combinations the person may work."""

    def __init__(
        self,
        staff: Sequence[StaffMember],
        shift_names: list[str],
        need: NDArray[np.int64],
        times: _ShiftTimes,
        min_rest_hours: float,
        max_consecutive_days: int,
    ) -> None:
        self.staff = list(staff)
        self.shift_names = shift_names
        self.need = need
        self.times = times
        self.max_consecutive_days = max_consecutive_days
        days, count = need.shape
        index: dict[tuple[int, int, int], int] = {}
        for p, member in enumerate(staff):
            can = (
                np.ones(count, dtype=bool)
                if member.shifts is None
                else np.array([name in member.shifts for name in shift_names])
            )
            for d in range(days):
                if d in member.days_off:
                    continue
                for s in np.flatnonzero(can & (need[d] > 0)):
                    index[(p, d, int(s))] = len(index)
        self.index = index
        # Shifts s (day d) and t (day d+1) are too close when the rest between them is short.
        gap = 1440.0 - times.end[:, None] + times.start[None, :]
        self.too_close = gap < min_rest_hours * 60.0

    def solve(
        self, relaxed: frozenset[str], deadline: float | None, *, feasibility_only: bool = False
    ) -> tuple[Assignment | None, list[tuple[int, str, int]]]:
        days, count = self.need.shape
        people = len(self.staff)
        n_x = len(self.index)
        demand = [(d, s) for d in range(days) for s in range(count) if self.need[d, s] > 0]
        n_short = len(demand)
        # variables: x (n_x), shortfall per (day, shift) (n_short), hours over/under the fair
        # share beyond a band of one longest shift per person (2 people), hours below the minimum
        # per person (people), deviation within the band per person (people)
        n_vars = n_x + n_short + 4 * people
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        lower: list[float] = []
        upper: list[float] = []

        def add_row(entries: list[tuple[int, float]], low: float, high: float) -> None:
            r = len(lower)
            for c, v in entries:
                rows.append(r)
                cols.append(c)
                vals.append(v)
            lower.append(low)
            upper.append(high)

        by_day_shift: dict[tuple[int, int], list[int]] = {}
        by_person_day: dict[tuple[int, int], list[tuple[int, int]]] = {}
        for (p, d, s), i in self.index.items():
            by_day_shift.setdefault((d, s), []).append(i)
            by_person_day.setdefault((p, d), []).append((s, i))
        for k, (d, s) in enumerate(demand):
            entries = [(i, 1.0) for i in by_day_shift.get((d, s), [])]
            entries.append((n_x + k, 1.0))
            add_row(entries, float(self.need[d, s]), float(self.need[d, s]))
        for (_p, _d), items in by_person_day.items():
            if len(items) > 1:
                add_row([(i, 1.0) for _, i in items], 0.0, 1.0)
        hours = self.times.hours
        total_hours = float(sum(hours[s] * self.need[d, s] for d, s in demand))
        capacity = sum(member.max_hours for member in self.staff)
        over0, under0 = n_x + n_short, n_x + n_short + people
        below0, band0 = n_x + n_short + 2 * people, n_x + n_short + 3 * people
        band = float(hours.max())
        for p, member in enumerate(self.staff):
            worked = [(i, hours[s]) for d in range(days) for s, i in by_person_day.get((p, d), [])]
            if "max_hours" not in relaxed:
                add_row(worked, 0.0, member.max_hours)
            if "min_hours" not in relaxed and member.min_hours > 0:
                add_row([*worked, (below0 + p, 1.0)], member.min_hours, np.inf)
            target = total_hours * member.max_hours / capacity if capacity > 0 else 0.0
            add_row(
                [*worked, (over0 + p, -1.0), (under0 + p, 1.0), (band0 + p, -1.0)], target, target
            )
        if "rest" not in relaxed:
            for p in range(people):
                for d in range(days - 1):
                    today = by_person_day.get((p, d), [])
                    tomorrow = by_person_day.get((p, d + 1), [])
                    for s, i in today:
                        clash = [(j, 1.0) for t, j in tomorrow if self.too_close[s, t]]
                        if clash:
                            add_row([(i, 1.0), *clash], 0.0, 1.0)
        if "consecutive" not in relaxed:
            limit = self.max_consecutive_days
            for p, member in enumerate(self.staff):
                before = min(member.consecutive_days_before, limit)
                # windows of limit+1 days, including the days worked before the first day
                for first in range(-before, days - limit):
                    window = range(max(first, 0), first + limit + 1)
                    carried = float(max(0, -first))
                    entries = [(i, 1.0) for d in window for _, i in by_person_day.get((p, d), [])]
                    if len(entries) + carried > limit:
                        add_row(entries, 0.0, limit - carried)

        shortage_weight = 1000.0 * (1.0 + max((m.max_hours for m in self.staff), default=1.0))
        objective = np.zeros(n_vars)
        objective[n_x : n_x + n_short] = shortage_weight
        objective[below0 : below0 + people] = shortage_weight / 10.0
        if not feasibility_only:
            objective[over0 : over0 + 2 * people] = 1.0
        integrality = np.zeros(n_vars)
        integrality[:n_x] = 1
        upper_bounds = np.full(n_vars, np.inf)
        upper_bounds[:n_x] = 1.0
        lower_bounds = np.zeros(n_vars)
        lower_bounds[band0 : band0 + people] = -band
        upper_bounds[band0 : band0 + people] = band
        matrix = sparse.csr_array((vals, (rows, cols)), shape=(len(lower), n_vars))
        options: dict[str, float | bool] = {"mip_rel_gap": 0.0}
        if deadline is not None:
            options["time_limit"] = max(deadline - time.monotonic(), 0.05)
        outcome = milp(
            objective,
            integrality=integrality,
            bounds=Bounds(lower_bounds, upper_bounds),
            constraints=LinearConstraint(matrix, np.array(lower), np.array(upper)),
            options=options,
        )
        if outcome.x is None:
            raise ValueError(f"assign: the solver found no roster in time ({outcome.message})")
        x = outcome.x
        shortfall = np.round(x[n_x : n_x + n_short]).astype(int)
        missing = [
            (d, self.shift_names[s], int(number))
            for (d, s), number in zip(demand, shortfall, strict=True)
            if number > 0
        ]
        below = x[below0 : below0 + people]
        for p in np.flatnonzero(below > 1e-6).tolist():
            missing.append((-1, self.staff[p].name, math.ceil(below[p])))
        if missing:
            return None, missing
        schedule: dict[str, list[str | None]] = {m.name: [None] * days for m in self.staff}
        worked_hours = {m.name: 0.0 for m in self.staff}
        for (p, d, s), i in self.index.items():
            if x[i] > 0.5:
                name = self.staff[p].name
                schedule[name][d] = self.shift_names[s]
                worked_hours[name] += float(hours[s])
        return Assignment(schedule, worked_hours, outcome.status == 0), []
