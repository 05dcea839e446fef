"""Simulation of a hall day: a first-come-first-served queue in front of a changing set of windows.

Arrivals are a Poisson process whose rate is constant within each interval (the expected
arrivals of the interval spread evenly over it). The number of open windows changes at interval
boundaries; a window that closes finishes the customer it is serving, and windows are numbered,
so the ones that close are the highest-numbered and an arriving customer takes the lowest-numbered
free window. After the last interval nobody new arrives and the windows of the last interval that
had any open stay open until everyone is served. Customers may give up (exponential patience) and
service times are exponential or lognormal with the same mean.

All replications run side by side: the k-th customer of every replication is placed in one numpy
step, so a thousand replications cost little more than one.

Confidence intervals are t-based over replications: a per-interval mean is the ratio of the
replications' totals (waits over customers), with the delta method's variance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from jiceng.planning.validation import (
    fraction,
    nonnegative_array,
    nonnegative_number,
    positive_number,
)

FloatArray = NDArray[np.float64]

__all__ = ["HallSimulation", "IntervalEstimate", "hall"]


@dataclass(frozen=True)
class IntervalEstimate:
    """An estimate per interval with its confidence interval (NaN where no customer arrived)."""

    estimate: FloatArray
    low: FloatArray
    high: FloatArray
    confidence: float


def _ratio_estimate(
    totals: FloatArray, counts: FloatArray, confidence: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Ratio sum(totals)/sum(counts) over replications (axis 0) with a t-based interval."""
    replications = totals.shape[0]
    count_sum = counts.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        estimate = totals.sum(axis=0) / count_sum
        if replications < 2:
            nan = np.full(estimate.shape, np.nan)
            return estimate, nan, nan
        residual = totals - estimate * counts
        variance = (residual**2).sum(axis=0) / (replications - 1)
        mean_count = count_sum / replications
        half = (
            stats.t.ppf(0.5 + confidence / 2, replications - 1)
            * np.sqrt(variance / replications)
            / mean_count
        )
    return estimate, estimate - half, estimate + half


@dataclass(frozen=True)
class HallSimulation:
    """The customers of every replication: when they arrived, waited, and whether they were served.

    customers: customers simulated over all replications.
    mean_wait: mean wait (minutes) of the customers arriving in each interval, those who gave up
        counting the time until they left; mean_wait_low/high: its confidence interval.
    abandoned: share of the customers arriving in each interval who gave up.
    """

    customers: int
    replications: int
    interval: float
    confidence: float
    mean_wait: FloatArray
    mean_wait_low: FloatArray
    mean_wait_high: FloatArray
    abandoned: FloatArray
    arrivals_per_interval: FloatArray
    """Simulated customers per interval, averaged over replications."""
    waits: FloatArray
    """Wait of every customer: (customers of the largest replication, replications), NaN pads."""
    served: NDArray[np.bool_]
    """Whether each customer was served (False for those who gave up, and for padding)."""
    interval_index: NDArray[np.int64]
    """Interval of each customer's arrival (-1 for padding)."""

    @property
    def mean_wait_ci(self) -> tuple[FloatArray, FloatArray]:
        """The confidence interval of `mean_wait`, (low, high)."""
        return self.mean_wait_low, self.mean_wait_high

    def _per_replication(self, values: NDArray[np.float64]) -> tuple[FloatArray, FloatArray]:
        intervals = self.mean_wait.shape[0]
        valid = self.interval_index >= 0
        keys = self.interval_index + intervals * np.arange(self.replications)[None, :]
        size = intervals * self.replications
        totals = np.bincount(keys[valid], weights=values[valid], minlength=size).astype(np.float64)
        counts = np.bincount(keys[valid], minlength=size).astype(np.float64)
        shape = (self.replications, intervals)
        return totals.reshape(shape), counts.reshape(shape)

    def service_level(self, target_wait: float) -> IntervalEstimate:
        """Share of each interval's arrivals served within `target_wait` minutes, with its CI."""
        limit = nonnegative_number("target_wait", target_wait)
        in_time = (self.served & (self.waits <= limit)).astype(np.float64)
        totals, counts = self._per_replication(in_time)
        estimate, low, high = _ratio_estimate(totals, counts, self.confidence)
        return IntervalEstimate(estimate, low, high, self.confidence)

    def pooled_mean_wait(
        self, first_interval: int = 0, last_interval: int | None = None
    ) -> tuple[float, float, float]:
        """Mean wait of the customers arriving in intervals first..last (inclusive; default the
        whole day): (estimate, low, high)."""
        last = self.mean_wait.shape[0] - 1 if last_interval is None else last_interval
        chosen = (self.interval_index >= first_interval) & (self.interval_index <= last)
        values = np.where(chosen, self.waits, 0.0)
        totals = values.sum(axis=0)[:, None]
        counts = chosen.sum(axis=0).astype(np.float64)[:, None]
        estimate, low, high = _ratio_estimate(totals, counts, self.confidence)
        return float(estimate[0]), float(low[0]), float(high[0])


def _slot_opening_table(servers: NDArray[np.int64], interval: float) -> FloatArray:
    """For interval i (the last row: after the day) and window j, the earliest time >= the start
    of interval i at which window j is open, or -inf where it is open during interval i itself."""
    after = servers[np.flatnonzero(servers)[-1]] if servers.any() else 0
    schedule = np.append(servers, after)
    slots = int(schedule.max())
    is_open = schedule[:, None] > np.arange(slots)[None, :]
    rows = schedule.shape[0]
    table = np.full((rows, slots), np.inf)
    following = np.full(slots, np.inf)
    for i in range(rows - 1, -1, -1):
        following = np.where(is_open[i], i * interval, following)
        table[i] = following
    table[is_open] = -np.inf
    return table


def _arrival_times(
    rng: np.random.Generator, arrivals: FloatArray, interval: float, replications: int
) -> FloatArray:
    """Arrival times (minutes) of a piecewise-constant-rate Poisson process, one column per
    replication, sorted, padded with +inf; by inverting the cumulative rate of unit-rate points."""
    cumulative = np.concatenate(([0.0], np.cumsum(arrivals)))
    knots = np.arange(cumulative.shape[0]) * interval
    total = cumulative[-1]
    if total == 0:
        return np.full((0, replications), np.inf)
    capacity = int(total + 6.0 * math.sqrt(total) + 16)
    points = np.cumsum(rng.standard_exponential((capacity, replications)), axis=0)
    while (points[-1] < total).any():  # rare: a replication needs more points
        extra = points[-1] + np.cumsum(rng.standard_exponential((capacity, replications)), axis=0)
        points = np.concatenate((points, extra))
    last = int(np.max(np.sum(points < total, axis=0)))
    points = points[:last]
    times = np.interp(points, cumulative, knots)
    return np.where(points < total, times, np.inf)


def hall(
    arrivals: ArrayLike,
    aht: float,
    servers: ArrayLike,
    interval: float,
    *,
    replications: int = 100,
    seed: int = 0,
    patience: float | None = None,
    service: Literal["exponential", "lognormal"] = "exponential",
    cv: float = 1.0,
    confidence: float = 0.95,
) -> HallSimulation:
    """Simulate a hall day `replications` times.

    arrivals: expected arrivals per interval (1-D). servers: open windows per interval (1-D
        whole numbers, same length). aht: mean service time, minutes. interval: minutes.
    patience: mean minutes a waiting customer stays before giving up (exponential); None: never.
    service: "exponential", or "lognormal" with mean `aht` and coefficient of variation `cv`.
    confidence: level of the t-based intervals over replications.
    """
    counts = nonnegative_array("arrivals", arrivals)
    windows = nonnegative_array("servers", servers)
    if counts.ndim != 1:
        raise ValueError(f"arrivals must be one row of intervals, not shape {counts.shape}")
    if windows.shape != counts.shape:
        raise ValueError(
            f"arrivals and servers must have the same shape, not {counts.shape} and {windows.shape}"
        )
    if (windows != np.floor(windows)).any():
        raise ValueError("servers must be whole numbers")
    mean_service = positive_number("aht", aht)
    length = positive_number("interval", interval)
    if int(replications) < 1:
        raise ValueError(f"replications must be at least 1, not {replications!r}")
    replications = int(replications)
    level = fraction("confidence", confidence, allow_one=False)
    if service not in ("exponential", "lognormal"):
        raise ValueError(f"service must be 'exponential' or 'lognormal', not {service!r}")
    spread = positive_number("cv", cv)
    mean_patience = None if patience is None else positive_number("patience", patience)
    schedule = windows.astype(np.int64)
    if counts.sum() > 0 and not schedule.any():
        raise ValueError("servers: no window is ever open, so nobody would be served")

    rng = np.random.default_rng(seed)
    times = _arrival_times(rng, counts, length, replications)
    steps = times.shape[0]
    valid = np.isfinite(times)
    last_interval = counts.shape[0] - 1
    with np.errstate(invalid="ignore"):
        index = np.where(valid, np.minimum(times // length, last_interval), -1).astype(np.int64)
    if service == "exponential":
        durations = rng.exponential(mean_service, (steps, replications))
    else:
        sigma2 = math.log1p(spread * spread)
        mu = math.log(mean_service) - sigma2 / 2
        durations = rng.lognormal(mu, math.sqrt(sigma2), (steps, replications))
    if mean_patience is not None:
        patiences = rng.exponential(mean_patience, (steps, replications))
    waits = np.full((steps, replications), np.nan)
    served = np.zeros((steps, replications), dtype=bool)

    if steps:
        table = _slot_opening_table(schedule, length)
        _place_customers(
            times,
            index,
            durations,
            patiences if mean_patience else None,
            table,
            length,
            waits,
            served,
        )

    intervals = counts.shape[0]
    keys = index + intervals * np.arange(replications)[None, :]
    size = intervals * replications
    shape = (replications, intervals)
    wait_totals: FloatArray = (
        np.bincount(keys[valid], weights=waits[valid], minlength=size)
        .astype(np.float64)
        .reshape(shape)
    )
    customer_counts = np.bincount(keys[valid], minlength=size).astype(np.float64).reshape(shape)
    gave_up = np.bincount(keys[valid], weights=(~served[valid]).astype(np.float64), minlength=size)
    mean, low, high = _ratio_estimate(wait_totals, customer_counts, level)
    with np.errstate(invalid="ignore", divide="ignore"):
        abandoned = gave_up.reshape(shape).sum(axis=0) / customer_counts.sum(axis=0)
    return HallSimulation(
        customers=int(valid.sum()),
        replications=replications,
        interval=length,
        confidence=level,
        mean_wait=mean,
        mean_wait_low=low,
        mean_wait_high=high,
        abandoned=abandoned,
        arrivals_per_interval=customer_counts.mean(axis=0),
        waits=waits,
        served=served,
        interval_index=index,
    )


def _place_customers(
    times: FloatArray,
    index: NDArray[np.int64],
    durations: FloatArray,
    patiences: FloatArray | None,
    table: FloatArray,
    interval: float,
    waits: FloatArray,
    served: NDArray[np.bool_],
) -> None:
    """The first-come-first-served recursion, customer k of every replication at once.

    free[r, j] is the earliest time window j of replication r can start a service (always a
    time at which it is open). Customer k starts at the earliest of max(free[r, j], the first
    time >= arrival at which window j is open), on the lowest-numbered window achieving it.
    Those who would wait longer than their patience leave without taking a window.
    """
    steps, replications = times.shape
    slots = table.shape[1]
    last_row = table.shape[0] - 1
    always_open = bool(np.isneginf(table).all())
    free = np.zeros((replications, slots))
    if not always_open:
        free = np.maximum(free, table[0][None, :])
    rows = np.arange(replications)
    safe_index = np.where(index >= 0, index, last_row)
    for k in range(steps):
        arrival = times[k]
        if always_open:
            candidate = np.maximum(free, arrival[:, None])
        else:
            candidate = np.maximum(np.maximum(free, table[safe_index[k]]), arrival[:, None])
        window = np.argmin(candidate, axis=1)
        start = candidate[rows, window]
        with np.errstate(invalid="ignore"):
            wait = start - arrival
        finite = np.isfinite(start)
        take = finite
        if patiences is not None:
            patience = patiences[k]
            take = finite & (wait <= patience)
            wait = np.where(take, wait, patience)
        waits[k] = np.where(np.isfinite(arrival), wait, np.nan)
        served[k] = take
        end = start + durations[k]
        if not always_open:
            with np.errstate(invalid="ignore"):
                row = np.minimum(end // interval, last_row)
            row = np.where(take, row, last_row).astype(np.int64)
            end = np.maximum(end, table[row, window])
        free[rows, window] = np.where(take, end, free[rows, window])
