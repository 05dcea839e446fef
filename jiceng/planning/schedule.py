"""The critical path method over working days, forwards from a start and backwards from a deadline.

`cpm(tasks, *, deadline=None, start=None, workdays=None)` takes tasks
`[{"id", "duration", "after": [ids], "lag"}]` with durations and lags in working days. Days are
indices into `workdays` (a sorted sequence of working dates); without `workdays` they are plain
integers. A task starting on day s with duration d >= 1 occupies days s ... s+d-1 and a follower
may start on day s+d+lag. A task of duration 0 is a point (a milestone): it starts and finishes on
day s and its followers may start on day s+lag.

- Forward pass from `start` (day 0 without it): early start and early finish. A task may carry
  `"done"`, the day it finished (a date with `workdays`): its early dates are then fixed there and
  its followers run forward from it, not from `start`.
- Backward pass from the last working day on or before `deadline` (without a deadline: from the
  latest early finish): late start and late finish.
- Total float = late start - early start. Negative float means the deadline cannot be met, and the
  schedule's `feasible` is then False. A task is critical when its float is the least of all tasks
  (zero without a deadline; below zero on the critical path of a deadline that cannot be met).

Cycles, unknown predecessors, duplicate ids and negative durations or lags raise `ScheduleError`
naming the task (a cycle names its tasks in order). Passes run level by level over a topological
order with numpy, so 10,000 tasks and 30,000 dependencies take a few milliseconds.

Beyond both ends of `workdays`, days continue on Mondays to Fridays, so a deadline that cannot be
met still gets dates.
"""

from __future__ import annotations

import bisect
from collections.abc import Hashable, Iterable, Mapping, Sequence
from datetime import date, timedelta
from itertools import chain
from typing import Any, Literal

import numpy as np

__all__ = ["Schedule", "ScheduleError", "cpm"]


class ScheduleError(ValueError):
    """Bad input to `cpm`; `task` names the task at fault (`cycle` lists a cycle's tasks)."""

    def __init__(self, message: str, *, task: Hashable = None, cycle: Sequence[Hashable] = ()):
        super().__init__(message)
        self.task = task
        self.cycle = list(cycle)


class Schedule(dict[Hashable, dict[str, Any]]):
    """Task id -> {early_start, early_finish, late_start, late_finish, float, critical}; with
    `feasible` (no negative float), `deadline` (the day the backward pass ran from) and `finish`
    (the latest early finish)."""

    feasible: bool
    deadline: Any
    finish: Any


class _Days:
    """Day index <-> date over a sorted sequence of working dates, continued by Mondays to Fridays
    before the first and after the last (indices -1, -2, ... and n, n+1, ...)."""

    def __init__(self, workdays: Sequence[date]):
        self.days = list(workdays)
        if not self.days:
            raise ScheduleError("workdays is empty")
        self.ordinals = [d.toordinal() for d in self.days]
        self.first, self.last = self.days[0], self.days[-1]

    def to_date(self, index: int) -> date:
        n = len(self.days)
        if 0 <= index < n:
            return self.days[index]
        if index < 0:
            return _busday(self.first, index, "forward")
        return _busday(self.last, index - (n - 1), "backward")

    def index_on_or_after(self, day: date) -> int:
        if day < self.first:
            return -_weekdays(day, self.first)
        if day > self.last:
            return len(self.days) + _weekdays(self.last + timedelta(days=1), day)
        return bisect.bisect_left(self.ordinals, day.toordinal())

    def index_on_or_before(self, day: date) -> int:
        if day < self.first:
            return -(_weekdays(day + timedelta(days=1), self.first) + 1)
        if day > self.last:
            return (
                len(self.days)
                - 1
                + _weekdays(self.last + timedelta(days=1), day + timedelta(days=1))
            )
        return bisect.bisect_right(self.ordinals, day.toordinal()) - 1


def _weekdays(a: date, b: date) -> int:
    """Mondays to Fridays in [a, b)."""
    return int(np.busday_count(a, b)) if a < b else 0


def _busday(origin: date, steps: int, roll: Literal["forward", "backward"]) -> date:
    day: date = np.busday_offset(origin, steps, roll=roll).astype(object)
    return day


def _topological_levels(
    n: int, src: np.ndarray, dst: np.ndarray
) -> tuple[np.ndarray, np.ndarray] | None:
    """Level of each node (longest edge count from a source) and the order of edges by their
    source's level; None when a cycle remains."""
    order = np.argsort(src, kind="stable")
    src_sorted, dst_sorted = src[order], dst[order]
    starts = np.searchsorted(src_sorted, np.arange(n + 1))
    indegree = np.bincount(dst, minlength=n)
    level = np.zeros(n, dtype=np.int64)
    frontier = np.flatnonzero(indegree == 0)
    seen = 0
    depth = 0
    while frontier.size:
        seen += frontier.size
        level[frontier] = depth
        lo, hi = starts[frontier], starts[frontier + 1]
        if int((hi - lo).sum()) == 0:
            break
        positions = _ranges(lo, hi)
        targets = dst_sorted[positions]
        indegree -= np.bincount(targets, minlength=n)
        released = np.unique(targets[indegree[targets] == 0])
        frontier = released
        depth += 1
    if seen < n:
        return None
    edge_order = np.argsort(level[src], kind="stable")
    return level, edge_order


def _ranges(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Concatenated aranges lo[i]..hi[i]-1."""
    counts = hi - lo
    total = int(counts.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64)
    keep = counts > 0
    lo, counts = lo[keep], counts[keep]
    offsets = np.repeat(lo - np.concatenate(([0], counts.cumsum()[:-1])), counts)
    return offsets + np.arange(total)


def _find_cycle(n: int, src: np.ndarray, dst: np.ndarray) -> list[int]:
    """One cycle among the nodes a topological sort could not order."""
    indegree = np.bincount(dst, minlength=n)
    successors: dict[int, list[int]] = {}
    for a, b in zip(src.tolist(), dst.tolist(), strict=True):
        successors.setdefault(a, []).append(b)
    queue = [i for i in range(n) if indegree[i] == 0]
    removed = set()
    while queue:
        node = queue.pop()
        removed.add(node)
        for b in successors.get(node, ()):
            indegree[b] -= 1
            if indegree[b] == 0:
                queue.append(b)
    remaining = [i for i in range(n) if i not in removed]
    node = remaining[0]
    path: list[int] = []
    position: dict[int, int] = {}
    while node not in position:
        position[node] = len(path)
        path.append(node)
        node = next(b for b in successors[node] if b not in removed)
    return path[position[node] :]


def cpm(
    tasks: Iterable[Mapping[str, Any]],
    *,
    deadline: Any = None,
    start: Any = None,
    workdays: Sequence[date] | None = None,
) -> Schedule:
    """Early and late dates, float and the critical path of `tasks` (see the module docstring)."""
    tasks = list(tasks)
    n = len(tasks)
    ids = [t["id"] for t in tasks]
    index: dict[Hashable, int] = {task_id: i for i, task_id in enumerate(ids)}
    if len(index) < n:
        seen: set[Hashable] = set()
        for task_id in ids:
            if task_id in seen:
                raise ScheduleError(f"duplicate task id {task_id!r}", task=task_id)
            seen.add(task_id)
    duration = np.fromiter((t.get("duration", 0) for t in tasks), dtype=np.int64, count=n)
    if n and duration.min() < 0:
        bad = ids[int(np.argmin(duration))]
        raise ScheduleError(f"task {bad!r} has a negative duration", task=bad)
    afters = [t.get("after") or () for t in tasks]
    counts = np.fromiter(map(len, afters), dtype=np.int64, count=n)
    flat = list(chain.from_iterable(afters))
    try:
        src = np.fromiter(map(index.__getitem__, flat), dtype=np.int64, count=len(flat))
    except (KeyError, TypeError):
        for j, after in enumerate(afters):
            for predecessor in after:
                if predecessor not in index:
                    raise ScheduleError(
                        f"task {ids[j]!r} comes after unknown task {predecessor!r}", task=ids[j]
                    ) from None
        raise
    dst = np.repeat(np.arange(n, dtype=np.int64), counts)
    lags = np.fromiter((t.get("lag") or 0 for t in tasks), dtype=np.int64, count=n)
    if n and lags.min() < 0:
        bad = ids[int(np.argmin(lags))]
        raise ScheduleError(f"task {bad!r} has a negative lag", task=bad)
    lag_arr = lags[dst]

    calendar = _Days(workdays) if workdays is not None else None

    def day_of(value: Any, *, before: bool) -> int:
        if calendar is None:
            return int(value)
        if isinstance(value, int):
            return value
        return calendar.index_on_or_before(value) if before else calendar.index_on_or_after(value)

    start_day = 0 if start is None else day_of(start, before=False)

    leveled = _topological_levels(n, src, dst) if n else (np.zeros(0, np.int64), np.zeros(0))
    if leveled is None:
        cycle = [ids[i] for i in _find_cycle(n, src, dst)]
        names = " -> ".join(repr(c) for c in [*cycle, cycle[0]])
        raise ScheduleError(f"dependency cycle: {names}", task=cycle[0], cycle=cycle)
    level, edge_order = leveled
    edge_order = np.asarray(edge_order, dtype=np.int64)
    src, dst, lag_arr = src[edge_order], dst[edge_order], lag_arr[edge_order]
    edge_level = level[src] if src.size else np.zeros(0, np.int64)
    depth = int(level.max()) + 1 if n else 0
    bounds = np.searchsorted(edge_level, np.arange(depth + 1))

    # Forward pass, level by level: a follower starts no earlier than s + d + lag.
    fixed = np.zeros(n, dtype=bool)
    early_start = np.full(n, start_day, dtype=np.int64)
    dones = [t.get("done") for t in tasks]
    for i, done in enumerate(dones):
        if done is not None:
            fixed[i] = True
            early_start[i] = day_of(done, before=True) - max(int(duration[i]), 1) + 1
    for lv in range(depth):
        a, b = bounds[lv], bounds[lv + 1]
        if a == b:
            continue
        s, t = src[a:b], dst[a:b]
        reach = early_start[s] + duration[s] + lag_arr[a:b]
        free = ~fixed[t]
        np.maximum.at(early_start, t[free], reach[free])
    early_finish = early_start + np.maximum(duration, 1) - 1

    # Backward pass from the deadline: a predecessor starts no later than ls - lag - d.
    if deadline is None:
        deadline_day = int(early_finish.max()) if n else start_day
    else:
        deadline_day = day_of(deadline, before=True)
    late_start = deadline_day - np.maximum(duration, 1) + 1
    for lv in range(depth - 1, -1, -1):
        a, b = bounds[lv], bounds[lv + 1]
        if a == b:
            continue
        s, t = src[a:b], dst[a:b]
        np.minimum.at(late_start, s, late_start[t] - lag_arr[a:b] - duration[s])
    late_finish = late_start + np.maximum(duration, 1) - 1
    total_float = late_start - early_start
    least = int(total_float.min()) if n else 0
    critical = total_float == least

    result = Schedule()
    convert = calendar.to_date if calendar is not None else int
    es, ef, ls, lf = (x.tolist() for x in (early_start, early_finish, late_start, late_finish))
    fl, cr = total_float.tolist(), critical.tolist()
    if calendar is not None:
        es, ef, ls, lf = ([convert(d) for d in days] for days in (es, ef, ls, lf))
    keys = ("early_start", "early_finish", "late_start", "late_finish", "float", "critical")
    result.update(
        (task_id, dict(zip(keys, values, strict=True)))
        for task_id, values in zip(ids, zip(es, ef, ls, lf, fl, cr, strict=True), strict=True)
    )
    result.feasible = bool(least >= 0) if n else True
    result.deadline = convert(deadline_day)
    result.finish = convert(int(early_finish.max())) if n else convert(start_day)
    return result
