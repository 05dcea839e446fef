"""Working dates for the schedule, from the platform's calendar (holidays and make-up days)."""

from __future__ import annotations

from datetime import date, timedelta

from jiceng.cases.calendar import working_calendar

BEFORE, AFTER = 400, 800  # days of calendar around the dates a schedule looks at


def workdays_around(first: date, last: date) -> list[date]:
    """The working dates from well before `first` to well after `last` (cpm continues beyond
    them on Mondays to Fridays)."""
    calendar = working_calendar()
    start = first - timedelta(days=BEFORE)
    days = (last - first).days + BEFORE + AFTER
    return [
        day
        for day in (start + timedelta(days=i) for i in range(days + 1))
        if calendar.is_workday(day)
    ]
