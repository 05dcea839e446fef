"""Demand-response baselines (需求响应基线) and the verification of an event, for many meters.

A demand-response event asks enterprises to lower their load in a window of one day. What each
one would have drawn without the event, the baseline, is estimated from its load on earlier
days; the reduction is baseline minus actual, and compensation is paid for it when it reaches
the commitment. Zhejiang's own baseline text is not verified, so every rule is a parameter:

- `Method("recent_workdays", days=5)` (the default, as Jiangsu 2015): the mean, interval by
  interval, of the `days` most recent eligible days before the event day;
- `Method("high_x_of_y", days=10, highest=5)` (as Beijing 2015, CAISO 5-of-10): of the `days`
  (y) most recent eligible days, the `highest` (x) by energy in the event window, averaged;
- either with `adjust=True`: the day-of adjustment (CAISO): the baseline is multiplied by the
  ratio of the event day's actual load to the baseline over the hours from `adjust_hours[0]` to
  `adjust_hours[1]` before the window (default 4 to 1), clamped to `adjust_clamp` (0.8–1.2).

Eligible days are workdays by the calendar (weekends and holidays left out, make-up workdays
(调休上班) in), not earlier event days, and, per meter, days whose readings in the intervals used
(the window and the adjustment hours) are all present (NaN marks a missing reading). The
calendar is an input, never looked up: a callable `date -> bool` (True on a workday), a mapping
of exceptions `date -> bool` over Monday-to-Friday weeks (the shape of the core working
calendar), or a collection of the workdays themselves; `workdays(holidays, makeup_days)` builds
the callable.

`verify(loads, days, event_day, window, commitment_kw, price=..., calendar=...)` then gives per
meter: the baseline and actual kW (means over the window), the reduction, whether it is effective
(reduction ≥ `effective_ratio` × commitment, default 0.8), the paid kWh (the reduction, at most
`cap_ratio` × commitment (default 1.2), times the window's hours) and the compensation (paid kWh ×
price when effective, else 0). A meter with no eligible day has a NaN baseline and is not
effective.

`loads` is one array (meters × days × intervals of a day, kW mean per interval) with `days` the
dates of its second axis (the event day among them, giving the actual load); everything is
computed with numpy over all meters at once (2,000 meters × 60 days × 96 intervals in well under
a second).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from jiceng.planning.validation import nonnegative_array, nonnegative_number

__all__ = [
    "BaselineError",
    "Method",
    "Verification",
    "baseline",
    "eligible_days",
    "verify",
    "workdays",
]

Calendar = Callable[[date], bool] | Mapping[date, bool] | Collection[date]


class BaselineError(ValueError):
    """Bad input to a baseline computation; `field` names the argument at fault."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Method:
    """How the baseline is computed (see the module docstring); the default is Jiangsu's 5 most
    recent workdays without adjustment."""

    kind: Literal["recent_workdays", "high_x_of_y"] = "recent_workdays"
    days: int = 5
    highest: int = 5
    adjust: bool = False
    adjust_hours: tuple[float, float] = (4.0, 1.0)
    adjust_clamp: tuple[float, float] = (0.8, 1.2)

    def check(self) -> None:
        if self.kind not in ("recent_workdays", "high_x_of_y"):
            raise BaselineError(f"unknown baseline method {self.kind!r}", field="method")
        if self.days < 1:
            raise BaselineError("method: days must be at least 1", field="method")
        if self.kind == "high_x_of_y" and not 1 <= self.highest <= self.days:
            raise BaselineError(
                f"method: highest (x = {self.highest}) must be within 1..days (y = {self.days})",
                field="method",
            )
        first, last = self.adjust_hours
        if not first > last >= 0:
            raise BaselineError(
                "method: adjust_hours must be (start, end) hours before the window, start > end",
                field="method",
            )
        low, high = self.adjust_clamp
        if not 0 < low <= 1 <= high:
            raise BaselineError("method: adjust_clamp must be (low <= 1 <= high)", field="method")


@dataclass
class Verification:
    """Per meter (arrays over the first axis of `loads`): kW means over the window, the result,
    and how the baseline was made (`days_used`: how many days; `adjustment`: the clamped day-of
    ratio, 1 without adjustment; `selected`: meters × days, True for the days averaged)."""

    baseline_kw: NDArray[np.float64]
    actual_kw: NDArray[np.float64]
    reduction_kw: NDArray[np.float64]
    effective: NDArray[np.bool_]
    paid_kwh: NDArray[np.float64]
    compensation: NDArray[np.float64]
    days_used: NDArray[np.int64]
    adjustment: NDArray[np.float64]
    selected: NDArray[np.bool_]
    window_hours: float

    def rows(self) -> list[dict[str, Any]]:
        """One dict per meter, plain Python numbers (NaN baseline → None)."""

        def number(value: float) -> float | None:
            return None if math.isnan(value) else float(value)

        return [
            {
                "baseline_kw": number(self.baseline_kw[m]),
                "actual_kw": number(self.actual_kw[m]),
                "reduction_kw": number(self.reduction_kw[m]),
                "effective": bool(self.effective[m]),
                "paid_kwh": float(self.paid_kwh[m]),
                "compensation": float(self.compensation[m]),
                "days_used": int(self.days_used[m]),
                "adjustment": float(self.adjustment[m]),
            }
            for m in range(self.baseline_kw.size)
        ]


def workdays(
    holidays: Collection[date] = (), makeup_days: Collection[date] = ()
) -> Callable[[date], bool]:
    """A calendar: Monday to Friday, less `holidays`, plus `makeup_days` (调休 workdays)."""
    off, on = frozenset(holidays), frozenset(makeup_days)

    def is_workday(day: date) -> bool:
        if day in on:
            return True
        return day.weekday() < 5 and day not in off

    return is_workday


def _calendar(calendar: Calendar) -> Callable[[date], bool]:
    if callable(calendar):
        return calendar
    if isinstance(calendar, Mapping):
        exceptions = calendar
        return lambda day: bool(exceptions.get(day, day.weekday() < 5))
    members = frozenset(calendar)
    return lambda day: day in members


def eligible_days(
    days: Sequence[date],
    event_day: date,
    *,
    calendar: Calendar,
    event_days: Collection[date] = (),
) -> NDArray[np.bool_]:
    """Which of `days` may serve a baseline for `event_day`: workdays before it that were not
    event days themselves."""
    is_workday = _calendar(calendar)
    excluded = frozenset(event_days)
    return np.array(
        [d < event_day and d not in excluded and bool(is_workday(d)) for d in days], dtype=bool
    )


def _select(
    usable: NDArray[np.bool_],
    energy: NDArray[np.float64],
    order: NDArray[np.int64],
    method: Method,
) -> NDArray[np.bool_]:
    """Meters × days: the days each meter's baseline averages. `order` lists day indices from
    the most recent backwards."""
    ranked = usable[:, order]
    rank = np.cumsum(ranked, axis=1)
    recent = ranked & (rank <= method.days)
    if method.kind == "high_x_of_y":
        score = np.where(recent, energy[:, order], -np.inf)
        # Stable sort on -score keeps the more recent day first among equal energies.
        by_energy = np.argsort(-score, axis=1, kind="stable")[:, : method.highest]
        top = np.zeros_like(recent)
        np.put_along_axis(top, by_energy, True, axis=1)
        recent &= top
    selected = np.zeros_like(usable)
    selected[:, order] = recent
    return selected


def baseline(
    loads: ArrayLike,
    days: Sequence[date],
    event_day: date,
    window: tuple[int, int],
    *,
    calendar: Calendar,
    event_days: Collection[date] = (),
    method: Method | None = None,
    interval_hours: float | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.bool_], NDArray[np.float64]]:
    """The baseline profile over `window` (meters × window intervals, kW), the days selected
    (meters × days) and the day-of adjustment ratio applied (meters; 1 without adjustment)."""
    method = method or Method()
    method.check()
    array, index, start, end, lo, adjust_end = _inputs(
        loads, days, event_day, window, interval_hours, method
    )
    part = array[:, :, lo:end]  # from the adjustment hours (if any) to the window's end
    if (part < 0).any():  # NaN compares False: missing readings pass
        raise BaselineError("loads must not be negative", field="loads")
    cut, used = start - lo, adjust_end - lo
    bad = ~np.isfinite(part)
    complete = ~(bad[:, :, :used].any(axis=2) | bad[:, :, cut:].any(axis=2))
    usable = complete & eligible_days(days, event_day, calendar=calendar, event_days=event_days)
    filled = np.where(bad, 0.0, part)
    energy = filled[:, :, cut:].sum(axis=2)
    order = np.argsort([d.toordinal() for d in days], kind="stable")[::-1]
    selected = _select(usable, energy, order.astype(np.int64), method)
    count = selected.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        profile = np.einsum("md,mdt->mt", selected.astype(np.float64), filled) / count[:, None]
    ratio = np.ones(array.shape[0])
    if method.adjust and used > 0:
        actual = array[:, index, lo:adjust_end]
        with np.errstate(invalid="ignore", divide="ignore"):
            raw = actual.mean(axis=1) / profile[:, :used].mean(axis=1)
        raw = np.where(np.isfinite(raw), raw, 1.0)
        ratio = np.clip(raw, *method.adjust_clamp)
    return profile[:, cut:] * ratio[:, None], selected, ratio


def _inputs(
    loads: ArrayLike,
    days: Sequence[date],
    event_day: date,
    window: tuple[int, int],
    interval_hours: float | None,
    method: Method,
) -> tuple[NDArray[np.float64], int, int, int, int, int]:
    array = np.asarray(loads, dtype=np.float64)
    if array.ndim == 2:
        array = array[None]
    if array.ndim != 3:
        raise BaselineError("loads must be meters × days × intervals", field="loads")
    if array.shape[1] != len(days):
        raise BaselineError(
            f"loads has {array.shape[1]} days but days lists {len(days)}", field="days"
        )
    if len(set(days)) != len(days):
        raise BaselineError("days lists a date twice", field="days")
    if event_day not in days:
        raise BaselineError(f"the event day {event_day} is not among days", field="event_day")
    intervals = array.shape[2]
    hours = 24.0 / intervals if interval_hours is None else float(interval_hours)
    start, end = int(window[0]), int(window[1])
    if not 0 <= start < end <= intervals:
        raise BaselineError(
            f"window must be [start, end) within 0..{intervals}, not {window}", field="window"
        )
    lo = adjust_end = start
    if method.adjust:
        # The adjustment hours, cut at midnight (a window early in the day has fewer or none).
        lo = max(0, start - round(method.adjust_hours[0] / hours))
        adjust_end = max(0, start - round(method.adjust_hours[1] / hours))
    return array, list(days).index(event_day), start, end, lo, adjust_end


def verify(
    loads: ArrayLike,
    days: Sequence[date],
    event_day: date,
    window: tuple[int, int],
    commitment_kw: ArrayLike,
    *,
    price: ArrayLike,
    calendar: Calendar,
    event_days: Collection[date] = (),
    method: Method | None = None,
    effective_ratio: float = 0.8,
    cap_ratio: float = 1.2,
    interval_hours: float | None = None,
) -> Verification:
    """Baseline, actual, reduction, effectiveness, paid kWh and compensation per meter for one
    event (module docstring). `commitment_kw` and `price` (yuan/kWh) are per meter or one for
    all."""
    method = method or Method()
    array = np.asarray(loads, dtype=np.float64)
    if array.ndim == 2:
        array = array[None]
    meters = array.shape[0]
    commitment = _per_meter("commitment_kw", commitment_kw, meters)
    prices = _per_meter("price", price, meters)
    effective_share = nonnegative_number("effective_ratio", effective_ratio)
    cap_share = nonnegative_number("cap_ratio", cap_ratio)
    profile, selected, ratio = baseline(
        array,
        days,
        event_day,
        window,
        calendar=calendar,
        event_days=event_days,
        method=method,
        interval_hours=interval_hours,
    )
    index = list(days).index(event_day)
    start, end = int(window[0]), int(window[1])
    hours = 24.0 / array.shape[2] if interval_hours is None else float(interval_hours)
    base_kw = profile.mean(axis=1)
    actual_kw = array[:, index, start:end].mean(axis=1)
    reduction = base_kw - actual_kw
    known = np.isfinite(reduction)
    effective = known & (reduction >= effective_share * commitment - 1e-9)
    window_hours = (end - start) * hours
    paid = np.where(
        known, np.clip(np.where(known, reduction, 0.0), 0.0, cap_share * commitment), 0.0
    )
    paid_kwh = paid * window_hours
    return Verification(
        baseline_kw=base_kw,
        actual_kw=actual_kw,
        reduction_kw=reduction,
        effective=effective,
        paid_kwh=paid_kwh,
        compensation=np.where(effective, paid_kwh * prices, 0.0),
        days_used=selected.sum(axis=1).astype(np.int64),
        adjustment=ratio,
        selected=selected,
        window_hours=window_hours,
    )


def _per_meter(name: str, value: ArrayLike, meters: int) -> NDArray[np.float64]:
    try:
        array = nonnegative_array(name, value)
    except ValueError as error:
        raise BaselineError(str(error), field=name) from error
    if array.ndim == 0:
        return np.full(meters, float(array))
    if array.shape != (meters,):
        raise BaselineError(f"{name}: one value per meter ({meters}) or one for all", field=name)
    return array
