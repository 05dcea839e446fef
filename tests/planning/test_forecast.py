"""Arrival forecasts from a synthetic ticket history whose effects are known."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from jiceng.planning import forecast

START = dt.date(2025, 1, 6)  # a Monday
PERIODS = 20  # 08:00-18:00 in half hours
WEEKDAY = np.array([1.3, 1.0, 0.95, 0.95, 1.1, 0.5, 0.0])  # closed on Sundays
HOLIDAYS = frozenset(
    {dt.date(2025, 1, 28) + dt.timedelta(days=i) for i in range(8)}
    | {dt.date(2025, 4, 4), dt.date(2025, 5, 1), dt.date(2025, 5, 2), dt.date(2025, 6, 2)}
)


def intraday() -> np.ndarray:
    t = np.arange(PERIODS)
    shape = np.exp(-(((t - 4) / 3) ** 2)) + 0.8 * np.exp(-(((t - 13) / 3) ** 2)) + 0.1
    return shape / shape.sum()


def daily_mean(day: dt.date, index: int) -> float:
    if day in HOLIDAYS:
        return 0.0
    month_start = 1.4 if day.day <= 3 else 1.0
    return 300.0 * WEEKDAY[day.weekday()] * (1 + 0.3 * index / 365) * month_start


def history(days: int, seed: int = 0, day_noise: float = 30.0) -> np.ndarray:
    """Poisson counts around the known effects, each day scaled by a gamma factor (mean 1,
    shape `day_noise`) for the day-to-day variation real halls have."""
    rng = np.random.default_rng(seed)
    rows = []
    for index in range(days):
        day = START + dt.timedelta(days=index)
        factor = rng.gamma(day_noise, 1 / day_noise)
        rows.append(rng.poisson(daily_mean(day, index) * intraday() * factor))
    return np.array(rows, dtype=float)


def test_forecast_recovers_the_effects() -> None:
    counts = history(26 * 7, day_noise=1000.0)
    result = forecast.arrivals(counts, 14, start=START, holidays=HOLIDAYS | {dt.date(2025, 7, 8)})
    assert result.dates[0] == START + dt.timedelta(days=26 * 7)
    assert result.mean.shape == (14, PERIODS)
    for k, day in enumerate(result.dates):
        expected = daily_mean(day, 26 * 7 + k)
        if day == dt.date(2025, 7, 8):
            assert result.mean[k].sum() == pytest.approx(0.0, abs=1e-6)
        elif expected == 0:
            assert result.mean[k].sum() == 0.0
        else:
            assert result.mean[k].sum() == pytest.approx(expected, rel=0.05)
    busy = result.mean.sum(axis=1) > 0
    shares = result.mean[busy] / result.mean[busy].sum(axis=1, keepdims=True)
    assert np.abs(shares - intraday()).max() < 0.015  # sampling noise of ~25 Saturdays
    assert (result.lower <= result.mean + 1e-9).all() and (result.upper >= result.mean - 1).all()


def test_intervals_of_uncertainty_cover_what_happens() -> None:
    counts = history(30 * 7, seed=1)
    train, test = counts[:-14], counts[-14:]
    result = forecast.arrivals(train, 14, start=START, holidays=HOLIDAYS, level=0.8)
    open_cells = result.mean > 0
    hits = (test >= result.lower) & (test <= result.upper)
    assert 0.72 <= hits[open_cells].mean() <= 0.95


def test_backtest_beats_the_seasonal_naive_baseline() -> None:
    counts = history(26 * 7, seed=2)
    result = forecast.backtest(counts, start=START, horizon=7, origins=8, holidays=HOLIDAYS)
    assert result.origins == 8
    assert result.model.wape < result.baseline.wape
    assert result.model.mae < result.baseline.mae
    assert 0 < result.model.mape < 1


def test_forecast_errors() -> None:
    errors = forecast.forecast_errors([[0.0, 10.0, 20.0]], [[1.0, 12.0, 15.0]])
    assert errors.mae == pytest.approx(8 / 3)
    assert errors.wape == pytest.approx(8 / 30)
    assert errors.mape == pytest.approx((0.2 + 0.25) / 2)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: forecast.arrivals(np.ones((3, 4)), 7, start=START), "at least 7 days"),
        (lambda: forecast.arrivals(-np.ones((14, 4)), 7, start=START), "history"),
        (lambda: forecast.arrivals(np.ones((14, 4)), 0, start=START), "horizon"),
        (lambda: forecast.arrivals(np.ones((14, 4)), 7, start=START, level=1.0), "level"),
        (lambda: forecast.backtest(np.ones((20, 4)), start=START, origins=2), "too short"),
        (lambda: forecast.forecast_errors([1.0], [1.0, 2.0]), "same shape"),
    ],
)
def test_bad_input_names_the_problem(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()
