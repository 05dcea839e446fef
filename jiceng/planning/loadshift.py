"""Load shifting (错峰用电): when an enterprise runs its processes over a day of time-of-use prices.

`schedule(prices, processes, *, base_load=None, power_cap=None, demand_charge=0.0,
interval_hours=0.25, time_limit=2.0)` places each process in the intervals of the horizon
(`len(prices)` intervals, prices in yuan/kWh) so that the site's cost is least:

    energy cost   = sum over intervals of price × (base load + process load) × interval_hours
    demand cost   = demand_charge (yuan/kW) × the peak of base load + process load
    cost          = energy cost + demand cost

subject to the site cap (`power_cap`, the contracted demand, kW) in every interval. A process is
a `Process` or a dict with the same keys:

- `name`; `power_kw`: a number, or a profile over the run (one value per interval of the run);
- `duration`: intervals; `earliest` (first interval it may run in, default 0) and `latest_end`
  (the interval after the last one it may run in, default the horizon's end);
- `kind`: "shiftable" runs in one block of `duration` intervals inside its window; "breakable"
  runs in any `duration` whole intervals inside its window, not necessarily adjacent, at constant
  power (a profile must be flat: which part of a profile would run in which interval is not
  defined once the run is broken, so a non-flat one is refused); "inflexible" runs from its fixed
  `start` (its window is ignored);
- `crew` (optional): processes that name the same crew need the same people and so never run in
  the same interval;
- `forbidden` (optional): intervals in which the process may not run (the crew is off).

The model is time-indexed: one binary per feasible start of a shiftable process (starts that
cross a forbidden interval, leave the window or alone exceed the cap are not generated), one per
allowed interval of a breakable process, inflexible load a constant. Identical shiftable
processes start in order (symmetry). With a demand charge a peak variable P ≥ load in every
interval, bounded below by what each process forces on its own (its best-placed peak with the
base load). HiGHS (scipy.optimize.milp) solves it. Energy cost under a cap is exact and fast:
`optimal` is True. A demand charge makes it a peak-minimising packing: the solver stops at
`time_limit` seconds; a greedy schedule improved by moving one process at a time is computed
as well and the better of the two is returned, `optimal` telling whether it was proven and `gap`
the relative distance to the solver's proven lower bound.

Obvious infeasibility is reported before solving and names the culprit (`LoadShiftError.process`
or `.cap`): a window shorter than the duration, no start left by the forbidden intervals, a
process alone over the cap, inflexible load plus base load over the cap in an interval, two
inflexible processes of one crew overlapping; when the solver finds no schedule the error names
the cap (or the crews, without a cap).
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from jiceng.planning.validation import nonnegative_array, nonnegative_number, positive_number

__all__ = ["KINDS", "LoadSchedule", "LoadShiftError", "Process", "evaluate", "schedule"]

Kind = Literal["shiftable", "breakable", "inflexible"]
KINDS: tuple[Kind, ...] = ("shiftable", "breakable", "inflexible")
_TOLERANCE = 1e-6
# Penalty, in demand charges, of each kW above the target peak in each interval (heuristic).
_OVER = 4.0
# Share of the time limit the local search gets before HiGHS, with a demand charge.
_SHARE = 0.25
_REL_GAP = 1e-6


class LoadShiftError(ValueError):
    """No schedule exists or the input is wrong; `process` names the process at fault, `cap` is
    True when the site cap is what cannot be met, `interval` the interval where known."""

    def __init__(
        self,
        message: str,
        *,
        process: str | None = None,
        cap: bool = False,
        interval: int | None = None,
    ):
        super().__init__(message)
        self.process = process
        self.cap = cap
        self.interval = interval


@dataclass(frozen=True)
class Process:
    """One process of an enterprise (see the module docstring for the meaning of each field)."""

    name: str
    power_kw: float | Sequence[float]
    duration: int
    kind: Kind = "shiftable"
    earliest: int = 0
    latest_end: int | None = None
    start: int | None = None
    crew: str | None = None
    forbidden: Iterable[int] = ()


@dataclass
class LoadSchedule:
    """A schedule: `runs` maps each process to the sorted intervals it runs in; `load` is the
    site load (base + processes, kW) per interval, `process_load` each process's; costs in yuan;
    `peak_kw` the peak of `load`; `optimal` whether the cost is proven least and `gap` the relative
    distance from the proven lower bound (0 when optimal); `solver` "highs" or "heuristic"
    (which one found the returned schedule)."""

    runs: dict[str, list[int]]
    load: NDArray[np.float64]
    process_load: dict[str, NDArray[np.float64]]
    energy_cost: float
    demand_cost: float
    cost: float
    peak_kw: float
    optimal: bool
    gap: float
    solver: str = "highs"
    bound: float = field(default=math.nan, repr=False)


@dataclass
class _Item:
    """A process normalised: its profile, the candidate starts (block kinds) or the allowed
    intervals (breakable)."""

    name: str
    kind: Kind
    profile: NDArray[np.float64]
    crew: str | None
    starts: NDArray[np.int64] = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    allowed: NDArray[np.int64] = field(default_factory=lambda: np.empty(0, dtype=np.int64))

    @property
    def duration(self) -> int:
        return int(self.profile.size)

    @property
    def power(self) -> float:
        return float(self.profile[0])


def _as_process(value: Process | Mapping[str, Any]) -> Process:
    if isinstance(value, Process):
        return value
    if not isinstance(value, Mapping):
        raise LoadShiftError(f"a process must be a Process or a mapping, not {value!r}")
    known = set(Process.__dataclass_fields__)
    unknown = sorted(set(value) - known)
    name = str(value.get("name", "?"))
    if unknown:
        raise LoadShiftError(f"process {name}: unknown keys {unknown}", process=name)
    for key in ("name", "power_kw", "duration"):
        if key not in value:
            raise LoadShiftError(f"process {name}: {key} is required", process=name)
    return Process(**value)


def _normalise(
    raw: Process, horizon: int, base: NDArray[np.float64], cap: float | None
) -> tuple[_Item, NDArray[np.float64] | None]:
    """The process as an `_Item`; for an inflexible process also its fixed load."""
    name = str(raw.name)
    if raw.kind not in KINDS:
        raise LoadShiftError(
            f"process {name}: kind must be one of {', '.join(KINDS)}, not {raw.kind!r}",
            process=name,
        )
    duration = raw.duration
    if isinstance(duration, bool) or int(duration) != duration or duration < 1:
        raise LoadShiftError(
            f"process {name}: duration must be a whole number of intervals >= 1", process=name
        )
    duration = int(duration)
    try:
        if np.ndim(raw.power_kw) == 0:
            profile = np.full(duration, float(raw.power_kw))  # type: ignore[arg-type]
        else:
            profile = np.asarray(raw.power_kw, dtype=np.float64)
        profile = nonnegative_array(f"process {name}: power_kw", profile)
    except (TypeError, ValueError) as error:
        raise LoadShiftError(str(error), process=name) from error
    if profile.ndim != 1 or profile.size != duration:
        raise LoadShiftError(
            f"process {name}: a power profile needs one value per interval of the run "
            f"({duration}), not {profile.size}",
            process=name,
        )
    forbidden = np.zeros(horizon, dtype=bool)
    for t in raw.forbidden:
        if not 0 <= int(t) < horizon:
            raise LoadShiftError(
                f"process {name}: forbidden interval {t} is outside 0..{horizon - 1}",
                process=name,
            )
        forbidden[int(t)] = True
    item = _Item(name=name, kind=raw.kind, profile=profile, crew=raw.crew)
    headroom = np.full(horizon, np.inf) if cap is None else cap - base
    if raw.kind == "inflexible":
        if raw.start is None or int(raw.start) != raw.start:
            raise LoadShiftError(
                f"process {name}: an inflexible process needs its start interval", process=name
            )
        start = int(raw.start)
        if start < 0 or start + duration > horizon:
            raise LoadShiftError(
                f"process {name}: it runs from {start} for {duration} intervals, outside the "
                f"horizon of {horizon}",
                process=name,
            )
        if forbidden[start : start + duration].any():
            raise LoadShiftError(
                f"process {name}: its fixed run crosses a forbidden interval", process=name
            )
        item.starts = np.array([start], dtype=np.int64)
        fixed = np.zeros(horizon)
        fixed[start : start + duration] = profile
        return item, fixed
    earliest = int(raw.earliest)
    latest_end = horizon if raw.latest_end is None else int(raw.latest_end)
    if earliest < 0 or latest_end > horizon or latest_end - earliest < duration:
        raise LoadShiftError(
            f"process {name}: its window [{earliest}, {latest_end}) within the horizon of "
            f"{horizon} intervals is shorter than its duration of {duration}",
            process=name,
        )
    if raw.kind == "breakable":
        if np.ptp(profile) > _TOLERANCE:
            raise LoadShiftError(
                f"process {name}: a breakable process runs at constant power; give one number",
                process=name,
            )
        window = np.arange(earliest, latest_end)
        window = window[~forbidden[window]]
        if window.size < duration:
            raise LoadShiftError(
                f"process {name}: only {window.size} allowed intervals in its window for a "
                f"duration of {duration}",
                process=name,
            )
        fits = window[headroom[window] >= profile[0] - _TOLERANCE]
        if fits.size < duration:
            raise LoadShiftError(
                f"process {name}: {profile[0]:g} kW with the base load exceeds the cap "
                f"{cap:g} kW in all but {fits.size} intervals of its window",
                process=name,
                cap=True,
            )
        item.allowed = fits
        return item, None
    starts = np.arange(earliest, latest_end - duration + 1)
    blocked = np.convolve(forbidden.astype(np.int64), np.ones(duration, dtype=np.int64))
    starts = starts[blocked[starts + duration - 1] == 0]
    if starts.size == 0:
        raise LoadShiftError(
            f"process {name}: the forbidden intervals leave no block of {duration} in its "
            f"window [{earliest}, {latest_end})",
            process=name,
        )
    if cap is not None:
        over = np.array([(profile - headroom[s : s + duration] > _TOLERANCE).any() for s in starts])
        if over.all():
            raise LoadShiftError(
                f"process {name}: alone with the base load it exceeds the cap {cap:g} kW at "
                "every start in its window",
                process=name,
                cap=True,
            )
        starts = starts[~over]
    item.starts = starts.astype(np.int64)
    return item, None


def _prepare(
    prices: ArrayLike,
    processes: Iterable[Process | Mapping[str, Any]],
    base_load: ArrayLike | None,
    power_cap: float | None,
) -> tuple[NDArray[np.float64], NDArray[np.float64], list[_Item], NDArray[np.float64]]:
    price = np.asarray(prices, dtype=np.float64)
    if price.ndim != 1 or price.size == 0 or not np.isfinite(price).all():
        raise LoadShiftError("prices: one finite number per interval is required")
    horizon = price.size
    if base_load is None:
        base = np.zeros(horizon)
    else:
        try:
            base = nonnegative_array("base_load", np.broadcast_to(base_load, (horizon,)))
        except ValueError as error:
            raise LoadShiftError(f"base_load: {error}") from error
    try:
        cap = None if power_cap is None else positive_number("power_cap", power_cap)
    except (TypeError, ValueError) as error:
        raise LoadShiftError(str(error), cap=True) from error
    if cap is not None and (base > cap + _TOLERANCE).any():
        t = int(np.argmax(base > cap + _TOLERANCE))
        raise LoadShiftError(
            f"the base load alone ({base[t]:g} kW) exceeds the cap {cap:g} kW at interval {t}",
            cap=True,
            interval=t,
        )
    items: list[_Item] = []
    fixed = np.zeros(horizon)
    seen: set[str] = set()
    for value in processes:
        item, load = _normalise(_as_process(value), horizon, base, cap)
        if item.name in seen:
            raise LoadShiftError(f"process {item.name}: the name is used twice", process=item.name)
        seen.add(item.name)
        items.append(item)
        if load is not None:
            fixed += load
    if cap is not None and (base + fixed > cap + _TOLERANCE).any():
        t = int(np.argmax(base + fixed > cap + _TOLERANCE))
        running = [
            i.name
            for i in items
            if i.kind == "inflexible" and i.starts[0] <= t < i.starts[0] + i.duration
        ]
        raise LoadShiftError(
            f"the inflexible processes {', '.join(running)} with the base load need "
            f"{base[t] + fixed[t]:g} kW at interval {t}, over the cap {cap:g} kW",
            process=running[0] if running else None,
            cap=True,
            interval=t,
        )
    crews: dict[str, list[_Item]] = {}
    for item in items:
        if item.kind == "inflexible" and item.crew is not None:
            for other in crews.get(item.crew, []):
                a, b = int(item.starts[0]), int(other.starts[0])
                if a < b + other.duration and b < a + item.duration:
                    raise LoadShiftError(
                        f"process {item.name}: its crew {item.crew} also runs {other.name} "
                        "at the same time",
                        process=item.name,
                    )
            crews.setdefault(item.crew, []).append(item)
    return price, base, items, fixed


def _block_costs(item: _Item, price: NDArray[np.float64], hours: float) -> NDArray[np.float64]:
    """Energy cost of each candidate start of a block process."""
    window = np.lib.stride_tricks.sliding_window_view(price, item.duration)
    return np.asarray(window[item.starts] @ item.profile * hours)


def _runs(
    item: _Item, option: int | NDArray[np.int64], horizon: int
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Intervals and the load of an item for a start (block) or a set of intervals (breakable)."""
    load = np.zeros(horizon)
    if item.kind == "breakable":
        intervals = np.sort(np.asarray(option, dtype=np.int64))
        load[intervals] = item.power
        return intervals, load
    start = int(option)
    intervals = np.arange(start, start + item.duration)
    load[intervals] = item.profile
    return intervals, load


def evaluate(
    prices: ArrayLike,
    load: ArrayLike,
    *,
    demand_charge: float = 0.0,
    interval_hours: float = 0.25,
) -> tuple[float, float]:
    """Energy cost and demand cost (yuan) of a site load (kW per interval) at these prices."""
    price = np.asarray(prices, dtype=np.float64)
    site = np.asarray(load, dtype=np.float64)
    energy = float(price @ site * interval_hours)
    return energy, float(demand_charge * site.max(initial=0.0))


def schedule(
    prices: ArrayLike,
    processes: Iterable[Process | Mapping[str, Any]],
    *,
    base_load: ArrayLike | None = None,
    power_cap: float | None = None,
    demand_charge: float = 0.0,
    interval_hours: float = 0.25,
    time_limit: float = 2.0,
) -> LoadSchedule:
    """The least-cost schedule of `processes` over the horizon of `prices` (module docstring)."""
    try:
        hours = positive_number("interval_hours", interval_hours)
        charge = nonnegative_number("demand_charge", demand_charge)
        limit = positive_number("time_limit", time_limit)
    except (TypeError, ValueError) as error:
        raise LoadShiftError(str(error)) from error
    price, base, items, fixed = _prepare(prices, processes, base_load, power_cap)
    cap = None if power_cap is None else float(power_cap)
    began = time.perf_counter()
    model = _Model(price, base, fixed, items, cap=cap, charge=charge, hours=hours)
    heuristic = _heuristic(model, deadline=began + (_SHARE if charge else 0.1) * limit)
    remaining = max(limit - (time.perf_counter() - began), 0.05)
    outcome = model.solve(remaining, incumbent=heuristic)
    if outcome["status"] == "limit" and "options" not in outcome and heuristic is None:
        raise LoadShiftError(
            f"no schedule was found within the time limit of {limit:g} s; allow more time"
        )
    solved = outcome if "options" in outcome else None
    if solved is None and heuristic is None:
        if cap is not None:
            raise LoadShiftError(
                f"no schedule keeps the site under the cap {cap:g} kW "
                + ("with the crews' exclusivity" if model.crews else ""),
                cap=True,
            )
        raise LoadShiftError("no schedule lets the processes of each crew run one at a time")
    chosen: dict[str, Any]
    bound = math.nan if solved is None else solved["bound"]
    if solved is not None and (heuristic is None or solved["cost"] <= heuristic["cost"] + 1e-9):
        chosen, source = solved, "highs"
    else:
        assert heuristic is not None
        chosen, source = heuristic, "heuristic"
    return model.result(
        chosen["options"],
        solver=source,
        bound=bound,
        proven=(solved is not None and solved["optimal"]),
    )


class _Model:
    """The time-indexed integer program of one instance and the evaluation of options."""

    def __init__(
        self,
        price: NDArray[np.float64],
        base: NDArray[np.float64],
        fixed: NDArray[np.float64],
        items: list[_Item],
        *,
        cap: float | None,
        charge: float,
        hours: float,
    ):
        self.price, self.base, self.fixed, self.items = price, base, fixed, items
        self.cap, self.charge, self.hours = cap, charge, hours
        self.horizon = price.size
        self.flexible = [i for i in items if i.kind != "inflexible"]
        crews: dict[str, list[_Item]] = {}
        for item in items:
            if item.crew is not None:
                crews.setdefault(item.crew, []).append(item)
        self.crews = {c: members for c, members in crews.items() if len(members) > 1}
        self.block_cost = {
            i.name: _block_costs(i, price, hours) for i in self.flexible if i.kind == "shiftable"
        }

    # -- evaluation ---------------------------------------------------------------------------

    def cost_of(self, load: NDArray[np.float64]) -> float:
        site = self.base + load
        return float(self.price @ site * self.hours + self.charge * site.max(initial=0.0))

    def result(
        self, options: dict[str, Any], *, solver: str, bound: float, proven: bool
    ) -> LoadSchedule:
        runs: dict[str, list[int]] = {}
        per: dict[str, NDArray[np.float64]] = {}
        total = self.base.copy()
        for item in self.items:
            option = item.starts[0] if item.kind == "inflexible" else options[item.name]
            intervals, load = _runs(item, option, self.horizon)
            runs[item.name] = [int(t) for t in intervals]
            per[item.name] = load
            total += load
        energy, demand = evaluate(
            self.price, total, demand_charge=self.charge, interval_hours=self.hours
        )
        cost = energy + demand
        if proven:
            gap = 0.0
        elif math.isnan(bound):
            gap = math.inf
        else:
            gap = max(cost - bound, 0.0) / max(abs(cost), 1e-9)
        return LoadSchedule(
            runs=runs,
            load=total,
            process_load=per,
            energy_cost=energy,
            demand_cost=demand,
            cost=cost,
            peak_kw=float(total.max(initial=0.0)),
            optimal=proven or gap <= 1e-6,
            gap=0.0 if gap <= 1e-6 else gap,
            solver=solver,
            bound=bound,
        )

    # -- the integer program ------------------------------------------------------------------

    def solve(
        self, time_limit: float, *, incumbent: dict[str, Any] | None, relax: bool = False
    ) -> dict[str, Any]:
        """The integer program solved: {"options", "cost", "bound", "optimal", "status"}, or
        only {"status"} ("infeasible" or "limit") when HiGHS has no schedule. With `relax`, its
        linear relaxation: {"values": process -> (options, fractional values), "status"}."""
        T = self.horizon
        cost: list[NDArray[np.float64]] = []
        rows: list[NDArray[np.int64]] = []
        cols: list[NDArray[np.int64]] = []
        vals: list[NDArray[np.float64]] = []
        columns: list[tuple[_Item, NDArray[np.int64]]] = []
        offset = 0
        for item in self.flexible:
            if item.kind == "shiftable":
                n, d = item.starts.size, item.duration
                cost.append(self.block_cost[item.name])
                rows.append((item.starts[:, None] + np.arange(d)[None, :]).ravel())
                cols.append(np.repeat(np.arange(offset, offset + n), d))
                vals.append(np.tile(item.profile, n))
                columns.append((item, item.starts))
            else:
                n = item.allowed.size
                cost.append(self.price[item.allowed] * item.power * self.hours)
                rows.append(item.allowed)
                cols.append(np.arange(offset, offset + n))
                vals.append(np.full(n, item.power))
                columns.append((item, item.allowed))
            offset += n
        n_x = offset
        peak = self.charge > 0
        n_vars = n_x + (1 if peak else 0)
        c = np.concatenate([*cost, np.zeros(n_vars - n_x)]) if cost else np.zeros(n_vars)
        if peak:
            c[n_x] = self.charge
        r = np.concatenate(rows) if rows else np.empty(0, dtype=np.int64)
        k = np.concatenate(cols) if cols else np.empty(0, dtype=np.int64)
        v = np.concatenate(vals) if vals else np.empty(0)
        constraints: list[LinearConstraint] = []
        load = sparse.csr_array((v, (r, k)), shape=(T, n_vars))
        lower_peak = 0.0
        if peak:
            with_peak = sparse.hstack(
                [load[:, :n_x], sparse.csr_array(-np.ones((T, 1)))], format="csr"
            )
            constraints.append(LinearConstraint(with_peak, -np.inf, -(self.base + self.fixed)))
            lower_peak = float((self.base + self.fixed).max(initial=0.0))
            for item in self.flexible:
                lower_peak = max(lower_peak, self._alone_peak(item))
        elif self.cap is not None:
            constraints.append(LinearConstraint(load, -np.inf, self.cap - self.base - self.fixed))
        # One choice per block process; `duration` intervals per breakable one.
        assign_rows, assign_cols, assign_lo = [], [], []
        at = 0
        for index, (item, options) in enumerate(columns):
            assign_rows.append(np.full(options.size, index))
            assign_cols.append(np.arange(at, at + options.size))
            assign_lo.append(1.0 if item.kind == "shiftable" else float(item.duration))
            at += options.size
        if columns:
            assign = sparse.csr_array(
                (
                    np.ones(n_x),
                    (np.concatenate(assign_rows), np.concatenate(assign_cols)),
                ),
                shape=(len(columns), n_vars),
            )
            constraints.append(LinearConstraint(assign, assign_lo, assign_lo))
        crew_matrix = self._crew_rows(columns, n_vars)
        if crew_matrix is not None:
            constraints.append(crew_matrix)
        order = self._symmetry_rows(columns, n_vars)
        if order is not None:
            constraints.append(order)
        lower = np.zeros(n_vars)
        upper = np.ones(n_vars)
        integrality = np.ones(n_vars)
        if peak:
            lower[n_x] = lower_peak
            upper[n_x] = np.inf if self.cap is None else self.cap
            integrality[n_x] = 0
        if n_x == 0:
            # Nothing to place: the fixed load is the schedule.
            return {
                "options": {},
                "cost": self.cost_of(self.fixed),
                "bound": self.cost_of(self.fixed),
                "optimal": True,
                "status": "optimal",
            }
        if relax:
            integrality = np.zeros(n_vars)
        start_x = None if incumbent is None else self._vector(incumbent, columns, n_vars)
        x_all, status, dual = _solve_mip(
            c,
            constraints,
            integrality,
            lower,
            upper,
            time_limit=time_limit,
            start=start_x,
        )
        if x_all is None:
            return {"status": status}
        if relax:
            values: dict[str, tuple[NDArray[np.int64], NDArray[np.float64]]] = {}
            at = 0
            for item, options_of in columns:
                values[item.name] = (options_of, x_all[at : at + options_of.size])
                at += options_of.size
            lp_peak = float(x_all[n_x]) if peak else math.nan
            return {"values": values, "status": status, "peak": lp_peak}
        x = np.round(x_all[:n_x]).astype(bool)
        chosen: dict[str, Any] = {}
        at = 0
        for item, options_of in columns:
            picked = options_of[x[at : at + options_of.size]]
            chosen[item.name] = picked if item.kind == "breakable" else int(picked[0])
            at += options_of.size
        total = self.fixed.copy()
        for item in self.flexible:
            total += _runs(item, chosen[item.name], self.horizon)[1]
        constant = float(self.price @ (self.base + self.fixed) * self.hours)
        bound = constant + dual if math.isfinite(dual) else math.nan
        return {
            "options": chosen,
            "cost": self.cost_of(total),
            "bound": bound,
            "optimal": status == "optimal",
            "status": status,
        }

    def _vector(
        self, incumbent: dict[str, Any], columns: list[tuple[_Item, NDArray[np.int64]]], n_vars: int
    ) -> NDArray[np.float64]:
        """The heuristic's schedule as a start vector of the integer program; identical
        shiftable processes take their starts in order (the symmetry rows)."""
        options = dict(incumbent["options"])
        groups: dict[tuple[Any, ...], list[str]] = {}
        for item, _ in columns:
            if item.kind == "shiftable":
                key = (item.profile.tobytes(), item.starts.tobytes(), item.crew)
                groups.setdefault(key, []).append(item.name)
        for names in groups.values():
            for name, start in zip(names, sorted(options[n] for n in names), strict=True):
                options[name] = start
        x = np.zeros(n_vars)
        at = 0
        load = self.base + self.fixed
        for item, choices in columns:
            picked = np.atleast_1d(options[item.name])
            x[at + np.searchsorted(choices, picked)] = 1.0
            load = load + _runs(item, options[item.name], self.horizon)[1]
            at += choices.size
        if n_vars > at:
            x[at] = float(load.max(initial=0.0))
        return x

    def _alone_peak(self, item: _Item) -> float:
        """The least site peak this process forces on its own with the base and fixed load."""
        site = self.base + self.fixed
        if item.kind == "breakable":
            return float(np.sort(site[item.allowed])[item.duration - 1] + item.power)
        window = np.lib.stride_tricks.sliding_window_view(site, item.duration)[item.starts]
        return float((window + item.profile).max(axis=1).min())

    def _crew_rows(
        self, columns: list[tuple[_Item, NDArray[np.int64]]], n_vars: int
    ) -> LinearConstraint | None:
        """Per crew and interval: at most one of its processes runs (fewer if an inflexible one
        of the crew already does)."""
        if not self.crews:
            return None
        position: dict[str, int] = {}
        at = 0
        for item, options in columns:
            position[item.name] = at
            at += options.size
        rows, cols, upper = [], [], []
        row = 0
        T = self.horizon
        for members in self.crews.values():
            busy = np.zeros(T)
            for item in members:
                if item.kind == "inflexible":
                    busy[item.starts[0] : item.starts[0] + item.duration] = 1
            for item in members:
                if item.kind == "inflexible":
                    continue
                base_col = position[item.name]
                if item.kind == "shiftable":
                    d = item.duration
                    rows.append(row + (item.starts[:, None] + np.arange(d)[None, :]).ravel())
                    cols.append(np.repeat(base_col + np.arange(item.starts.size), d))
                else:
                    rows.append(row + item.allowed)
                    cols.append(base_col + np.arange(item.allowed.size))
            upper.append(1 - busy)
            row += T
        matrix = sparse.csr_array(
            (np.ones(sum(r.size for r in rows)), (np.concatenate(rows), np.concatenate(cols))),
            shape=(row, n_vars),
        )
        return LinearConstraint(matrix, -np.inf, np.concatenate(upper))

    def _symmetry_rows(
        self, columns: list[tuple[_Item, NDArray[np.int64]]], n_vars: int
    ) -> LinearConstraint | None:
        """Identical shiftable processes (same profile, starts and crew) start in list order."""
        groups: dict[tuple[Any, ...], list[int]] = {}
        position: list[int] = []
        at = 0
        for index, (item, options) in enumerate(columns):
            position.append(at)
            at += options.size
            if item.kind == "shiftable":
                key = (item.profile.tobytes(), item.starts.tobytes(), item.crew)
                groups.setdefault(key, []).append(index)
        rows, cols, vals = [], [], []
        row = 0
        for members in groups.values():
            for a, b in itertools.pairwise(members):
                starts = columns[a][1].astype(np.float64)
                rows += [np.full(starts.size, row), np.full(starts.size, row)]
                cols += [
                    position[a] + np.arange(starts.size),
                    position[b] + np.arange(starts.size),
                ]
                vals += [starts, -starts]
                row += 1
        if row == 0:
            return None
        matrix = sparse.csr_array(
            (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
            shape=(row, n_vars),
        )
        return LinearConstraint(matrix, -np.inf, np.zeros(row))


def _solve_mip(
    c: NDArray[np.float64],
    constraints: list[LinearConstraint],
    integrality: NDArray[np.float64],
    lower: NDArray[np.float64],
    upper: NDArray[np.float64],
    *,
    time_limit: float,
    start: NDArray[np.float64] | None,
) -> tuple[NDArray[np.float64] | None, str, float]:
    """HiGHS on min c·x: the solution (or None), "optimal" | "infeasible" | "limit", and the
    proven lower bound of the objective.

    scipy.optimize.milp cannot take a starting solution, so when scipy's bundled HiGHS binding is
    importable (scipy 1.15+; a private module) the model is passed to it directly with the
    heuristic schedule as the incumbent: HiGHS then prunes against it from the first node.
    Otherwise milp runs without one."""
    options = {"time_limit": float(time_limit), "mip_rel_gap": _REL_GAP}
    try:
        from scipy.optimize._highspy import _core as highspy
    except ImportError:  # pragma: no cover - other scipy versions
        highspy = None
    if highspy is None or start is None:
        outcome = milp(
            c,
            constraints=constraints,
            integrality=integrality,
            bounds=Bounds(lower, upper),
            options=options,
        )
        status = {0: "optimal", 2: "infeasible"}.get(outcome.status, "limit")
        dual = getattr(outcome, "mip_dual_bound", None)
        if status == "optimal" and (dual is None or not np.isfinite(dual)):
            dual = outcome.fun
        return outcome.x, status, float(dual) if dual is not None else math.nan
    matrix = sparse.vstack([k.A for k in constraints], format="csc")
    row_lower = np.concatenate([np.broadcast_to(k.lb, (k.A.shape[0],)) for k in constraints])
    row_upper = np.concatenate([np.broadcast_to(k.ub, (k.A.shape[0],)) for k in constraints])
    inf = highspy.kHighsInf
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = c.size, matrix.shape[0]
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = c.size, matrix.shape[0]
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
    lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
    lp.a_matrix_.value_ = matrix.data.astype(np.float64)
    lp.col_cost_ = c
    lp.col_lower_ = lower
    lp.col_upper_ = np.where(np.isinf(upper), inf, upper)
    lp.row_lower_ = np.where(np.isinf(row_lower), -inf, row_lower)
    lp.row_upper_ = np.where(np.isinf(row_upper), inf, row_upper)
    lp.integrality_ = [highspy.HighsVarType(int(i)) for i in integrality]
    solver = highspy._Highs()
    solver.setOptionValue("output_flag", False)
    for key, value in options.items():
        solver.setOptionValue(key, value)

    solver.passModel(lp)
    solver.setSolution(int(start.size), np.arange(start.size, dtype=np.int32), start)
    solver.run()
    model_status = solver.getModelStatus()
    info = solver.getInfo()
    if model_status == highspy.HighsModelStatus.kOptimal:
        status = "optimal"
    elif model_status == highspy.HighsModelStatus.kInfeasible:
        status = "infeasible"
    else:
        status = "limit"
    if status == "infeasible" or info.objective_function_value == inf:
        return None, status, math.nan
    x = np.asarray(solver.getSolution().col_value, dtype=np.float64)
    dual = float(info.mip_dual_bound)
    return x, status, dual if math.isfinite(dual) else math.nan


@dataclass
class _State:
    """A heuristic schedule: each flexible process's option, the process load (without the
    base load) and per crew how many of its processes run in each interval."""

    options: dict[str, Any]
    load: NDArray[np.float64]
    crew_busy: dict[str, NDArray[np.float64]]

    def copy(self) -> _State:
        return _State(
            dict(self.options),
            self.load.copy(),
            {c: busy.copy() for c, busy in self.crew_busy.items()},
        )


@dataclass
class _Best:
    """The cheapest schedule seen so far (by its true cost)."""

    cost: float
    state: _State


def _heuristic(model: _Model, *, deadline: float) -> dict[str, Any] | None:
    """The best schedule a local search finds before `deadline` (None when the greedy
    construction gets stuck on the cap or the crews).

    Construction: processes by decreasing energy, each where it adds least to the cost given
    those already placed (under the cap and the crews). Descent: move one process at a time to
    its best place while that lowers a surrogate of the cost. With a demand charge the surrogate
    also holds w·Σ site load² (which flattens the load so that a later move can lower the peak)
    and, in a second phase, a penalty on load above a target peak: the target is bisected between
    a lower bound (the peak each process forces alone) and the best peak found, each target
    tried by descents from the best schedule with random two- or three-process kicks. A single
    move cannot lower a peak that several processes hold, a target lowers them together. Before
    the bisection, schedules rounded from the linear relaxation are tried too (`_rounded`).
    Every schedule visited is measured by its true cost and the cheapest is returned."""
    items = sorted(model.flexible, key=lambda i: -float(i.profile.sum()))
    busy = {c: np.zeros(model.horizon) for c in model.crews}
    for item in model.items:
        if item.kind == "inflexible" and item.crew in busy:
            busy[item.crew][item.starts[0] : item.starts[0] + item.duration] += 1
    empty = _State({}, model.fixed.copy(), busy)
    state = empty.copy()
    if not all(_insert(model, state, item, 0.0) for item in items):
        return None
    _descend(model, state, items, 0.0, deadline)
    best = _Best(model.cost_of(state.load), state)

    def consider(candidate: _State) -> None:
        cost = model.cost_of(candidate.load)
        if cost < best.cost - 1e-9:
            best.cost, best.state = cost, candidate.copy()

    if model.charge == 0 or not items:
        return {"options": dict(state.options), "cost": best.cost}
    rng = np.random.default_rng(0)
    reference = float((model.base + model.fixed).max(initial=1.0)) or 1.0
    for weight in (0.02, 0.005):
        trial = empty.copy()
        w = weight * model.charge / (2 * reference)
        if all(_insert(model, trial, item, w) for item in items):
            _descend(model, trial, items, w, deadline)
            _descend(model, trial, items, 0.0, deadline)
            consider(trial)
    _rounded(model, empty, items, rng, deadline, consider)
    low = max((model._alone_peak(i) for i in items), default=0.0)
    high = float((model.base + best.state.load).max())
    while high - low > 1e-3 * high and time.perf_counter() < deadline:
        target = (low + high) / 2
        reached = _aim(model, best.state, items, target, rng, deadline, consider)
        if reached is None:
            low = target
        else:
            high = min(target, reached)
    # Then kicks around the best schedule at its own peak, until ten rounds bring nothing.
    idle = 0
    while idle < 10 and time.perf_counter() < deadline:
        before = best.cost
        peak = float((model.base + best.state.load).max())
        _aim(model, best.state, items, peak, rng, deadline, consider, tries=4)
        idle = idle + 1 if best.cost >= before - 1e-9 else 0
    return {"options": dict(best.state.options), "cost": best.cost}


def _rounded(
    model: _Model,
    empty: _State,
    items: list[_Item],
    rng: np.random.Generator,
    deadline: float,
    consider: Any,
) -> None:
    """Schedules rounded from the linear relaxation: each process where the relaxation puts
    most of it (then, in further rounds, at a start drawn by its fractional values), skipped to
    its best place when that breaks the cap or its crew; each descended towards the
    relaxation's peak. The relaxation spreads the load as flat as the windows allow, which the
    one-move local search cannot reach from a greedy start."""
    budget = min(0.3, 0.3 * (deadline - time.perf_counter()))
    if budget < 0.02:
        return
    relaxed = model.solve(budget, incumbent=None, relax=True)
    if "values" not in relaxed:
        return
    values = relaxed["values"]
    target = relaxed["peak"] * 1.002 if math.isfinite(relaxed["peak"]) else math.inf
    for round_ in range(4):
        if time.perf_counter() >= deadline:
            return
        state = empty.copy()
        for item in items:
            options, weights = values[item.name]
            weights = np.clip(weights, 0.0, None)
            if item.kind == "breakable":
                noise = 0 if round_ == 0 else rng.uniform(0, 0.3, weights.size)
                preferred: Any = np.sort(options[np.argsort(-(weights + noise))[: item.duration]])
            elif round_ == 0 or weights.sum() <= 0:
                preferred = int(options[int(np.argmax(weights))])
            else:
                preferred = int(rng.choice(options, p=weights / weights.sum()))
            if _fits(model, state, item, preferred):
                state.options[item.name] = preferred
                _apply(model, item, preferred, state, +1)
            elif not _insert(model, state, item, 0.0):
                break
        else:
            _descend(model, state, items, 0.0, deadline, target)
            consider(state)
            # A ladder of rising targets: energy bought back a little peak at a time (a free
            # descent would pile processes into the cheap hours in one go).
            floor = float((model.base + state.load).max())
            for step in range(1, 13):
                if time.perf_counter() >= deadline:
                    return
                _descend(model, state, items, 0.0, deadline, floor * (1 + 0.01 * step))
                consider(state)


def _fits(model: _Model, state: _State, item: _Item, option: Any) -> bool:
    """Whether `item` at `option` keeps the cap and its crew's exclusivity."""
    intervals, extra = _runs(item, option, model.horizon)
    if model.cap is not None and (model.base + state.load + extra > model.cap + _TOLERANCE).any():
        return False
    busy = state.crew_busy.get(item.crew) if item.crew is not None else None
    return busy is None or not (busy[intervals] > 0.5).any()


def _aim(
    model: _Model,
    start: _State,
    items: list[_Item],
    target: float,
    rng: np.random.Generator,
    deadline: float,
    consider: Any,
    tries: int = 6,
) -> float | None:
    """Try to bring the site load under `target` from `start`; the peak reached or None."""
    state = start.copy()
    _descend(model, state, items, 0.0, deadline, target)
    for attempt in range(tries + 1):
        peak = float((model.base + state.load).max())
        if peak <= target + _TOLERANCE:
            _descend(model, state, items, 0.0, deadline, target, pairs=True)
            consider(state)
            return float((model.base + state.load).max())
        if attempt == tries or time.perf_counter() >= deadline:
            break
        trial = state.copy()
        size = min(len(items), int(rng.integers(2, 4)))
        moved = [items[i] for i in rng.choice(len(items), size=size, replace=False)]
        old = {item.name: trial.options[item.name] for item in moved}
        for item in moved:
            _apply(model, item, trial.options.pop(item.name), trial, -1)
        for item in (moved[i] for i in rng.permutation(len(moved))):
            _insert(model, trial, item, 0.0, fallback=None, target=target) or _insert(
                model, trial, item, 0.0, fallback=old[item.name]
            )
        if len(trial.options) < len(state.options):
            continue
        _descend(model, trial, items, 0.0, deadline, target)
        if _surrogate(model, trial.load, 0.0, target) <= _surrogate(model, state.load, 0.0, target):
            state = trial
    consider(state)
    return None


def _surrogate(
    model: _Model, load: NDArray[np.float64], w: float, target: float = math.inf
) -> float:
    site = model.base + load
    value = model.cost_of(load) + w * float(site @ site)
    if math.isfinite(target):
        value += _OVER * model.charge * float(np.maximum(site - target, 0.0).sum())
    return value


def _descend(
    model: _Model,
    state: _State,
    items: list[_Item],
    w: float,
    deadline: float,
    target: float = math.inf,
    pairs: bool = False,
) -> float:
    """Move one process at a time to its best place until no move lowers the surrogate; with
    `pairs`, then also two at a time (both taken out, put back in either order), which swaps
    processes that block each other's cheaper places."""
    current = _surrogate(model, state.load, w, target)
    while time.perf_counter() < deadline:
        improved = False
        for item in items:
            old = state.options.pop(item.name)
            _apply(model, item, old, state, -1)
            _insert(model, state, item, w, fallback=old, target=target)
            value = _surrogate(model, state.load, w, target)
            if value < current - 1e-9 * max(1.0, abs(current)):
                improved = True
            current = min(current, value)
        if improved:
            continue
        if not pairs:
            break
        for a, first in enumerate(items):
            for second in items[a + 1 :]:
                if time.perf_counter() >= deadline:
                    return current
                trial = state.copy()
                for item in (first, second):
                    _apply(model, item, trial.options.pop(item.name), trial, -1)
                done = True
                for item in (second, first) if first.kind == "breakable" else (first, second):
                    done = done and _insert(model, trial, item, w, target=target)
                if not done:
                    continue
                value = _surrogate(model, trial.load, w, target)
                if value < current - 1e-9 * max(1.0, abs(current)):
                    state.options, state.load, state.crew_busy = (
                        trial.options,
                        trial.load,
                        trial.crew_busy,
                    )
                    current, improved = value, True
        if not improved:
            break
    return current


def _insert(
    model: _Model,
    state: _State,
    item: _Item,
    w: float,
    fallback: Any = None,
    target: float = math.inf,
) -> bool:
    """Place `item` where it adds least to the surrogate; False if it fits nowhere."""
    option = _best_place(model, item, state, w, target)
    if option is None:
        option = fallback
    if option is None:
        return False
    state.options[item.name] = option
    _apply(model, item, option, state, +1)
    return True


def _apply(model: _Model, item: _Item, option: Any, state: _State, sign: int) -> None:
    intervals, extra = _runs(item, option, model.horizon)
    state.load += sign * extra
    if item.crew in state.crew_busy:
        state.crew_busy[item.crew][intervals] += sign


def _best_place(
    model: _Model, item: _Item, state: _State, w: float, target: float = math.inf
) -> Any:
    """Where `item` adds least to the surrogate (cost + w·Σ site² + the penalty of load above
    `target`) given the rest (ties: the earliest), or None when the cap or its crew leave it no
    place."""
    over = _OVER * model.charge if math.isfinite(target) else 0.0
    site = model.base + state.load
    peak = float(site.max(initial=0.0))
    if math.isfinite(target):
        peak = max(peak, target)  # a target above the peak: rising up to it is paid for
    free = np.ones(model.horizon, dtype=bool)
    if item.crew in state.crew_busy:
        free = state.crew_busy[item.crew] < 0.5
    headroom = np.full(model.horizon, np.inf) if model.cap is None else model.cap - site
    if item.kind == "breakable":
        candidates = item.allowed[free[item.allowed]]
        candidates = candidates[headroom[candidates] >= item.power - _TOLERANCE]
        if candidates.size < item.duration:
            return None
        # Fill the cheapest intervals one at a time, charging any rise of the peak.
        p = item.power
        level = site[candidates].copy()
        energy = model.price[candidates] * p * model.hours
        taken = np.zeros(candidates.size, dtype=bool)
        for _ in range(item.duration):
            marginal = (
                energy
                + model.charge * np.maximum(level + p - peak, 0.0)
                + w * (2 * level * p + p * p)
            )
            if over:
                marginal += over * (
                    np.maximum(level + p - target, 0.0) - np.maximum(level - target, 0.0)
                )
            marginal[taken] = np.inf
            best = int(np.argmin(marginal))
            taken[best] = True
            level[best] += p
            peak = max(peak, float(level[best]))
        return candidates[taken]
    d = item.duration
    windows = np.lib.stride_tricks.sliding_window_view(site, d)[item.starts]
    blocks = windows + item.profile
    ok = np.ones(item.starts.size, dtype=bool)
    if model.cap is not None:
        ok &= (blocks <= model.cap + _TOLERANCE).all(axis=1)
    if item.crew in state.crew_busy:
        ok &= np.lib.stride_tricks.sliding_window_view(free, d)[item.starts].all(axis=1)
    if not ok.any():
        return None
    marginal = model.block_cost[item.name] + model.charge * np.maximum(
        blocks.max(axis=1) - peak, 0.0
    )
    if w:
        marginal = marginal + 2 * w * (windows @ item.profile)
    if over:
        marginal = marginal + over * (
            np.maximum(blocks - target, 0.0).sum(axis=1)
            - np.maximum(windows - target, 0.0).sum(axis=1)
        )
    marginal[~ok] = np.inf
    return int(item.starts[int(np.argmin(marginal))])
