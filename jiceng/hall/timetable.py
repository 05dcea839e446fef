"""A hall's timetable on a day, from its windows' weekly session plans: which plan a day follows
(its own weekday, none on a public holiday, Monday's on a make-up working day, or what a day of
exception says), which sessions run then, whether the hall takes tickets at a moment, and in
which kind of session (regular or tidal) a moment falls. Pure functions over plain values."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# A make-up working day (调休上班) on a weekend runs the plan of this weekday.
MAKE_UP_DAY_PLAN = 0  # Monday


@dataclass(frozen=True)
class PlannedSession:
    """One row of a weekly plan (as SessionPlan holds it)."""

    window_id: int
    weekday: int
    kind: str
    starts: time
    ends: time
    valid_from: date | None = None
    valid_until: date | None = None

    def in_force(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )


@dataclass(frozen=True)
class Session:
    """A session on a given day, as two aware moments."""

    window_id: int
    kind: str
    starts: datetime
    ends: datetime

    def contains(self, moment: datetime) -> bool:
        return self.starts <= moment < self.ends


def plan_weekday(
    day: date, *, exception: tuple[bool, int | None] | None, national_workday: bool | None
) -> int | None:
    """The weekday whose plan a hall runs on `day`, or None when it is closed.

    exception: the hall's own day of exception (is_open, plan_weekday), which wins.
    national_workday: the national calendar's entry for the day (False: a public holiday;
    True: a make-up working day; None: an ordinary day).
    """
    if exception is not None:
        is_open, weekday = exception
        if not is_open:
            return None
        return day.weekday() if weekday is None else weekday
    if national_workday is False:
        return None
    if national_workday is True and day.weekday() >= 5:
        return MAKE_UP_DAY_PLAN
    return day.weekday()


def sessions_on(
    plans: Iterable[PlannedSession], day: date, weekday: int | None, zone: ZoneInfo
) -> list[Session]:
    """The sessions running on `day` when it follows the plan of `weekday` (None: closed)."""
    if weekday is None:
        return []
    sessions = [
        Session(
            window_id=p.window_id,
            kind=p.kind,
            starts=datetime.combine(day, p.starts, zone),
            ends=datetime.combine(day, p.ends, zone),
        )
        for p in plans
        if p.weekday == weekday and p.in_force(day)
    ]
    sessions.sort(key=lambda s: (s.starts, s.window_id))
    return sessions


def planned_soon(sessions: Sequence[Session], moment: datetime, before: timedelta) -> list[Session]:
    """Sessions running at `moment` or starting within `before` of it."""
    return [s for s in sessions if s.starts - before <= moment < s.ends]


def next_start(sessions: Sequence[Session], moment: datetime) -> datetime | None:
    return min((s.starts for s in sessions if s.starts > moment), default=None)


def session_kind_at(sessions: Sequence[Session], window_id: int, moment: datetime) -> str:
    """The kind of the window's session at `moment`; "" outside its planned sessions."""
    for session in sessions:
        if session.window_id == window_id and session.contains(moment):
            return session.kind
    return ""
