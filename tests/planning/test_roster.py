"""Shift counts covering a requirement, and named staff assigned under the working-time rules."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from jiceng.planning import roster

PERIOD = 60  # minutes


def hourly(start: int, end: int, breaks: tuple[int, int] | None = None) -> np.ndarray:
    row = np.zeros(24, dtype=np.int8)
    row[start:end] = 1
    if breaks:
        row[breaks[0] : breaks[1]] = 0
    return row


SHIFTS = {
    "regular": hourly(8, 17, (12, 13)),
    "early tidal": hourly(7, 11),
    "late tidal": hourly(16, 20),
    "noon": hourly(11, 15),
}
COSTS = {"regular": 8.0, "early tidal": 4.5, "late tidal": 4.5, "noon": 4.0}


def test_cover_covers_every_period_at_least_cost() -> None:
    rng = np.random.default_rng(0)
    requirement = np.zeros((3, 24), dtype=int)
    requirement[:, 7:20] = rng.integers(0, 4, (3, 13))
    result = roster.cover(requirement, SHIFTS, COSTS)
    assert result.optimal
    assert (result.coverage >= requirement).all()
    assert (result.surplus >= 0).all()
    # brute force over every combination of counts 0..4 per shift and day
    names = list(SHIFTS)
    matrix = np.array([SHIFTS[n] for n in names])
    best = 0.0
    for day in range(3):
        cheapest = np.inf
        for counts in itertools.product(range(5), repeat=len(names)):
            if (np.array(counts) @ matrix >= requirement[day]).all():
                cheapest = min(
                    cheapest, sum(c * COSTS[n] for c, n in zip(counts, names, strict=True))
                )
        best += cheapest
    assert result.cost == pytest.approx(best)
    assert sum(result.counts[d][n] * COSTS[n] for d in range(3) for n in names) == pytest.approx(
        result.cost
    )


def test_saturday_shift_only_on_saturday() -> None:
    shifts = {"weekday": hourly(9, 17), "saturday": hourly(9, 12)}
    requirement = np.zeros((7, 24), dtype=int)
    requirement[:6, 9:12] = 2
    result = roster.cover(
        requirement, shifts, {"weekday": 8, "saturday": 3}, shift_days={"saturday": [5]}
    )
    assert result.counts[5] == {"weekday": 0, "saturday": 2}
    assert result.counts[0] == {"weekday": 2, "saturday": 0}
    assert result.cost == 5 * 16 + 6


def test_cover_limits_per_period_and_shift() -> None:
    requirement = np.zeros((1, 24), dtype=int)
    requirement[0, 8:12] = 3
    result = roster.cover(requirement, SHIFTS, COSTS, max_shift_staff=2)
    assert max(result.counts[0].values()) <= 2
    assert (result.coverage >= requirement).all()
    with pytest.raises(ValueError, match="max_period_staff"):
        roster.cover(requirement, SHIFTS, COSTS, max_period_staff=2)
    requirement[0, 12] = 3  # only the noon shift works at 12:00
    with pytest.raises(ValueError, match="at most 2 per shift"):
        roster.cover(requirement, SHIFTS, COSTS, max_shift_staff=2)


def test_an_uncovered_period_is_named() -> None:
    requirement = np.zeros((2, 24), dtype=int)
    requirement[1, 22] = 1
    with pytest.raises(ValueError, match=r"no shift covers day 1 \(Tue\) period 22"):
        roster.cover(requirement, SHIFTS, COSTS)


@pytest.mark.parametrize(
    ("requirement", "costs", "message"),
    [
        (np.full((1, 24), -1), COSTS, "requirement"),
        (np.full((1, 23), 1), COSTS, "periods"),
        (np.full((1, 24), 0.5), COSTS, "whole numbers"),
        (np.zeros((1, 24)), {"regular": 1}, "no cost"),
    ],
)
def test_bad_cover_input_names_the_problem(requirement, costs, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        roster.cover(requirement, SHIFTS, costs)


def test_shift_row_from_clock_times() -> None:
    row = roster.shift_row("08:30", "17:00", period_minutes=30, breaks=[("12:00", "13:30")])
    assert row.shape == (48,)
    assert row.sum() == 17 - 3
    assert row[17] == 1 and row[24] == 0 and row[27] == 1 and row[34] == 0
    with pytest.raises(ValueError, match="boundary"):
        roster.shift_row("08:10", "17:00", period_minutes=30)


def check_rules(
    assignment: roster.Assignment,
    staff: list[roster.StaffMember],
    counts: list[dict[str, int]],
    rest_hours: float,
    consecutive: int,
) -> None:
    starts = {n: np.flatnonzero(r)[0] * PERIOD for n, r in SHIFTS.items()}
    ends = {n: (np.flatnonzero(r)[-1] + 1) * PERIOD for n, r in SHIFTS.items()}
    for day, row in enumerate(counts):
        for name, number in row.items():
            assert len(assignment.staff_on(day, name)) == number
    for member in staff:
        days = assignment.schedule[member.name]
        hours = sum(SHIFTS[s].sum() * PERIOD / 60 for s in days if s)
        assert hours == assignment.hours[member.name]
        assert member.min_hours <= hours <= member.max_hours
        for today, tomorrow in itertools.pairwise(days):
            if today and tomorrow:
                assert 1440 - ends[today] + starts[tomorrow] >= rest_hours * 60
        run = 0
        for shift in days:
            run = run + 1 if shift else 0
            assert run <= consecutive
        for day in member.days_off:
            assert days[day] is None


def test_assign_respects_hours_rest_and_consecutive_days() -> None:
    counts = [{"regular": 3, "early tidal": 1, "late tidal": 2, "noon": 1} for _ in range(6)]
    counts.append({"regular": 1})
    staff = [roster.StaffMember(f"clerk {i}", max_hours=40, min_hours=16) for i in range(10)]
    staff[0] = roster.StaffMember("clerk 0", max_hours=40, days_off=frozenset({0, 1}))
    staff[1] = roster.StaffMember("clerk 1", max_hours=24, shifts=frozenset({"noon", "late tidal"}))
    assignment = roster.assign(
        staff, counts, SHIFTS, period_minutes=PERIOD, min_rest_hours=12, max_consecutive_days=5
    )
    check_rules(assignment, staff, counts, 12, 5)
    assert all(shift in {None, "noon", "late tidal"} for shift in assignment.schedule["clerk 1"])


def test_rest_between_shifts_names_the_rule() -> None:
    # one person: late tidal (until 20:00) then early tidal (from 07:00) = 11 h rest
    counts = [{"late tidal": 1}, {"early tidal": 1}]
    staff = [roster.StaffMember("wang")]
    assert roster.assign(staff, counts, SHIFTS, period_minutes=PERIOD, min_rest_hours=11)
    with pytest.raises(roster.RosterInfeasible, match="minimum rest") as caught:
        roster.assign(staff, counts, SHIFTS, period_minutes=PERIOD, min_rest_hours=12)
    assert caught.value.constraint == "rest"
    assert caught.value.unstaffed


def test_consecutive_days_names_the_rule() -> None:
    counts = [{"noon": 1}] * 7
    staff = [roster.StaffMember("li", consecutive_days_before=0)]
    with pytest.raises(ValueError, match="consecutive") as caught:
        roster.assign(staff, counts, SHIFTS, period_minutes=PERIOD, max_consecutive_days=6)
    assert caught.value.constraint == "consecutive"  # type: ignore[attr-defined]
    counts = [{"noon": 1}] * 3
    staff = [roster.StaffMember("li", consecutive_days_before=5)]
    with pytest.raises(ValueError, match="consecutive"):
        roster.assign(staff, counts, SHIFTS, period_minutes=PERIOD, max_consecutive_days=6)


def test_weekly_hours_and_availability_name_the_rule() -> None:
    counts = [{"regular": 1}] * 6
    staff = [roster.StaffMember("zhao", max_hours=40)]
    with pytest.raises(roster.RosterInfeasible, match="maximum weekly hours"):
        roster.assign(staff, counts, SHIFTS, period_minutes=PERIOD)
    staff = [roster.StaffMember("zhao", min_hours=30)]
    with pytest.raises(roster.RosterInfeasible, match="minimum weekly hours"):
        roster.assign(staff, [{"noon": 1}], SHIFTS, period_minutes=PERIOD)
    staff = [roster.StaffMember("zhao", shifts=frozenset({"noon"}))]
    with pytest.raises(roster.RosterInfeasible, match="skills and days off") as caught:
        roster.assign(staff, [{"regular": 1}], SHIFTS, period_minutes=PERIOD)
    assert caught.value.constraint == "availability"
    assert caught.value.unstaffed == [(0, "regular", 1)]


def test_bad_assign_input() -> None:
    with pytest.raises(ValueError, match="not a shift"):
        roster.assign([roster.StaffMember("a")], [{"night": 1}], SHIFTS, period_minutes=PERIOD)
    with pytest.raises(ValueError, match="unique"):
        roster.assign(
            [roster.StaffMember("a"), roster.StaffMember("a")], [{}], SHIFTS, period_minutes=PERIOD
        )


def test_fractional_relaxation_falls_back_to_the_integer_program() -> None:
    # shifts {0,1}, {1,2}, {0,2}: the relaxation takes half of each (cost 1.5); whole people cost 2
    shifts = {"a": [1, 1, 0], "b": [0, 1, 1], "c": [1, 0, 1]}
    result = roster.cover([[1, 1, 1]], shifts, {"a": 1, "b": 1, "c": 1})
    assert result.cost == 2.0 and result.optimal
    assert (result.coverage >= 1).all()


def test_a_day_without_usable_shifts_and_without_requirement() -> None:
    shifts = {"saturday": hourly(9, 12)}
    requirement = np.zeros((7, 24), dtype=int)
    requirement[5, 9:12] = 1
    result = roster.cover(requirement, shifts, {"saturday": 3}, shift_days={"saturday": [5]})
    assert result.cost == 3 and result.counts[5] == {"saturday": 1}
