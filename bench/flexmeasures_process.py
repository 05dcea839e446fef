"""The peer of `power-loadshift`: FlexMeasures' process scheduler, re-implemented.

FlexMeasures (https://github.com/FlexMeasures/flexmeasures, Apache-2.0) is not installed here
(it needs PostgreSQL with its own schema, timely-beliefs and a web stack), so its published
heuristic is re-implemented from `flexmeasures/data/models/planning/process.py`
(`ProcessScheduler.compute`, version "1"), without pandas, as faithfully as the mapping allows:

- each process is scheduled on its own over the horizon: the scheduler sees one process, its
  constant `power`, its `duration`, the consumption price and `time_restrictions` (intervals it
  may not use); it knows no base load, no site cap, no other process and no crew;
- `rows_to_fill = min(ceil(duration / resolution), len(schedule))`; if that is the whole
  horizon the process runs everywhere (time restrictions then raise an error);
- INFLEXIBLE: as soon as possible: the first start whose block avoids every restricted interval
  (`block_invalid_starting_times_for_whole_process_scheduling`: a rolling max of the restrictions
  over the block, starts whose block leaves the horizon blocked too);
- SHIFTABLE: the start whose block has the least summed price (`cost.rolling(rows).sum()
  .shift(-rows + 1)`, `idxmin`, so the earliest among equal sums) among the allowed starts;
- BREAKABLE: the `rows_to_fill` allowed intervals ranked by (price, time) ascending.

How Jiceng's processes map onto it: a process's window [earliest, latest_end) and its forbidden
intervals become FlexMeasures' time restrictions (everything outside the window is restricted);
an inflexible process gets the window [start, start + duration), so "as soon as possible" is its
fixed start. Profiles are not supported by FlexMeasures (power is one number); the benchmark's
processes run at constant power.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray


class ProcessSchedulingError(ValueError):
    """FlexMeasures' "Cannot allocate a block of time ... given the time restrictions"."""


def restrictions(process: Mapping[str, Any], horizon: int) -> NDArray[np.bool_]:
    """FlexMeasures' `time_restrictions` of a Jiceng process: True where it may not run."""
    restricted = np.ones(horizon, dtype=bool)
    if process.get("kind", "shiftable") == "inflexible":
        start = int(process["start"])
        restricted[start : start + int(process["duration"])] = False
    else:
        earliest = int(process.get("earliest", 0))
        latest_end = process.get("latest_end")
        restricted[earliest : horizon if latest_end is None else int(latest_end)] = False
    for t in process.get("forbidden", ()):
        restricted[int(t)] = True
    return restricted


def schedule_process(prices: NDArray[np.float64], process: Mapping[str, Any]) -> NDArray[np.int64]:
    """The intervals FlexMeasures' ProcessScheduler gives one process (minimising cost)."""
    horizon = prices.size
    duration = int(process["duration"])
    kind = process.get("kind", "shiftable")
    restricted = restrictions(process, horizon)
    rows = min(math.ceil(duration), horizon)
    if rows == horizon:
        if restricted.any():
            raise ProcessSchedulingError(
                "Cannot handle time restrictions if the duration of the process exceeds that of "
                "the schedule window."
            )
        return np.arange(horizon)
    if kind in ("inflexible", "shiftable"):
        # rolling(duration).max().shift(-rows + 1): the block starting at s is restricted if any
        # of s .. s+rows-1 is; starts whose block leaves the horizon are NaN, hence restricted.
        blocked = np.ones(horizon, dtype=bool)
        windows = np.lib.stride_tricks.sliding_window_view(restricted, rows)
        blocked[: horizon - rows + 1] = windows.any(axis=1)
        if blocked.all():
            raise ProcessSchedulingError(
                f"Cannot allocate a block of time {duration} given the time restrictions provided."
            )
        if kind == "inflexible":
            start = int(np.flatnonzero(~blocked)[0])
        else:
            sums = np.full(horizon, np.nan)
            sums[: horizon - rows + 1] = np.lib.stride_tricks.sliding_window_view(prices, rows).sum(
                axis=1
            )
            allowed = np.flatnonzero(~blocked)
            start = int(allowed[int(np.argmin(sums[allowed]))])  # idxmin: first minimum
        return np.arange(start, start + rows)
    if (~restricted).sum() < rows:
        raise ProcessSchedulingError(
            f"Cannot allocate a block of time {duration} given the time restrictions provided."
        )
    allowed = np.flatnonzero(~restricted)
    # sort_values(by=["event_value", "event_start"]): price first, then time.
    ranked = allowed[np.lexsort((allowed, prices[allowed]))]
    return np.sort(ranked[:rows])


def flexmeasures_schedule(
    prices: Sequence[float] | NDArray[np.float64],
    processes: Sequence[Mapping[str, Any]],
    *,
    base_load: Sequence[float] | NDArray[np.float64] | None = None,
) -> tuple[dict[str, list[int]], NDArray[np.float64]]:
    """Each process scheduled by FlexMeasures on its own; the runs and the site load (kW)."""
    price = np.asarray(prices, dtype=np.float64)
    load = np.zeros(price.size) if base_load is None else np.asarray(base_load, dtype=float)
    load = load.copy()
    runs: dict[str, list[int]] = {}
    for process in processes:
        intervals = schedule_process(price, process)
        power = process["power_kw"]
        if np.ndim(power) != 0:
            raise ProcessSchedulingError("FlexMeasures' process power is one number")
        load[intervals] += float(power)
        runs[str(process["name"])] = [int(t) for t in intervals]
    return runs, load
