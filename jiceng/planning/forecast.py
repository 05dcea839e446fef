"""Forecasting a hall's arrivals per interval from its ticket history.

The model is multiplicative. A day's total is a Poisson regression (log link) on the weekday, a
trend, the first days of the month (when contributions and benefits fall due), and the first open
day after a holiday (the backlog); holidays scale the day by a factor estimated from the history
(or 0 — closed — when the history has none). The day is spread over its intervals by the weekday's
profile of the history. Weekdays without any arrivals in the history (a hall closed on Sundays)
stay at 0. Intervals of uncertainty are negative binomial quantiles, with the over-dispersion
estimated from the history.

`backtest` replays the model from rolling origins and reports its errors next to a seasonal-naive
baseline (the same weekday and interval one week earlier).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from jiceng.planning.validation import fraction, nonnegative_array

FloatArray = NDArray[np.float64]

__all__ = ["ArrivalForecast", "Backtest", "Errors", "arrivals", "backtest", "forecast_errors"]


@dataclass(frozen=True)
class ArrivalForecast:
    """Expected arrivals per day (row) and interval (column), with an interval of uncertainty."""

    dates: list[dt.date]
    mean: FloatArray
    lower: FloatArray
    upper: FloatArray
    level: float


@dataclass(frozen=True)
class Errors:
    """Forecast errors per interval: mean absolute error, weighted absolute percentage error
    (sum |error| / sum actual), and mean absolute percentage error over intervals with arrivals."""

    mae: float
    wape: float
    mape: float


@dataclass(frozen=True)
class Backtest:
    """Errors of the model and of the seasonal-naive baseline over the same rolling origins."""

    model: Errors
    baseline: Errors
    origins: int
    horizon: int


@dataclass(frozen=True)
class _Fit:
    coefficients: FloatArray
    open_weekdays: NDArray[np.bool_]
    profile: FloatArray  # 7 × periods, rows sum to 1 (0 for closed weekdays)
    holiday_factor: float
    dispersion: float
    origin: dt.date
    scale: float


def _calendar(
    first: dt.date, days: int, holidays: frozenset[dt.date], month_start_days: int
) -> tuple[
    list[dt.date], NDArray[np.int64], NDArray[np.bool_], NDArray[np.bool_], NDArray[np.bool_]
]:
    dates = [first + dt.timedelta(days=d) for d in range(days)]
    weekday = np.array([d.weekday() for d in dates], dtype=np.int64)
    holiday = np.array([d in holidays for d in dates], dtype=bool)
    month_start = np.array([d.day <= month_start_days for d in dates], dtype=bool)
    after = np.array(
        [(d - dt.timedelta(days=1)) in holidays and d not in holidays for d in dates], dtype=bool
    )
    return dates, weekday, holiday, month_start, after


def _design(
    weekday: NDArray[np.int64],
    time_index: FloatArray,
    month_start: NDArray[np.bool_],
    after: NDArray[np.bool_],
) -> FloatArray:
    columns = [(weekday == w).astype(np.float64) for w in range(7)]
    columns += [time_index, month_start.astype(np.float64), after.astype(np.float64)]
    return np.stack(columns, axis=1)


def _poisson_regression(
    design: FloatArray, counts: FloatArray, active: NDArray[np.bool_]
) -> FloatArray:
    """Poisson regression with a log link by iteratively reweighted least squares (small ridge)."""
    x = design[:, active]
    beta: NDArray[np.floating[Any]] = np.zeros(x.shape[1])
    mean_count = max(float(counts.mean()), 1e-9)
    weekday_columns = np.flatnonzero(active[:7])
    beta[: weekday_columns.size] = np.log(mean_count)
    ridge = 1e-6 * np.eye(x.shape[1])
    for _ in range(50):
        eta = np.clip(x @ beta, -30, 30)
        mu = np.exp(eta)
        z = eta + (counts - mu) / mu
        weighted = x * mu[:, None]
        updated = np.linalg.solve(x.T @ weighted + ridge, weighted.T @ z)
        if np.max(np.abs(updated - beta)) < 1e-8:
            beta = updated
            break
        beta = updated
    full = np.zeros(design.shape[1])
    full[active] = beta
    return full


def _fit(
    history: FloatArray,
    first: dt.date,
    holidays: frozenset[dt.date],
    month_start_days: int,
    trend: bool,
    holiday_factor: float | None,
) -> _Fit:
    days, periods = history.shape
    _, weekday, holiday, month_start, after = _calendar(first, days, holidays, month_start_days)
    totals = history.sum(axis=1)
    regular = ~holiday
    open_weekdays = np.array(
        [bool((totals[(weekday == w) & regular] > 0).any()) for w in range(7)], dtype=bool
    )
    fitted_days = regular & open_weekdays[weekday]
    scale = 365.0
    time_index = np.arange(days) / scale
    design = _design(weekday, time_index, month_start, after)
    active = np.concatenate([open_weekdays, [trend, True, True]])
    # a feature without variation among the fitted days cannot be estimated
    for column in (7, 8, 9):
        values = design[fitted_days, column]
        if values.size == 0 or values.min() == values.max():
            active[column] = False
    if fitted_days.any():
        coefficients = _poisson_regression(design[fitted_days], totals[fitted_days], active)
    else:
        coefficients = np.zeros(design.shape[1])
    expected = np.exp(design @ coefficients) * open_weekdays[weekday]
    if holiday_factor is None:
        on_holidays = holiday & open_weekdays[weekday]
        predicted = expected[on_holidays].sum()
        holiday_factor = float(totals[on_holidays].sum() / predicted) if predicted > 0 else 0.0
    overall = history[fitted_days].sum(axis=0)
    overall = overall / overall.sum() if overall.sum() > 0 else np.full(periods, 1.0 / periods)
    profile = np.zeros((7, periods))
    for w in range(7):
        if not open_weekdays[w]:
            continue
        chosen = fitted_days & (weekday == w)
        summed = history[chosen].sum(axis=0)
        weight = float(chosen.sum())
        share = summed / summed.sum() if summed.sum() > 0 else overall
        profile[w] = (weight * share + 2.0 * overall) / (weight + 2.0)
    day_mean = expected * np.where(holiday, holiday_factor, 1.0)
    cell_mean = day_mean[:, None] * profile[weekday]
    mask = cell_mean > 0
    denominator = float((cell_mean[mask] ** 2).sum())
    dispersion = 0.0
    if denominator > 0:
        excess = float((((history - cell_mean) ** 2 - cell_mean)[mask]).sum())
        dispersion = max(excess / denominator, 0.0)
    return _Fit(coefficients, open_weekdays, profile, holiday_factor, dispersion, first, scale)


def _predict(
    fit: _Fit, first: dt.date, days: int, holidays: frozenset[dt.date], month_start_days: int
) -> tuple[list[dt.date], FloatArray]:
    dates, weekday, holiday, month_start, after = _calendar(first, days, holidays, month_start_days)
    offset = (first - fit.origin).days
    time_index = (np.arange(days) + offset) / fit.scale
    design = _design(weekday, time_index, month_start, after)
    day_mean = np.exp(np.clip(design @ fit.coefficients, -50, 50))
    day_mean = day_mean * fit.open_weekdays[weekday] * np.where(holiday, fit.holiday_factor, 1.0)
    return dates, day_mean[:, None] * fit.profile[weekday]


def _quantiles(mean: FloatArray, dispersion: float, level: float) -> tuple[FloatArray, FloatArray]:
    low_q, high_q = (1.0 - level) / 2.0, (1.0 + level) / 2.0
    if dispersion < 1e-9:
        return stats.poisson.ppf(low_q, mean), stats.poisson.ppf(high_q, mean)
    size = 1.0 / dispersion
    probability = size / (size + mean)
    return stats.nbinom.ppf(low_q, size, probability), stats.nbinom.ppf(high_q, size, probability)


def _history(history: ArrayLike) -> FloatArray:
    counts = nonnegative_array("history", history)
    if counts.ndim != 2 or counts.shape[0] < 7:
        raise ValueError(
            f"history must be days × intervals with at least 7 days, not shape {counts.shape}"
        )
    return counts


def arrivals(
    history: ArrayLike,
    horizon: int,
    *,
    start: dt.date,
    holidays: Iterable[dt.date] = (),
    month_start_days: int = 3,
    trend: bool = True,
    level: float = 0.8,
    holiday_factor: float | None = None,
) -> ArrivalForecast:
    """Forecast arrivals for the `horizon` days after the history.

    history: arrivals per day (rows, consecutive days from `start`) and interval (columns).
    holidays: dates (in the history and the horizon) on which the hall keeps holiday hours.
    month_start_days: days 1..n of a month get their own effect. trend: fit a log-linear trend.
    level: coverage of the interval of uncertainty (0.8: the 10% and 90% quantiles).
    holiday_factor: a holiday's arrivals relative to a normal day; None estimates it from the
    history's holidays (0 when it has none: closed).
    """
    counts = _history(history)
    if int(horizon) != horizon or horizon < 1:
        raise ValueError(f"horizon must be a whole number of days of at least 1, not {horizon!r}")
    coverage = fraction("level", level, allow_one=False)
    closed = frozenset(holidays)
    fit = _fit(counts, start, closed, month_start_days, trend, holiday_factor)
    first = start + dt.timedelta(days=counts.shape[0])
    dates, mean = _predict(fit, first, int(horizon), closed, month_start_days)
    lower, upper = _quantiles(mean, fit.dispersion, coverage)
    return ArrivalForecast(dates=dates, mean=mean, lower=lower, upper=upper, level=coverage)


def forecast_errors(actual: ArrayLike, predicted: ArrayLike) -> Errors:
    """MAE, WAPE and MAPE (over cells with arrivals) of a forecast against what happened."""
    truth = np.asarray(actual, dtype=np.float64)
    guess = np.asarray(predicted, dtype=np.float64)
    if truth.shape != guess.shape:
        raise ValueError(
            f"actual and predicted must have the same shape, not {truth.shape} and {guess.shape}"
        )
    error = np.abs(truth - guess)
    total = truth.sum()
    busy = truth > 0
    return Errors(
        mae=float(error.mean()),
        wape=float(error.sum() / total) if total > 0 else float("nan"),
        mape=float((error[busy] / truth[busy]).mean()) if busy.any() else float("nan"),
    )


def backtest(
    history: ArrayLike,
    *,
    start: dt.date,
    horizon: int = 7,
    origins: int = 4,
    holidays: Iterable[dt.date] = (),
    month_start_days: int = 3,
    trend: bool = True,
    holiday_factor: float | None = None,
) -> Backtest:
    """Rolling-origin backtest: for each of the last `origins` blocks of `horizon` days, fit on
    everything before it and forecast it; compare with the seasonal-naive forecast (each day's
    intervals as they were seven days earlier)."""
    counts = _history(history)
    if int(horizon) != horizon or horizon < 1 or int(origins) != origins or origins < 1:
        raise ValueError("horizon and origins must be whole numbers of at least 1")
    days = counts.shape[0]
    if days - origins * horizon < 14:
        raise ValueError(
            f"history of {days} days is too short for {origins} origins of {horizon} days "
            "(at least 14 days must precede the first origin)"
        )
    closed = frozenset(holidays)
    actual, ours, naive = [], [], []
    for block in range(origins):
        cut = days - (origins - block) * horizon
        fit = _fit(counts[:cut], start, closed, month_start_days, trend, holiday_factor)
        first = start + dt.timedelta(days=cut)
        _, mean = _predict(fit, first, horizon, closed, month_start_days)
        last_week = counts[cut - 7 : cut]
        repeated = np.concatenate([last_week] * (horizon // 7 + 1))[:horizon]
        actual.append(counts[cut : cut + horizon])
        ours.append(mean)
        naive.append(repeated)
    truth = np.concatenate(actual)
    return Backtest(
        model=forecast_errors(truth, np.concatenate(ours)),
        baseline=forecast_errors(truth, np.concatenate(naive)),
        origins=int(origins),
        horizon=int(horizon),
    )
