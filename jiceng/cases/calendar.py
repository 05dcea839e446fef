"""Working time: deadlines in working hours and working days, on the national calendar of public
holidays and make-up working days (CalendarDay rows, loaded per year from reference data) and
the deployment's office hours (settings.WORKING_HOURS, local time)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from jiceng.core.caching import ProcessCache, process_cache

_CACHE_SECONDS = 300.0


@dataclass(frozen=True)
class WorkingCalendar:
    exceptions: dict[date, bool]  # date -> is a working day
    periods: tuple[tuple[time, time], ...]  # office hours of a working day, local time
    zone: ZoneInfo

    def is_workday(self, day: date) -> bool:
        return self.exceptions.get(day, day.weekday() < 5)

    def _local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)

    def _periods_of(self, day: date) -> list[tuple[datetime, datetime]]:
        if not self.is_workday(day):
            return []
        return [
            (datetime.combine(day, a, self.zone), datetime.combine(day, b, self.zone))
            for a, b in self.periods
        ]

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        """The moment `hours` of office time after `start` (which may be outside office hours)."""
        remaining = timedelta(hours=hours)
        moment = self._local(start)
        day = moment.date()
        for _ in range(3660):  # ten years of days: a bound, never reached with real calendars
            for begin, end in self._periods_of(day):
                if moment >= end:
                    continue
                begin = max(begin, moment)
                if begin + remaining <= end:
                    return begin + remaining
                remaining -= end - begin
            day += timedelta(days=1)
            moment = datetime.combine(day, time.min, self.zone)
        raise ValueError("no working time found within ten years")

    def end_of_working_day(self, start: datetime, days: int) -> datetime:
        """The close of office hours on the `days`-th working day after the day of `start`
        ("within N working days" counts from the next day). With 0: today's close if today is a
        working day not yet over, else the next working day's close."""
        moment = self._local(start)
        day = moment.date()
        count = 0
        for _ in range(3660):  # ten years of days: a bound, never reached with real calendars
            periods = self._periods_of(day)
            if days == 0:
                if periods and (day > moment.date() or moment < periods[-1][1]):
                    return periods[-1][1]
            elif day > moment.date() and periods:
                count += 1
                if count == days:
                    return periods[-1][1]
            day += timedelta(days=1)
        raise ValueError("no working day found within ten years")

    def working_hours_between(self, start: datetime, end: datetime) -> float:
        """Office hours between two moments (0 if end is before start)."""
        if end <= start:
            return 0.0
        a, b = self._local(start), self._local(end)
        total = timedelta()
        day = a.date()
        while day <= b.date():
            for begin, finish in self._periods_of(day):
                lo, hi = max(begin, a), min(finish, b)
                if hi > lo:
                    total += hi - lo
            day += timedelta(days=1)
        return total.total_seconds() / 3600


CALENDAR_CACHE: ProcessCache[WorkingCalendar] = process_cache(
    "cases.calendar", seconds=_CACHE_SECONDS
)


def parse_working_hours(spec: str) -> tuple[tuple[time, time], ...]:
    """'08:30-12:00,13:30-17:30' → ((08:30, 12:00), (13:30, 17:30))."""
    periods = []
    for part in spec.split(","):
        start, end = (time.fromisoformat(p.strip()) for p in part.split("-"))
        if end <= start:
            raise ValueError(f"working period {part!r} ends before it starts")
        periods.append((start, end))
    periods.sort()
    return tuple(periods)


def working_calendar() -> WorkingCalendar:
    """The calendar, cached for a few minutes per process (`CALENDAR_CACHE.forget()` after a
    change)."""
    return CALENDAR_CACHE.get_one(_calendar_load)


def _calendar_load() -> WorkingCalendar:
    from jiceng.cases.models import CalendarDay

    return WorkingCalendar(
        exceptions=dict(CalendarDay.objects.values_list("date", "is_workday")),
        periods=parse_working_hours(settings.WORKING_HOURS),
        zone=ZoneInfo(settings.TIME_ZONE),
    )
