"""The hall simulation against Erlang C/A in stationary cases; its handling of changing windows."""

from __future__ import annotations

import numpy as np
import pytest

from jiceng.planning import erlang, simulate

INTERVAL = 30.0


def stationary(rate: float, servers: int, intervals: int = 40):
    return np.full(intervals, rate * INTERVAL), np.full(intervals, servers)


def test_stationary_waits_agree_with_erlang_c() -> None:
    arrivals, servers = stationary(1.6, 9)  # load 8 erlangs on 9 windows
    result = simulate.hall(arrivals, 5.0, servers, INTERVAL, replications=300, seed=1)
    expected = erlang.average_wait(8.0, 9, 5.0)
    _, low, high = result.pooled_mean_wait(first_interval=8)
    assert low <= expected <= high
    inside = (result.mean_wait_low[8:] <= expected) & (expected <= result.mean_wait_high[8:])
    assert inside.mean() >= 0.8  # 95% intervals, one per interval
    level = result.service_level(2.0)
    target = erlang.service_level(8.0, 9, 2.0, 5.0)
    assert np.nanmean(level.estimate[8:]) == pytest.approx(target, abs=0.02)
    assert result.customers == int(np.isfinite(result.waits).sum())
    assert result.customers == pytest.approx(300 * arrivals.sum(), rel=0.01)


def test_abandonment_agrees_with_erlang_a() -> None:
    arrivals, servers = stationary(2.0, 9)  # load 10 on 9 windows: only abandonment keeps it stable
    result = simulate.hall(arrivals, 5.0, servers, INTERVAL, replications=200, seed=2, patience=4.0)
    exact = erlang.erlang_a(10.0, 9, 5.0, 4.0, 1.0)
    _, low, high = result.pooled_mean_wait(first_interval=8)
    assert low <= exact.average_wait <= high
    assert np.mean(result.abandoned[8:]) == pytest.approx(exact.abandon_probability, abs=0.01)
    level = result.service_level(1.0)
    assert np.nanmean(level.estimate[8:]) == pytest.approx(exact.service_level, abs=0.015)


def test_lognormal_service_keeps_the_mean_and_waits_less_when_less_variable() -> None:
    arrivals, servers = stationary(1.6, 9, intervals=20)
    exponential = simulate.hall(arrivals, 5.0, servers, INTERVAL, replications=150, seed=3)
    steady = simulate.hall(
        arrivals, 5.0, servers, INTERVAL, replications=150, seed=3, service="lognormal", cv=0.3
    )
    # Allen-Cunneen: waits scale by about (1 + cv^2) / 2 = 0.545
    assert steady.pooled_mean_wait()[0] < 0.7 * exponential.pooled_mean_wait()[0]


def test_a_closing_window_finishes_its_customer_and_the_queue_waits_for_the_next_opening() -> None:
    # window 0 open in intervals 0 and 2, window 1 only in interval 0; three customers
    table = simulate._slot_opening_table(np.array([2, 0, 1]), INTERVAL)
    times = np.array([[0.0], [5.0], [10.0], [70.0]])
    durations = np.array([[40.0], [10.0], [5.0], [1.0]])
    index = np.array([[0], [0], [0], [2]])
    waits = np.full((4, 1), np.nan)
    served = np.zeros((4, 1), dtype=bool)
    simulate._place_customers(times, index, durations, None, table, INTERVAL, waits, served)
    # 0: window 0 at 0 until 40 (past closing at 30); 1: window 1 at 5 until 15;
    # 2: window 1 at 15 (still open) until 20; 3: window 0 reopened at 60, free at 70
    np.testing.assert_allclose(waits[:, 0], [0.0, 0.0, 5.0, 0.0])
    times = np.array([[0.0], [5.0], [25.0]])
    durations = np.array([[40.0], [30.0], [1.0]])
    waits = np.full((3, 1), np.nan)
    served = np.zeros((3, 1), dtype=bool)
    simulate._place_customers(times, index[:3], durations, None, table, INTERVAL, waits, served)
    # both windows busy past closing; the third customer waits for the reopening at 60
    np.testing.assert_allclose(waits[:, 0], [0.0, 0.0, 35.0])
    assert served.all()


def test_the_queue_after_closing_time_is_served() -> None:
    arrivals = np.array([60.0, 60.0, 0.0])
    servers = np.array([1, 1, 0])  # overloaded; after the day the last open window stays
    result = simulate.hall(arrivals, 2.0, servers, INTERVAL, replications=20, seed=5)
    assert np.isfinite(result.mean_wait[:2]).all()
    assert result.served[np.isfinite(result.waits)].all()


def test_more_windows_mean_shorter_waits_per_interval() -> None:
    arrivals = np.array([20.0, 60.0, 90.0, 60.0, 20.0])
    few = simulate.hall(arrivals, 4.0, np.array([3, 6, 8, 6, 3]), INTERVAL, replications=200)
    many = simulate.hall(arrivals, 4.0, np.array([3, 9, 14, 9, 3]), INTERVAL, replications=200)
    assert (many.mean_wait[1:4] < few.mean_wait[1:4]).all()
    assert few.arrivals_per_interval == pytest.approx(arrivals, rel=0.1)


def test_same_seed_same_result() -> None:
    arrivals = np.array([10.0, 30.0])
    first = simulate.hall(arrivals, 3.0, np.array([2, 3]), INTERVAL, replications=10, seed=9)
    second = simulate.hall(arrivals, 3.0, np.array([2, 3]), INTERVAL, replications=10, seed=9)
    np.testing.assert_array_equal(first.waits, second.waits)


@pytest.mark.parametrize(
    ("arrivals", "servers", "message"),
    [
        ([10.0, -1.0], [2, 2], "arrivals"),
        ([10.0, 5.0], [2, 2, 2], "same shape"),
        ([10.0], [1.5], "whole numbers"),
        ([10.0], [0], "no window"),
        ([[10.0]], [[1]], "one row"),
    ],
)
def test_bad_input_names_the_problem(arrivals: list, servers: list, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        simulate.hall(np.array(arrivals), 3.0, np.array(servers), INTERVAL, replications=2)


def test_bad_options_are_refused() -> None:
    with pytest.raises(ValueError, match="service"):
        simulate.hall([1.0], 3.0, [1], INTERVAL, service="gamma")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="replications"):
        simulate.hall([1.0], 3.0, [1], INTERVAL, replications=0)
    with pytest.raises(ValueError, match="patience"):
        simulate.hall([1.0], 3.0, [1], INTERVAL, patience=-2.0)
