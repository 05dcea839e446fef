"""Demand-response baselines: a hand-computed enterprise, the days that are left out, high x of
y, the day-of adjustment and its clamp, the effective threshold and the 120 % cap."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np
import pytest

from jiceng.planning.baseline import BaselineError, Method, eligible_days, verify, workdays

FIRST = date(2026, 7, 1)  # a Wednesday
DAYS = [FIRST + timedelta(days=i) for i in range(15)]  # to Wednesday 15 July, the event day
EVENT = date(2026, 7, 15)
WINDOW = (14, 16)  # 14:00-16:00 on hourly readings
HOLIDAY = date(2026, 7, 10)  # a Friday off
MAKEUP = date(2026, 7, 12)  # a Sunday worked (调休)
EARLIER_EVENT = date(2026, 7, 13)
CALENDAR = workdays(holidays={HOLIDAY}, makeup_days={MAKEUP})


def day_loads(event_actual: float = 60.0, before: float = 50.0) -> np.ndarray:
    """One meter, hourly: 50 kW outside the window; in it 100 + 10 × the day of the month on
    the days that count, 999 on days that must be left out; `event_actual` in the event's
    window and `before` in the hours before it on the event day."""
    loads = np.full((len(DAYS), 24), 50.0)
    for i, day in enumerate(DAYS):
        counts = CALENDAR(day) and day not in (EARLIER_EVENT, EVENT)
        loads[i, 14:16] = 100 + 10 * day.day if counts else 999.0
    event = DAYS.index(EVENT)
    loads[event, 14:16] = event_actual
    loads[event, 10:13] = before
    return loads


def test_the_eligible_days_leave_out_weekends_holidays_and_earlier_events() -> None:
    mask = eligible_days(DAYS, EVENT, calendar=CALENDAR, event_days={EARLIER_EVENT})
    chosen = [d.day for d, ok in zip(DAYS, mask, strict=True) if ok]
    # 4-5 July a weekend, 10 July a holiday, 11 July a Saturday, 13 July an earlier event, 15 July
    # the event itself; 12 July (a Sunday) is a make-up workday and counts.
    assert chosen == [1, 2, 3, 6, 7, 8, 9, 12, 14]


def test_a_hand_computed_enterprise() -> None:
    loads = np.stack([day_loads()] * 3)
    result = verify(
        loads,
        DAYS,
        EVENT,
        WINDOW,
        commitment_kw=[150, 200, 100],
        price=4.0,
        calendar=CALENDAR,
        event_days={EARLIER_EVENT},
    )
    # The five most recent eligible days: 14, 12, 9, 8, 7 July: (240+220+190+180+170)/5 = 200.
    assert result.baseline_kw.tolist() == pytest.approx([200, 200, 200])
    assert result.actual_kw.tolist() == pytest.approx([60, 60, 60])
    assert result.reduction_kw.tolist() == pytest.approx([140, 140, 140])
    # 140 ≥ 0.8 × 150 = 120: effective; 140 < 0.8 × 200 = 160: not; 140 ≥ 80: effective.
    assert result.effective.tolist() == [True, False, True]
    # Paid: the reduction up to 1.2 × the commitment (180, 240, 120 kW) over the 2 h window.
    assert result.paid_kwh.tolist() == pytest.approx([280, 280, 240])
    assert result.compensation.tolist() == pytest.approx([1120, 0, 960])
    assert result.days_used.tolist() == [5, 5, 5]
    used = [d.day for d, ok in zip(DAYS, result.selected[0], strict=True) if ok]
    assert used == [7, 8, 9, 12, 14]
    assert result.window_hours == 2.0
    row = result.rows()[0]
    assert row == {
        "baseline_kw": pytest.approx(200),
        "actual_kw": pytest.approx(60),
        "reduction_kw": pytest.approx(140),
        "effective": True,
        "paid_kwh": pytest.approx(280),
        "compensation": pytest.approx(1120),
        "days_used": 5,
        "adjustment": 1.0,
    }


def test_the_calendar_may_be_a_mapping_of_exceptions_or_a_set_of_workdays() -> None:
    loads = day_loads()[None]
    exceptions = {HOLIDAY: False, MAKEUP: True}
    listed = {d for d in DAYS if CALENDAR(d)}
    for calendar in (exceptions, listed):
        result = verify(
            loads,
            DAYS,
            EVENT,
            WINDOW,
            150,
            price=4.0,
            calendar=calendar,
            event_days={EARLIER_EVENT},
        )
        assert result.baseline_kw[0] == pytest.approx(200)


def test_without_the_earlier_event_left_out_its_day_counts() -> None:
    result = verify(day_loads()[None], DAYS, EVENT, WINDOW, 150, price=4.0, calendar=CALENDAR)
    # 14, 13 (999), 12, 9, 8 July.
    assert result.baseline_kw[0] == pytest.approx((240 + 999 + 220 + 190 + 180) / 5)


def test_high_x_of_y() -> None:
    method = Method("high_x_of_y", days=5, highest=3)
    result = verify(
        day_loads()[None],
        DAYS,
        EVENT,
        WINDOW,
        150,
        price=4.0,
        calendar=CALENDAR,
        event_days={EARLIER_EVENT},
        method=method,
    )
    # Of 240, 220, 190, 180, 170 the three highest.
    assert result.baseline_kw[0] == pytest.approx((240 + 220 + 190) / 3)
    assert result.days_used[0] == 3
    # Ten days asked for, nine eligible before the event: the five highest of those nine.
    loads = day_loads()
    loads[DAYS.index(date(2026, 7, 1)), 14:16] = 500  # an old but high day
    method = Method("high_x_of_y", days=10, highest=5)
    result = verify(
        loads[None],
        DAYS,
        EVENT,
        WINDOW,
        150,
        price=4.0,
        calendar=CALENDAR,
        event_days={EARLIER_EVENT},
        method=method,
    )
    assert result.baseline_kw[0] == pytest.approx((500 + 240 + 220 + 190 + 180) / 5)


@pytest.mark.parametrize(
    ("before", "ratio"),
    [(55.0, 1.1), (100.0, 1.2), (20.0, 0.8), (50.0, 1.0)],
)
def test_the_day_of_adjustment_and_its_clamp(before: float, ratio: float) -> None:
    # Hours 10-13 (4 to 1 hours before 14:00): baseline 50 kW on every day used.
    result = verify(
        day_loads(before=before)[None],
        DAYS,
        EVENT,
        WINDOW,
        150,
        price=4.0,
        calendar=CALENDAR,
        event_days={EARLIER_EVENT},
        method=Method(adjust=True),
    )
    assert result.adjustment[0] == pytest.approx(ratio)
    assert result.baseline_kw[0] == pytest.approx(200 * ratio)
    assert result.reduction_kw[0] == pytest.approx(200 * ratio - 60)


def test_the_effective_threshold_and_the_cap_are_parameters() -> None:
    loads = day_loads()[None]
    common: dict[str, Any] = {"price": 4.0, "calendar": CALENDAR, "event_days": {EARLIER_EVENT}}
    at = verify(loads, DAYS, EVENT, WINDOW, 175, **common)  # 140 = 0.8 × 175 exactly
    assert at.effective[0]
    assert at.paid_kwh[0] == pytest.approx(280)
    below = verify(loads, DAYS, EVENT, WINDOW, 176, **common)
    assert not below.effective[0] and below.compensation[0] == 0
    lenient = verify(loads, DAYS, EVENT, WINDOW, 176, effective_ratio=0.5, **common)
    assert lenient.effective[0] and lenient.compensation[0] == pytest.approx(1120)
    capped = verify(loads, DAYS, EVENT, WINDOW, 100, cap_ratio=1.0, **common)
    assert capped.paid_kwh[0] == pytest.approx(200)  # 100 kW × 2 h


def test_a_missing_reading_leaves_that_day_out_for_that_meter_only() -> None:
    clean = day_loads()
    gap = clean.copy()
    gap[DAYS.index(date(2026, 7, 14)), 15] = np.nan
    result = verify(
        np.stack([clean, gap]),
        DAYS,
        EVENT,
        WINDOW,
        150,
        price=4.0,
        calendar=CALENDAR,
        event_days={EARLIER_EVENT},
    )
    assert result.baseline_kw[0] == pytest.approx(200)
    # 12, 9, 8, 7, 6 July.
    assert result.baseline_kw[1] == pytest.approx((220 + 190 + 180 + 170 + 160) / 5)


def test_no_eligible_day_gives_no_baseline_and_no_payment() -> None:
    result = verify(
        day_loads()[None], DAYS, date(2026, 7, 1), WINDOW, 150, price=4.0, calendar=CALENDAR
    )
    assert np.isnan(result.baseline_kw[0])
    assert not result.effective[0] and result.compensation[0] == 0
    assert result.rows()[0]["baseline_kw"] is None


def test_bad_input_is_refused() -> None:
    loads = day_loads()[None]
    with pytest.raises(BaselineError, match="event day") as caught:
        verify(loads, DAYS, date(2026, 8, 1), WINDOW, 1, price=1, calendar=CALENDAR)
    assert caught.value.field == "event_day"
    with pytest.raises(BaselineError, match="window"):
        verify(loads, DAYS, EVENT, (20, 30), 1, price=1, calendar=CALENDAR)
    with pytest.raises(BaselineError, match="days"):
        verify(loads, DAYS[:-1], EVENT, WINDOW, 1, price=1, calendar=CALENDAR)
    with pytest.raises(BaselineError, match="highest"):
        verify(
            loads,
            DAYS,
            EVENT,
            WINDOW,
            1,
            price=1,
            calendar=CALENDAR,
            method=Method("high_x_of_y", days=3, highest=5),
        )
    with pytest.raises(BaselineError, match="commitment"):
        verify(loads, DAYS, EVENT, WINDOW, [1, 2], price=1, calendar=CALENDAR)
