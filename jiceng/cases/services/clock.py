"""The clock of a case: the deadline it runs towards and when it turns yellow (80 % of its
working time used); stopped while the case is suspended or resolved."""

from __future__ import annotations

from datetime import datetime

from jiceng.cases.calendar import working_calendar
from jiceng.cases.models import (
    Case,
)

YELLOW_SHARE = 0.8  # a case turns yellow when 80 % of its time is used


def start_clock(case: Case, start: datetime, due: datetime) -> None:
    calendar = working_calendar()
    used = calendar.working_hours_between(start, due)
    case.clock_started_at = start
    case.clock_due_at = due
    case.clock_yellow_at = calendar.add_working_hours(start, used * YELLOW_SHARE) if used else due


def stop_clock(case: Case) -> None:
    case.clock_started_at = case.clock_yellow_at = case.clock_due_at = None


def resolve_clock(case: Case, now: datetime) -> None:
    """Run the clock towards the resolve deadline (set it first if there is none)."""
    if case.resolve_deadline is None:
        case.resolve_deadline = working_calendar().end_of_working_day(
            now, case.category.resolve_days
        )
    start_clock(case, case.accepted_at or now, case.resolve_deadline)
