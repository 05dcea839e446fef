"""Erlang B, C and A: waiting, service level and staffing of a hall's windows.

All functions take the offered load in erlangs (arrival rate × mean handling time, both in
minutes) and a number of servers (open windows), and broadcast over numpy arrays, so one call
answers every interval of a week. Nothing here uses factorials: Erlang B comes from the
regularised incomplete gamma function (the Poisson distribution's tail) in log space, so the
formulas stay finite and accurate for thousands of servers.

Erlang C is the M/M/c queue (customers wait as long as it takes). Erlang A is the M/M/c+M queue
of Palm: customers give up after an exponential patience with the given mean. Its measures are
the exact closed forms through incomplete gamma functions (Mandelbaum & Zeltyn's A(x, y)).

Conventions:
- `service_level(..., target_wait, ...)` is the share of arriving customers whose service
  starts within `target_wait` minutes. With abandonment, a customer who gives up counts as not
  served in time, whenever they give up.
- `average_wait` is the mean time in the queue over all arrivals (those served at once count 0;
  those who give up count the time until they leave).
- `required_servers` is the fewest servers per interval meeting the service level (and the
  occupancy ceiling, when given); an interval with no arrivals needs 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from jiceng.planning.validation import (
    fraction,
    nonnegative_array,
    nonnegative_number,
    positive_number,
)

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

__all__ = [
    "ErlangA",
    "average_wait",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "occupancy",
    "required_servers",
    "service_level",
    "wait_probability",
]


def _scalar_or_array(value: FloatArray) -> FloatArray | float:
    return float(value) if value.ndim == 0 else value


def _servers_array(servers: ArrayLike) -> FloatArray:
    array = np.asarray(servers, dtype=np.float64)
    if not np.isfinite(array).all() or (array < 0).any() or (array != np.floor(array)).any():
        raise ValueError("servers must be whole numbers of at least 0")
    return array


def _blocking_odds(load: FloatArray, servers: FloatArray) -> FloatArray:
    """F = 1/B - 1 for Erlang B's blocking probability B (so B = 1 / (1 + F)).

    F = P(Poisson(load) <= servers - 1) / P(Poisson(load) = servers), evaluated in log space.
    """
    load, servers = np.broadcast_arrays(load, servers)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        log_tail = np.log(special.gammaincc(servers, load))
        log_point = servers * np.log(load) - load - special.gammaln(servers + 1)
        odds = np.exp(log_tail - log_point)
    odds = np.where(servers == 0, 0.0, odds)
    return np.where((load == 0) & (servers > 0), np.inf, odds)


def erlang_b(load: ArrayLike, servers: ArrayLike) -> FloatArray | float:
    """Blocking probability of the M/M/c/c loss system (Erlang B)."""
    a = nonnegative_array("load", load)
    n = _servers_array(servers)
    return _scalar_or_array(1.0 / (1.0 + _blocking_odds(a, n)))


def _erlang_c(a: FloatArray, n: FloatArray) -> FloatArray:
    odds = _blocking_odds(a, n)
    with np.errstate(invalid="ignore", divide="ignore"):
        stable = n / (n + odds * (n - a))
    probability = np.where(n > a, stable, 1.0)
    return np.where(a == 0, 0.0, probability)


def erlang_c(load: ArrayLike, servers: ArrayLike) -> FloatArray | float:
    """Probability that an arrival waits in the M/M/c queue (Erlang C); 1 when servers <= load."""
    return _scalar_or_array(_erlang_c(nonnegative_array("load", load), _servers_array(servers)))


wait_probability = erlang_c


def service_level(
    load: ArrayLike, servers: ArrayLike, target_wait: ArrayLike, aht: ArrayLike
) -> FloatArray | float:
    """P(wait <= target_wait) in the M/M/c queue; 0 when servers <= load (the queue grows)."""
    a = nonnegative_array("load", load)
    n = _servers_array(servers)
    t = nonnegative_array("target_wait", target_wait)
    h = nonnegative_array("aht", aht)
    if (h == 0).any():
        raise ValueError("aht must be greater than 0")
    with np.errstate(invalid="ignore", over="ignore"):
        level = 1.0 - _erlang_c(a, n) * np.exp(-(n - a) * t / h)
    level = np.where(n > a, np.maximum(level, 0.0), 0.0)
    return _scalar_or_array(np.where(a == 0, 1.0, level))


def average_wait(load: ArrayLike, servers: ArrayLike, aht: ArrayLike) -> FloatArray | float:
    """Mean wait in the queue (minutes) of the M/M/c queue; infinite when servers <= load."""
    a = nonnegative_array("load", load)
    n = _servers_array(servers)
    h = nonnegative_array("aht", aht)
    with np.errstate(invalid="ignore", divide="ignore"):
        wait = _erlang_c(a, n) * h / (n - a)
    wait = np.where(n > a, wait, np.inf)
    return _scalar_or_array(np.where(a == 0, 0.0, wait))


def occupancy(load: ArrayLike, servers: ArrayLike) -> FloatArray | float:
    """Share of the servers' time spent serving, load / servers (at most 1)."""
    a = nonnegative_array("load", load)
    n = _servers_array(servers)
    with np.errstate(invalid="ignore", divide="ignore"):
        busy = np.minimum(a / n, 1.0)
    return _scalar_or_array(np.where(a == 0, 0.0, busy))


# ---------------------------------------------------------------------------------- Erlang A


def _log_kummer_sum(x: FloatArray, z: FloatArray) -> FloatArray:
    """log S(x, z), S = sum_{j>=0} z^j / ((x+1)(x+2)...(x+j)) = Gamma(x+1) e^z z^-x P(x, z).

    P is the regularised lower incomplete gamma function. Where P underflows (z far below x)
    the series itself converges geometrically and is summed directly.
    """
    x, z = np.broadcast_arrays(np.asarray(x, dtype=np.float64), np.asarray(z, dtype=np.float64))
    result = np.zeros(x.shape)
    with np.errstate(divide="ignore", invalid="ignore", under="ignore"):
        lower = special.gammainc(x, z)
        closed = (z > 0) & (lower > 1e-250)
        result[closed] = (
            special.gammaln(x[closed] + 1)
            + z[closed]
            - x[closed] * np.log(z[closed])
            + np.log(lower[closed])
        )
    series = (z > 0) & ~closed
    if series.any():
        xs, zs = x[series], z[series]
        term = np.ones(xs.shape)
        total = np.ones(xs.shape)
        j = 0
        while True:
            j += 1
            term *= zs / (xs + j)
            total += term
            if j >= 20000 or (term < 1e-17 * total).all():
                break
        ratio = zs / (xs + j + 1)
        total += term * ratio / (1.0 - ratio)
        result[series] = np.log(total)
    return result


@dataclass(frozen=True)
class ErlangA:
    """Measures of the M/M/c+M queue (arrays, one value per interval, or floats)."""

    wait_probability: FloatArray | float
    """P(an arrival finds every server busy)."""
    service_level: FloatArray | float
    """P(an arrival is served and its wait is at most target_wait)."""
    abandon_probability: FloatArray | float
    """P(an arrival gives up before being served)."""
    average_wait: FloatArray | float
    """Mean time in the queue over all arrivals, minutes."""
    occupancy: FloatArray | float
    """Share of the servers' time spent serving (served load / servers)."""


def _erlang_a_arrays(
    a: FloatArray, n: FloatArray, aht: float, patience: float, target_wait: float
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Wait probability, service level, abandon probability and occupancy for load a > 0."""
    x = n * (patience / aht)  # n mu / theta
    y = a * (patience / aht)  # lambda / theta
    log_s = _log_kummer_sum(x, y)
    odds = _blocking_odds(a, n)  # F = 1/B - 1, the weight of the states with a free server
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        waiting = 1.0 / (1.0 + odds * np.exp(-log_s))
        inverse_s = np.exp(-log_s)
        served_share = n / a  # x / y
        abandon_given_wait = np.clip(1.0 - served_share + served_share * inverse_s, 0.0, 1.0)
        if target_wait > 0:
            q = math.exp(-target_wait / patience)
            log_e = -x * (target_wait / patience) + y * (1.0 - q)
            log_s_late = _log_kummer_sum(x, y * q)
            in_time = 1.0 - inverse_s - np.exp(log_e + log_s_late - log_s) + np.exp(log_e - log_s)
            in_time = np.clip(served_share * in_time, 0.0, 1.0)
        else:
            in_time = np.zeros(np.shape(waiting))
    waiting = np.where(np.isnan(waiting), 1.0, waiting)
    level = (1.0 - waiting) + waiting * in_time
    abandon = waiting * abandon_given_wait
    with np.errstate(invalid="ignore", divide="ignore"):
        busy = np.where(n > 0, a * (1.0 - abandon) / n, 1.0)
    return waiting, np.clip(level, 0.0, 1.0), abandon, np.minimum(busy, 1.0)


def erlang_a(
    load: ArrayLike,
    servers: ArrayLike,
    aht: float,
    patience: float,
    target_wait: float = 0.0,
) -> ErlangA:
    """Exact measures of the M/M/c+M queue (Erlang A) with mean patience `patience` minutes."""
    a = nonnegative_array("load", load)
    n = _servers_array(servers)
    h = positive_number("aht", aht)
    theta = positive_number("patience", patience)
    t = nonnegative_number("target_wait", target_wait)
    a, n = np.broadcast_arrays(a, n)
    positive = a > 0
    waiting = np.zeros(a.shape)
    level = np.ones(a.shape)
    abandon = np.zeros(a.shape)
    busy = np.zeros(a.shape)
    if positive.any():
        w, s, ab, oc = _erlang_a_arrays(a[positive], n[positive], h, theta, t)
        waiting[positive], level[positive], abandon[positive], busy[positive] = w, s, ab, oc
    return ErlangA(
        wait_probability=_scalar_or_array(waiting),
        service_level=_scalar_or_array(level),
        abandon_probability=_scalar_or_array(abandon),
        average_wait=_scalar_or_array(abandon * theta),
        occupancy=_scalar_or_array(busy),
    )


# -------------------------------------------------------------------------------- staffing


def _required_erlang_c(
    load: FloatArray, target_wait: float, aht: float, level: float, max_occupancy: float | None
) -> FloatArray:
    """Fewest servers with P(wait <= target_wait) >= level, for loads > 0 (float array)."""
    servers = np.floor(load) + 1.0  # the fewest that keep the queue stable
    # 1/B at the starting point, then the recursion 1/B(c+1) = 1 + (c+1)/(load B(c)) upwards.
    inverse_blocking = 1.0 + _blocking_odds(load, servers)
    decay = target_wait / aht
    found = np.zeros(load.shape)
    pending = np.ones(load.shape, dtype=bool)
    with np.errstate(over="ignore", invalid="ignore"):
        while True:
            surplus = servers - load
            waiting = servers / (servers + (inverse_blocking - 1.0) * surplus)
            achieved = 1.0 - waiting * np.exp(-surplus * decay)
            met = pending & (achieved >= level)
            if met.any():
                found[met] = servers[met]
                pending &= ~met
                if not pending.any():
                    break
            servers = servers + 1.0
            inverse_blocking = 1.0 + inverse_blocking * servers / load
    if max_occupancy is not None:
        found = np.where(load / found > max_occupancy, np.ceil(load / max_occupancy), found)
    return found


def _required_erlang_a(
    load: FloatArray,
    target_wait: float,
    aht: float,
    level: float,
    max_occupancy: float | None,
    patience: float,
) -> FloatArray:
    """Fewest servers (at least 1) meeting the Erlang A service level, by bisection per interval."""

    def meets(servers: FloatArray) -> NDArray[np.bool_]:
        _, achieved, _, busy = _erlang_a_arrays(load, servers, aht, patience, target_wait)
        ok = achieved >= level
        if max_occupancy is not None:
            ok &= busy <= max_occupancy
        return np.asarray(ok & (servers >= 1))

    low = np.zeros(load.shape)  # known to fail: no server serves no one
    high = np.maximum(np.ceil(load + 3.0 * np.sqrt(load) + 1.0), 1.0)
    for _ in range(64):
        ok = meets(high)
        if ok.all():
            break
        low = np.where(ok, low, high)
        high = np.where(ok, high, high * 2.0)
    else:
        raise ValueError("service_level cannot be met by any number of servers")
    while (high - low > 1).any():
        middle = np.floor((low + high) / 2.0)
        ok = meets(middle)
        high = np.where(ok, middle, high)
        low = np.where(ok, low, middle)
    return high


def required_servers(
    arrivals: ArrayLike,
    aht: float,
    interval: float,
    target_wait: float,
    service_level: float,
    max_occupancy: float | None = None,
    patience: float | None = None,
    shrinkage: float = 0.0,
) -> IntArray:
    """The fewest servers per interval meeting the service level.

    arrivals: expected arrivals per interval (any shape, e.g. days × periods).
    aht: mean handling time, minutes. interval: the interval's length, minutes.
    target_wait, service_level: at least `service_level` of the arrivals start service within
        `target_wait` minutes (0 <= service_level < 1).
    max_occupancy: when given, also load / servers <= max_occupancy (served load with patience).
    patience: mean minutes before a waiting customer gives up; switches from Erlang C (nobody
        gives up) to exact Erlang A (M/M/c+M), which counts those who give up as not served.
    shrinkage: share of paid time not at a window; the result is divided by (1 - shrinkage)
        and rounded up, as in workforce planning tools.

    Intervals without arrivals need 0 servers. Returns an int64 array of the arrivals' shape.
    """
    counts = nonnegative_array("arrivals", arrivals)
    h = positive_number("aht", aht)
    length = positive_number("interval", interval)
    t = nonnegative_number("target_wait", target_wait)
    level = fraction("service_level", service_level, allow_one=False)
    occupancy_ceiling = None
    if max_occupancy is not None:
        occupancy_ceiling = positive_number("max_occupancy", max_occupancy)
        fraction("max_occupancy", occupancy_ceiling)
    loss = fraction("shrinkage", shrinkage, allow_one=False)
    load = counts / length * h
    result = np.zeros(load.shape)
    positive = load > 0
    if positive.any():
        busy_load = load[positive]
        if patience is None or math.isinf(patience):
            needed = _required_erlang_c(busy_load, t, h, level, occupancy_ceiling)
        else:
            theta = positive_number("patience", patience)
            needed = _required_erlang_a(busy_load, t, h, level, occupancy_ceiling, theta)
        if loss > 0:
            needed = np.ceil(needed / (1.0 - loss))
        result[positive] = needed
    return result.astype(np.int64)
