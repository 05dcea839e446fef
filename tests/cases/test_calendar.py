from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from jiceng.cases.calendar import CALENDAR_CACHE, working_calendar

TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def calendar(db):
    CALENDAR_CACHE.forget()
    yield working_calendar()
    CALENDAR_CACHE.forget()


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


def test_spring_festival_and_its_make_up_saturday(calendar):
    assert not calendar.is_workday(at(2026, 2, 16).date())  # Monday, holiday
    assert calendar.is_workday(at(2026, 2, 14).date())  # Saturday, make-up working day
    assert calendar.is_workday(at(2026, 2, 24).date())
    assert not calendar.is_workday(at(2026, 3, 7).date())  # an ordinary Saturday


def test_working_hours_skip_lunch_nights_and_weekends(calendar):
    # Friday 16:30 + 4 working hours: 1 h on Friday, then Monday 08:30–11:30.
    assert calendar.add_working_hours(at(2026, 3, 6, 16, 30), 4) == at(2026, 3, 9, 11, 30)
    # 11:00 + 2 h: one hour before lunch, one after (13:30–14:30).
    assert calendar.add_working_hours(at(2026, 3, 9, 11, 0), 2) == at(2026, 3, 9, 14, 30)


def test_working_hours_jump_the_national_day_holiday(calendar):
    # Wednesday 30 September 2026 17:00 + 1 h: 30 min that day, then 8 October 08:30–09:00.
    assert calendar.add_working_hours(at(2026, 9, 30, 17, 0), 1) == at(2026, 10, 8, 9, 0)


def test_n_working_days_count_from_the_next_day(calendar):
    # Accepted Thursday 12 Feb 2026; 2 working days: Sat 14 Feb (make-up) is the second.
    assert calendar.end_of_working_day(at(2026, 2, 12, 10, 0), 2) == at(2026, 2, 14, 17, 30)
    assert calendar.end_of_working_day(at(2026, 3, 9, 10, 0), 0) == at(2026, 3, 9, 17, 30)
    assert calendar.end_of_working_day(at(2026, 3, 9, 18, 0), 0) == at(2026, 3, 10, 17, 30)


def test_working_hours_between_counts_office_time_only(calendar):
    assert calendar.working_hours_between(at(2026, 3, 6, 16, 30), at(2026, 3, 9, 11, 30)) == 4
    assert calendar.working_hours_between(at(2026, 3, 9, 12, 0), at(2026, 3, 9, 13, 30)) == 0
