"""The critical path method: forwards from a start, backwards from a deadline, on working days."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from jiceng.planning.schedule import ScheduleError, cpm

# a(3) -> b(2) -> d(1); a(3) -> c(4, lag 1) -> d: checked by hand.
TASKS = [
    {"id": "a", "duration": 3},
    {"id": "b", "duration": 2, "after": ["a"]},
    {"id": "c", "duration": 4, "after": ["a"], "lag": 1},
    {"id": "d", "duration": 1, "after": ["b", "c"]},
]


def test_the_forward_and_backward_passes_match_a_hand_checked_example() -> None:
    result = cpm(TASKS)
    # a: 0..2; c may start on 3+1=4, runs 4..7; b 3..4; d starts on 8.
    assert result["a"] == {
        "early_start": 0, "early_finish": 2, "late_start": 0, "late_finish": 2,
        "float": 0, "critical": True,
    }  # fmt: skip
    assert (result["c"]["early_start"], result["c"]["early_finish"]) == (4, 7)
    assert (result["b"]["late_start"], result["b"]["late_finish"], result["b"]["float"]) == (
        6,
        7,
        3,
    )
    assert result["d"]["early_start"] == 8 and result["d"]["critical"]
    assert [t for t, v in result.items() if v["critical"]] == ["a", "c", "d"]
    assert result.feasible and result.finish == 8


def test_a_deadline_gives_float_and_one_too_early_gives_negative_float() -> None:
    later = cpm(TASKS, deadline=12)
    assert later["d"]["late_start"] == 12 and later["a"]["float"] == 4 and later.feasible
    early = cpm(TASKS, deadline=5)
    assert early["a"]["late_start"] == -3 and early["a"]["float"] == -3
    assert not early.feasible
    assert all(early[t]["critical"] for t in "acd") and not early["b"]["critical"]


def test_dates_follow_the_working_days_given() -> None:
    # January 2026 without weekends, and without Friday 9 January (a holiday for the test).
    days = [date(2026, 1, 1) + timedelta(i) for i in range(60)]
    workdays = [d for d in days if d.weekday() < 5 and d != date(2026, 1, 9)]
    result = cpm(TASKS, start=date(2026, 1, 3), deadline=date(2026, 1, 31), workdays=workdays)
    # Saturday the 3rd -> first working day Monday the 5th; a runs 5-7; c may start on the
    # second working day after a (8th + lag 1, the 9th is off) = the 12th, runs 12-15.
    assert result["a"]["early_start"] == date(2026, 1, 5)
    assert result["c"]["early_start"] == date(2026, 1, 12)
    assert result["c"]["early_finish"] == date(2026, 1, 15)
    # Saturday the 31st -> the deadline is Friday the 30th.
    assert result.deadline == date(2026, 1, 30)
    assert result["d"]["late_start"] == date(2026, 1, 30)


def test_a_done_task_fixes_its_dates_and_its_followers_run_from_it() -> None:
    tasks = [{**TASKS[0], "done": 1}, *TASKS[1:]]
    result = cpm(tasks, start=5)
    assert result["a"]["early_finish"] == 1
    assert result["b"]["early_start"] == 5  # never before the start
    assert result["c"]["early_start"] == 5


@pytest.mark.parametrize(
    ("tasks", "named", "words"),
    [
        ([{"id": "a", "duration": 1, "after": ["b"]}, {"id": "b", "duration": 1, "after": ["a"]}],
         "a", "cycle"),
        ([{"id": "a", "duration": 1, "after": ["zz"]}], "a", "'zz'"),
        ([{"id": "a", "duration": -1}], "a", "negative duration"),
        ([{"id": "a", "duration": 1}, {"id": "a", "duration": 2}], "a", "duplicate"),
    ],
)  # fmt: skip
def test_bad_input_raises_an_error_naming_the_task(tasks, named, words) -> None:
    with pytest.raises(ScheduleError, match=words) as caught:
        cpm(tasks)
    assert caught.value.task == named


def test_a_cycle_is_named_in_order() -> None:
    tasks = [
        {"id": "x", "duration": 1},
        {"id": "p", "duration": 1, "after": ["x", "r"]},
        {"id": "q", "duration": 1, "after": ["p"]},
        {"id": "r", "duration": 1, "after": ["q"]},
    ]
    with pytest.raises(ScheduleError) as caught:
        cpm(tasks)
    assert sorted(caught.value.cycle) == ["p", "q", "r"]
    assert "'p'" in str(caught.value) and "'x'" not in str(caught.value)


def test_a_random_network_agrees_with_a_plain_longest_path() -> None:
    import random

    rng = random.Random(3)
    n = 2000
    tasks = [{"id": i, "duration": rng.randint(0, 6), "after": []} for i in range(n)]
    for _ in range(6000):
        a, b = sorted(rng.sample(range(n), 2))
        tasks[b]["after"].append(a)
    result = cpm(tasks)
    early = [0] * n
    for i in range(n):
        for p in tasks[i]["after"]:
            early[i] = max(early[i], early[p] + tasks[p]["duration"])
    assert [result[i]["early_start"] for i in range(n)] == early
    assert all(v["float"] >= 0 for v in result.values())
