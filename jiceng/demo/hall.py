"""The demo county's medical-insurance service network and its history.

The network: the service catalogue; 1 county centre, a town centre in each town, a station in
each village and community, every bank outlet of the county (医银一体化), enterprise stations in
the two towns with the most enterprises, and a care post (幸福医保驿站) in each town; halls with
windows at the county and town centres, their weekly plans, and tidal sessions (early, noon,
late, Saturday) at the county centre from 22 July; the tidal rules.

The history, over `months` months before `as_of`: tickets of every hall with the patterns of a
real hall (Monday and month-start peaks, the morning peak, enterprises at month end, nothing on
public holidays), served by a simulation of the hall's windows (first come, first served, each
window its groups and its sessions), so that waits, handling times, windows and sessions hold
together; handling times that fall by a fifth at the county centre after the tidal windows open,
ratings on the five levels of 好差评 (all satisfied from then on); and handling records at bank
outlets, village stations, enterprise stations and care posts, growing as delegation spreads.

It builds on the core demo (regions, organisations with their sites, residents, users): run it
after `jiceng.demo.seed`; `demo_hall_delete` removes it again (before the core demo's own
deletion). Synthetic rows leave no audit entries. Tickets and handling records are planned in
memory and written in large batches (executemany); the KPI summaries of the history are built
at the end. Deterministic by seed, except what is random by
design (kiosk keys and ticket keys, which are secrets).
"""

from __future__ import annotations

import math
import secrets
import time as _time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from jiceng.cases.calendar import working_calendar
from jiceng.core.models import Organisation, Person, Region, RegionLevel, Site, User
from jiceng.core.scope import region_prefix_q
from jiceng.demo.profile import county_profile
from jiceng.hall.models import (
    TIDAL_SESSION_KINDS,
    Appointment,
    Audience,
    Hall,
    HallDay,
    HandlingDayStat,
    HandlingRecord,
    Outcome,
    PointKind,
    Priority,
    QueueCounter,
    ServiceItem,
    ServicePoint,
    SessionKind,
    SessionPlan,
    SummaryDay,
    Ticket,
    TicketDayStat,
    TicketSource,
    TicketStatus,
    TidalRule,
    TravelModel,
    TravelTime,
    Window,
    WindowEvent,
    new_key,
)
from jiceng.hall.services.catalogue import catalogue_load
from jiceng.hall.services.summaries import summaries_build

ZONE = ZoneInfo(settings.TIME_ZONE)
BATCH = 5_000
FLUSH_ROWS = 50_000
TIDAL_START = (7, 22)  # the seed: tidal windows since 22 July
COUNTY_DAILY = 420  # tickets on an ordinary day at the county centre
TOWN_DAILY_BASE, TOWN_DAILY_PER_SHARE = 30, 700  # a town: base + its share of the population
# Windows are staffed for this share of their regular hours on an ordinary day (peaks exceed it).
PLANNED_OCCUPANCY, MINUTES_PER_TICKET, REGULAR_MINUTES = 0.65, 10.0, 420
WEEKDAY_FACTOR = (1.35, 1.1, 1.0, 0.95, 0.9, 1.0, 1.0)
# Arrivals in regular hours by half hour (start minute of the day, weight): tickets are taken
# from 30 minutes before opening; the morning is busier than the afternoon.
ARRIVALS = (
    (480, 0.5), (510, 1.4), (540, 1.8), (570, 1.9), (600, 1.7), (630, 1.4), (660, 1.0), (690, 0.5),
    (780, 0.5), (810, 1.1), (840, 1.3), (870, 1.3), (900, 1.1), (930, 0.9), (960, 0.6), (990, 0.3),
)  # fmt: skip
REGULAR = ((510, 720), (810, 1020))  # 08:30–12:00, 13:30–17:00
TIDAL_SESSIONS = {  # window role -> weekday sessions added from the tidal start
    "early": ((480, 510, SessionKind.EARLY), (720, 810, SessionKind.NOON)),
    "late": ((720, 810, SessionKind.NOON), (1020, 1080, SessionKind.LATE)),
}
SATURDAY = ((540, 720, SessionKind.SATURDAY),)  # 09:00–12:00 at the tidal windows
# Extra arrivals in tidal hours at the county centre (per day): noon, evening, Saturday morning.
TIDAL_ARRIVALS = {"noon": (720, 800, 6.0), "late": (1020, 1070, 3.0), "saturday": (540, 710, 24.0)}
GROUP_MIX = {"county": {"A": 0.6, "B": 0.3, "C": 0.1}, "town": {"A": 0.7, "B": 0.22, "C": 0.08}}
MONTH_END_ENTERPRISE = 1.8  # employer business in the last five days of a month
GREEN_SHARE, APPOINTMENT_SHARE, NO_SHOW_SHARE, RATED_SHARE = 0.06, 0.04, 0.03, 0.45
OUTCOMES = ((Outcome.DONE, 0.92), (Outcome.MORE_MATERIALS, 0.06), (Outcome.REFERRED, 0.02))
RATINGS_BEFORE = (0.70, 0.22, 0.065, 0.01, 0.005)  # shares of 5, 4, 3, 2, 1
RATINGS_AFTER = (0.78, 0.19, 0.03, 0.0, 0.0)  # the seed: satisfaction 100 %
FASTER_AFTER = 0.8  # the seed: processing time −20 % at the county centre
# Records per working day at points without a queue, at the start and the end of the history.
RECORDS_PER_DAY = {
    PointKind.BANK_OUTLET: (3.0, 7.0),
    PointKind.VILLAGE_STATION: (0.6, 1.6),
    PointKind.ENTERPRISE_STATION: (4.0, 9.0),
    PointKind.CARE_POST: (0.5, 1.2),
}


@dataclass
class PlannedWindow:
    window: Window
    groups: frozenset[str]
    role: str = ""  # "early" or "late" for the county's two tidal windows


@dataclass
class PlannedHall:
    hall: Hall
    point: ServicePoint
    level: str  # "county" or "town"
    daily: float
    windows: list[PlannedWindow] = field(default_factory=list)


class NoDemoCounty(Exception):
    """The core demo county is missing: seed it first."""


def _months_before(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    last = (date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(day.day, last))


def tidal_start_for(as_of: date) -> date:
    """The latest 22 July on or before `as_of`."""
    this_year = date(as_of.year, *TIDAL_START)
    return this_year if this_year <= as_of else date(as_of.year - 1, *TIDAL_START)


# --- the network ----------------------------------------------------------------------------


def _point(
    code: str, name: str, kind: str, region: str, lat: float | None, lon: float | None, **extra: Any
) -> ServicePoint:
    return ServicePoint(
        code=code, name=name[:200], kind=kind, region_id=region, lat=lat, lon=lon, **extra
    )


def _plan_points(county: Region, rng: np.random.Generator) -> list[ServicePoint]:
    towns = list(Region.objects.filter(parent=county, level=RegionLevel.TOWN).order_by("code"))
    villages = list(
        Region.objects.filter(parent__parent=county, level=RegionLevel.VILLAGE).order_by("code")
    )
    sites = {
        s.region_id: s
        for s in Site.objects.filter(region_prefix_q(county.code), kind=Site.Kind.SERVICE_POINT)
        if s.organisation_id is None or len(s.region_id) <= 9
    }
    insurers = {
        o.region_id: o
        for o in Organisation.objects.filter(
            region_prefix_q(county.code), name__contains="医疗保障服务中心"
        )
    }
    insurers.update(
        {
            o.region_id: o
            for o in Organisation.objects.filter(
                region_prefix_q(county.code), name__endswith="医保服务站"
            )
        }
    )
    points = []
    seat = sites.get(county.code)
    points.append(
        _point(
            f"{county.code}-CC",
            f"{county.name}医疗保障服务中心",
            PointKind.COUNTY_CENTER,
            county.code,
            seat.lat if seat else county.lat,
            seat.lon if seat else county.lon,
            site=seat,
            organisation=insurers.get(county.code),
            address=seat.address if seat else "",
            opening_hours=(
                "周一至周五 8:30-12:00 13:30-17:00；"
                "潮汐窗口 8:00起、中午不休、延时至18:00、周六9:00-12:00"
            ),
        )
    )
    for town in towns:
        site = sites.get(town.code)
        points.append(
            _point(
                f"{town.code}-TC",
                f"{town.name}医保服务站",
                PointKind.TOWN_CENTER,
                town.code,
                site.lat if site else town.lat,
                site.lon if site else town.lon,
                site=site,
                organisation=insurers.get(town.code),
                address=site.address if site else "",
                opening_hours="周一至周五 8:30-12:00 13:30-17:00",
            )
        )
    for village in villages:
        site = sites.get(village.code)
        points.append(
            _point(
                f"{village.code}-VS",
                f"{village.name}医保服务点",
                PointKind.VILLAGE_STATION,
                village.code,
                site.lat if site else village.lat,
                site.lon if site else village.lon,
                site=site,
                address=site.address if site else "",
                opening_hours="工作日 8:30-11:30 13:30-16:30",
            )
        )
    banks = Organisation.objects.filter(
        region_prefix_q(county.code), kind=Organisation.Kind.BANK_OUTLET
    ).order_by("pk")
    bank_sites = {s.organisation_id: s for s in Site.objects.filter(organisation__in=banks)}
    for n, bank in enumerate(banks, start=1):
        site = bank_sites.get(bank.pk)
        points.append(
            _point(
                f"{county.code}-BK{n:02d}",
                f"{bank.name}医保服务点",
                PointKind.BANK_OUTLET,
                bank.region_id,
                site.lat if site else None,
                site.lon if site else None,
                site=site,
                organisation=bank,
                address=bank.address,
                opening_hours="周一至周六 9:00-17:00",
            )
        )
    profile = county_profile()
    industrial = sorted(profile.towns.values(), key=lambda t: -t.enterprises)[:2]
    by_code = {t.code: t for t in towns}
    for spec in industrial:
        found = by_code.get(spec.code)
        if found is None:
            continue
        town = found
        biggest = (
            Organisation.objects.filter(
                region_prefix_q(town.code), kind=Organisation.Kind.ENTERPRISE
            )
            .order_by("-employees", "pk")
            .first()
        )
        place = Site.objects.filter(organisation=biggest).first() if biggest else None
        points.append(
            _point(
                f"{town.code}-ES",
                f"{town.name}企业医保服务站",
                PointKind.ENTERPRISE_STATION,
                town.code,
                place.lat if place else town.lat,
                place.lon if place else town.lon,
                address=place.address if place else "",
                opening_hours="工作日 8:30-17:00",
            )
        )
    for town in towns:
        rural = [
            v for v in villages if v.parent_id == town.code and not v.name.endswith("社区")
        ] or [v for v in villages if v.parent_id == town.code]
        if not rural:
            continue
        village = rural[int(rng.integers(0, len(rural)))]
        site = sites.get(village.code)
        points.append(
            _point(
                f"{village.code}-CP",
                f"{village.name}幸福医保驿站",
                PointKind.CARE_POST,
                village.code,
                site.lat if site else village.lat,
                site.lon if site else village.lon,
                address=site.address if site else "",
                opening_hours="工作日 9:00-11:00",
            )
        )
    return points


def _delegate(points: list[ServicePoint]) -> int:
    items = list(ServiceItem.objects.filter(is_active=True))
    through = ServicePoint.items.through
    rows = [
        through(servicepoint_id=point.pk, serviceitem_id=item.pk)
        for point in points
        for item in items
        if point.kind in item.point_kinds
    ]
    through.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def _window_sessions(role: str, tidal_start: date) -> list[SessionPlan]:
    """Sessions of one window (unsaved, without the window)."""
    plans = []
    for weekday in range(5):
        for start, end in REGULAR:
            plans.append(
                SessionPlan(
                    weekday=weekday, kind=SessionKind.REGULAR, starts=_t(start), ends=_t(end)
                )
            )
    if role:
        for weekday in range(5):
            for start, end, kind in TIDAL_SESSIONS[role]:
                plans.append(
                    SessionPlan(
                        weekday=weekday,
                        kind=kind,
                        starts=_t(start),
                        ends=_t(end),
                        valid_from=tidal_start,
                    )
                )
        for start, end, kind in SATURDAY:
            plans.append(
                SessionPlan(
                    weekday=5, kind=kind, starts=_t(start), ends=_t(end), valid_from=tidal_start
                )
            )
    return plans


def _t(minute: int) -> time:
    return time(minute // 60, minute % 60)


def _window_layout(daily: float, *, county: bool) -> list[tuple[str, ...]]:
    """The groups of each window: enough windows for the ordinary day's work, about a quarter
    of them for employers, one for reimbursement; the county's last two are tidal windows."""
    a, b, c = ("A",), ("B",), ("C",)
    count = max(3, math.ceil(daily * MINUTES_PER_TICKET / (REGULAR_MINUTES * PLANNED_OCCUPANCY)))
    if county:
        regular = count - 2
        employers = max(1, round(regular * 0.28))
        reimbursement = max(1, round(regular * 0.1))
        persons = regular - employers - reimbursement
        return [a] * persons + [b] * employers + [c] * reimbursement + [a + b, b + a]
    if count <= 3:
        return [a, a + c, b + a]
    employers = max(1, round(count * 0.25))
    return [a] * (count - employers - 1) + [c + a] + [b + a] * employers


def _plan_halls(points: list[ServicePoint], tidal_start: date) -> list[PlannedHall]:
    profile = county_profile()
    halls: list[PlannedHall] = []
    centres = [p for p in points if p.kind in (PointKind.COUNTY_CENTER, PointKind.TOWN_CENTER)]
    for point in centres:
        county = point.kind == PointKind.COUNTY_CENTER
        hall = Hall.objects.create(
            point=point, name=f"{point.name}办事大厅", kiosk_key=new_key(), qr_secret=new_key()
        )
        if county:
            daily = float(COUNTY_DAILY)
        else:
            town = profile.towns.get(point.region_id)
            daily = TOWN_DAILY_BASE + TOWN_DAILY_PER_SHARE * (town.population if town else 0.08)
        layout = _window_layout(daily, county=county)
        planned = PlannedHall(hall, point, "county" if county else "town", daily)
        for number, groups in enumerate(layout, start=1):
            tidal = county and number > len(layout) - 2
            window = Window.objects.create(
                hall=hall,
                number=number,
                default_groups=list(groups),
                groups=list(groups),
                is_tidal=tidal,
                name=f"{number}号潮汐窗口" if tidal else "",
            )
            role = ("early" if number == len(layout) - 1 else "late") if tidal else ""
            planned.windows.append(PlannedWindow(window, frozenset(groups), role))
        halls.append(planned)
    plans = []
    for planned in halls:
        for w in planned.windows:
            for plan in _window_sessions(w.role, tidal_start):
                plan.window = w.window
                plans.append(plan)
        if planned.level == "county":
            TidalRule.objects.create(hall=planned.hall, group_id="A", waiting_more_than=8)
            TidalRule.objects.create(hall=planned.hall, group_id="B", waiting_more_than=5)
    SessionPlan.objects.bulk_create(plans, batch_size=BATCH)
    return halls


# --- the history --------------------------------------------------------------------------------


@dataclass
class DayContext:
    day: date
    tidal: bool  # tidal sessions in force
    weekday_plan: int | None  # the plan the day follows (None: closed)
    progress: float  # 0 at the start of the history, 1 at its end


@dataclass
class Catalogue:
    items: dict[str, list[ServiceItem]]  # by group
    weights: dict[str, np.ndarray]
    person_items: list[ServiceItem]
    enterprise_items: list[ServiceItem]


def _catalogue() -> Catalogue:
    items: dict[str, list[ServiceItem]] = defaultdict(list)
    for item in ServiceItem.objects.filter(is_active=True).order_by("code"):
        items[item.group_id].append(item)
    weights = {
        g: np.array([3.0 if i.high_frequency else 1.0 for i in group])
        / sum(3.0 if i.high_frequency else 1.0 for i in group)
        for g, group in items.items()
    }
    active = [i for group in items.values() for i in group]
    return Catalogue(
        items=dict(items),
        weights=weights,
        person_items=[i for i in active if i.audience == Audience.PERSON],
        enterprise_items=[i for i in active if i.audience == Audience.ENTERPRISE],
    )


def _sessions_of(window: PlannedWindow, ctx: DayContext) -> list[tuple[int, int, str]]:
    if ctx.weekday_plan is None:
        return []
    sessions: list[tuple[int, int, str]] = []
    if ctx.weekday_plan < 5:
        sessions += [(a, b, SessionKind.REGULAR) for a, b in REGULAR]
        if window.role and ctx.tidal:
            sessions += list(TIDAL_SESSIONS[window.role])
    elif ctx.weekday_plan == 5 and window.role and ctx.tidal:
        sessions += list(SATURDAY)
    return sorted(sessions)


def _arrival_minutes(
    rng: np.random.Generator, count: int, slots: Sequence[tuple[int, float]]
) -> np.ndarray:
    weights = np.array([w for _s, w in slots])
    chosen = rng.choice(len(slots), size=count, p=weights / weights.sum())
    starts = np.array([s for s, _w in slots])[chosen]
    return np.sort(starts + rng.uniform(0, 30, size=count))


def _duration_minutes(rng: np.random.Generator, item: ServiceItem, factor: float) -> float:
    minutes = float(rng.lognormal(math.log(item.standard_minutes * factor), 0.35))
    return min(max(minutes, 1.0), item.standard_minutes * 4.0)


def _start_at(sessions: list[tuple[int, int, str]], earliest: float) -> tuple[float, str] | None:
    """The first moment at or after `earliest` inside a session (with its kind); a clerk stays
    up to 30 minutes after the last session for those already waiting."""
    for start, end, kind in sessions:
        if earliest < end:
            return max(earliest, start), kind
    if sessions and earliest < sessions[-1][1] + 30:
        return earliest, ""
    return None


def _simulate_day(
    rng: np.random.Generator, planned: PlannedHall, ctx: DayContext, catalogue: Catalogue
) -> list[dict[str, Any]]:
    """The day's tickets of a hall, served by its windows first come, first served."""
    sessions = {w.window.pk: _sessions_of(w, ctx) for w in planned.windows}
    if not any(sessions.values()):
        return []
    day = ctx.day
    factor = WEEKDAY_FACTOR[day.weekday()] * (1.2 if day.day <= 5 else 1.0)
    arrivals: list[tuple[float, str]] = []
    if ctx.weekday_plan is not None and ctx.weekday_plan < 5:
        count = int(rng.poisson(planned.daily * factor))
        mix = dict(GROUP_MIX[planned.level])
        if (day + timedelta(days=5)).month != day.month:
            mix["B"] *= MONTH_END_ENTERPRISE
        groups = list(mix)
        p = np.array([mix[g] for g in groups])
        drawn = rng.choice(len(groups), size=count, p=p / p.sum())
        arrivals += list(
            zip(
                _arrival_minutes(rng, count, ARRIVALS).tolist(),
                [groups[i] for i in drawn],
                strict=True,
            )
        )
    if ctx.tidal and planned.level == "county":
        extra = ["saturday"] if day.weekday() == 5 else ["noon", "late"]
        for name in extra:
            low, high, mean = TIDAL_ARRIVALS[name]
            count = int(rng.poisson(mean))
            moments = np.sort(rng.uniform(low, high, size=count)).tolist()
            arrivals += [(m, "A" if rng.random() < 0.7 else "B") for m in moments]
    arrivals.sort()
    n = len(arrivals)
    # The day's random draws at once: one call per kind rather than one per ticket.
    green, appointment = rng.random(n) < GREEN_SHARE, rng.random(n) < APPOINTMENT_SHARE
    no_show, rated = rng.random(n) < NO_SHOW_SHARE, rng.random(n) < RATED_SHARE
    ahead = rng.uniform(0, 5, n)
    noise = rng.lognormal(0.0, 0.35, n)
    outcomes = rng.choice(len(OUTCOMES), size=n, p=[share for _o, share in OUTCOMES])
    ratings = 5 - rng.choice(5, size=n, p=RATINGS_AFTER if ctx.tidal else RATINGS_BEFORE)
    picks = {
        group: iter(rng.choice(len(items), size=n, p=catalogue.weights[group]).tolist())
        for group, items in catalogue.items.items()
    }
    free: dict[int, float] = {pk: (s[0][0] if s else 0.0) for pk, s in sessions.items()}
    numbers: Counter[str] = Counter()
    speed = _speed(planned, ctx)
    tickets = []
    for i, (arrival, group) in enumerate(arrivals):
        options = [w for w in planned.windows if group in w.groups and sessions[w.window.pk]]
        if not options:
            continue
        best: tuple[float, int, str] | None = None
        for w in options:
            found = _start_at(sessions[w.window.pk], max(arrival, free[w.window.pk]))
            if found is not None and (best is None or found[0] < best[0]):
                best = (found[0], w.window.pk, found[1])
        item = catalogue.items[group][next(picks[group])]
        numbers[group] += 1
        ticket: dict[str, Any] = {
            "group": group,
            "number": f"{group}{numbers[group]:03d}",
            "sequence": numbers[group],
            "item": item,
            "arrival": arrival,
            "green": bool(green[i]),
            "appointment": bool(appointment[i]),
        }
        tickets.append(ticket)
        if best is None:
            ticket["status"] = TicketStatus.EXPIRED
            continue
        start, window_id, kind = best
        if green[i] or appointment[i]:
            # Called ahead of the line: within a few minutes of arriving.
            quick = _start_at(sessions[window_id], arrival + float(ahead[i]))
            if quick is not None and quick[0] < start:
                start, kind = quick
        if no_show[i]:
            ticket.update(
                status=TicketStatus.NO_SHOW, window=window_id, called=start, done=start + 2, kind=""
            )
            free[window_id] = max(free[window_id], start + 2)
            continue
        standard = item.standard_minutes
        handle = min(max(standard * speed * float(noise[i]), 1.0), standard * 4.0)
        ticket.update(
            status=TicketStatus.DONE,
            window=window_id,
            called=start,
            started=start + 0.5,
            done=start + 0.5 + handle,
            kind=kind,
            outcome=OUTCOMES[int(outcomes[i])][0],
        )
        free[window_id] = max(free[window_id], start + 0.5 + handle + 0.5)
        if rated[i]:
            ticket["rating"] = int(ratings[i])
    return tickets


def _speed(planned: PlannedHall, ctx: DayContext) -> float:
    """Handling time as a share of the standard: a fifth less at the county centre once the
    tidal windows and their reorganisation settled (two weeks), a little less at the towns."""
    if not ctx.tidal:
        return 1.0
    return FASTER_AFTER if planned.level == "county" else 0.92


class _RowWriter:
    """Tickets and handling records as plain rows with their ids, written with executemany:
    a model instance per row would take most of the seeding time."""

    TICKET_COLUMNS = (
        "id", "hall_id", "service_day", "number", "sequence", "group_id", "transferred_from",
        "item_id", "priority", "green_reason", "source", "phone", "key", "status", "queue_at",
        "appointment_at", "taken_at", "hour", "first_called_at", "called_at", "started_at",
        "completed_at", "window_id", "clerk_id", "recalls", "outcome", "session_kind",
        "wait_seconds", "handle_seconds", "rating", "rating_comment", "rated_at", "version",
    )  # fmt: skip
    RECORD_COLUMNS = (
        "id", "point_id", "ticket_id", "channel", "item_id", "person_id", "organisation_id", "day",
        "hour", "started_at", "ended_at", "seconds", "outcome", "session_kind", "clerk_id", "note",
        "created_at",
    )  # fmt: skip

    def __init__(self) -> None:
        for model, columns in (
            (Ticket, self.TICKET_COLUMNS),
            (HandlingRecord, self.RECORD_COLUMNS),
        ):
            if {f.column for f in model._meta.concrete_fields} != set(columns):
                raise RuntimeError(f"the demo writer does not know the columns of {model.__name__}")
        self.next_ticket = int(Ticket.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
        self.next_record = int(HandlingRecord.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
        self.tickets: list[tuple[Any, ...]] = []
        self.records: list[tuple[Any, ...]] = []
        self.written_tickets = self.written_records = self.tidal_served = 0
        self.now = timezone.now()
        self.sqlite = connection.vendor == "sqlite"
        self.midnights: dict[date, datetime] = {}

    def moment(self, day: date, minute: float | None) -> Any:
        """A moment of a day as the database takes it (SQLite: UTC text, as Django writes it)."""
        if minute is None:
            return None
        base = self.midnights.get(day)
        if base is None:
            base = datetime.combine(day, time(0), ZONE)
            if self.sqlite:
                base = base.astimezone(UTC).replace(tzinfo=None)
            self.midnights[day] = base
        value = base + timedelta(seconds=round(minute * 60))
        return value.isoformat(" ") if self.sqlite else value

    def day(self, day: date) -> Any:
        return day.isoformat() if self.sqlite else day

    def add_tickets(self, planned: PlannedHall, day: date, tickets: list[dict[str, Any]]) -> None:
        for t in tickets:
            ticket_id, self.next_ticket = self.next_ticket, self.next_ticket + 1
            called, started, done = t.get("called"), t.get("started"), t.get("done")
            taken = self.moment(day, t["arrival"])
            rating = t.get("rating")
            item: ServiceItem = t["item"]
            handle = (
                round((done - started) * 60) if done is not None and started is not None else None
            )
            self.tickets.append(
                (
                    ticket_id,
                    planned.hall.pk,
                    self.day(day),
                    t["number"],
                    t["sequence"],
                    t["group"],
                    "",
                    item.pk,
                    Priority.GREEN if t["green"] else Priority.NORMAL,
                    "elderly" if t["green"] else "",
                    TicketSource.APPOINTMENT if t["appointment"] else TicketSource.KIOSK,
                    "",
                    secrets.token_urlsafe(24),
                    t["status"],
                    taken,
                    taken if t["appointment"] else None,
                    taken,
                    int(t["arrival"] // 60),
                    self.moment(day, called),
                    self.moment(day, called),
                    self.moment(day, started),
                    self.moment(day, done),
                    t.get("window"),
                    None,
                    0,
                    t.get("outcome", ""),
                    t.get("kind", ""),
                    round((called - t["arrival"]) * 60) if called is not None else None,
                    handle,
                    rating,
                    "",
                    self.moment(day, done + 2) if rating and done is not None else None,
                    1,
                )
            )
            if t["status"] == TicketStatus.DONE:
                self.tidal_served += t.get("kind", "") in TIDAL_SESSION_KINDS
                self.add_record(
                    point_id=planned.point.pk,
                    ticket_id=ticket_id,
                    channel=HandlingRecord.Channel.QUEUE,
                    item_id=item.pk,
                    day=day,
                    start=float(t["started"]),
                    seconds=handle or 0,
                    outcome=t["outcome"],
                    kind=t.get("kind", ""),
                )

    def add_record(
        self,
        *,
        point_id: int,
        ticket_id: int | None,
        channel: str,
        item_id: int,
        day: date,
        start: float,
        seconds: int,
        outcome: str,
        kind: str = "",
        person_id: int | None = None,
        organisation_id: int | None = None,
    ) -> None:
        record_id, self.next_record = self.next_record, self.next_record + 1
        self.records.append(
            (
                record_id,
                point_id,
                ticket_id,
                channel,
                item_id,
                person_id,
                organisation_id,
                self.day(day),
                int(start // 60),
                self.moment(day, start),
                self.moment(day, start + seconds / 60),
                seconds,
                outcome,
                kind,
                None,
                "",
                self.now,
            )
        )

    def pending(self) -> int:
        return len(self.tickets) + len(self.records)

    def flush(self) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            for model, columns, rows in (
                (Ticket, self.TICKET_COLUMNS, self.tickets),
                (HandlingRecord, self.RECORD_COLUMNS, self.records),
            ):
                table = connection.ops.quote_name(model._meta.db_table)
                names = ", ".join(connection.ops.quote_name(c) for c in columns)
                marks = ", ".join(["%s"] * len(columns))
                sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608 - model names
                for start in range(0, len(rows), BATCH):
                    cursor.executemany(sql, rows[start : start + BATCH])
        self.written_tickets += len(self.tickets)
        self.written_records += len(self.records)
        self.tickets.clear()
        self.records.clear()

    def finish(self) -> None:
        """Move PostgreSQL's id sequences past the rows written with explicit ids."""
        self.flush()
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(
                no_style(), [Ticket, HandlingRecord]
            ):
                cursor.execute(statement)


@dataclass(frozen=True)
class CounterPoint:
    """A point without a queue, with the items it may be asked for (and their weights)."""

    point: ServicePoint
    town: str
    industrial: bool
    person: tuple[list[ServiceItem], np.ndarray] | None
    enterprise: tuple[list[ServiceItem], np.ndarray] | None


def _counter_points(
    points: list[ServicePoint], catalogue: Catalogue, enterprises: dict[str, list[int]]
) -> list[CounterPoint]:
    def pool(items: list[ServiceItem], kind: str) -> tuple[list[ServiceItem], np.ndarray] | None:
        allowed = [i for i in items if kind in i.point_kinds]
        if not allowed:
            return None
        weights = np.array([3.0 if i.high_frequency else 1.0 for i in allowed])
        return allowed, weights / weights.sum()

    return [
        CounterPoint(
            point=p,
            town=p.region_id[:9],
            industrial=len(enterprises.get(p.region_id[:9], ())) > 800,
            person=pool(catalogue.person_items, p.kind),
            enterprise=pool(catalogue.enterprise_items, p.kind),
        )
        for p in points
        if p.kind in RECORDS_PER_DAY
    ]


def _counter_records(
    rng: np.random.Generator,
    writer: _RowWriter,
    points: list[CounterPoint],
    ctx: DayContext,
    people: dict[str, list[int]],
    enterprises: dict[str, list[int]],
) -> None:
    """The day's work at points without a queue (bank outlets open on Saturdays too)."""
    if ctx.weekday_plan is None:
        return
    saturday = ctx.weekday_plan >= 5
    for counter in points:
        kind = counter.point.kind
        low, high = RECORDS_PER_DAY[PointKind(kind)]
        mean = low + (high - low) * ctx.progress
        if saturday:
            if kind != PointKind.BANK_OUTLET:
                continue
            mean *= 0.4
        for _ in range(int(rng.poisson(mean))):
            wants_enterprise = kind == PointKind.ENTERPRISE_STATION or (
                kind == PointKind.BANK_OUTLET
                and rng.random() < (0.6 if counter.industrial else 0.3)
            )
            pool = counter.enterprise if wants_enterprise else counter.person
            if pool is None:
                continue
            item = pool[0][int(rng.choice(len(pool[0]), p=pool[1]))]
            person_id = organisation_id = None
            if item.audience == Audience.ENTERPRISE and enterprises.get(counter.town):
                choices = enterprises[counter.town]
                organisation_id = choices[int(rng.integers(0, len(choices)))]
            elif people.get(counter.town):
                choices = people[counter.town]
                person_id = choices[int(rng.integers(0, len(choices)))]
            writer.add_record(
                point_id=counter.point.pk,
                ticket_id=None,
                channel=HandlingRecord.Channel.COUNTER,
                item_id=item.pk,
                day=ctx.day,
                start=float(rng.uniform(540, 990)),
                seconds=round(_duration_minutes(rng, item, 1.1) * 60),
                outcome=Outcome.DONE if rng.random() < 0.97 else Outcome.MORE_MATERIALS,
                person_id=person_id,
                organisation_id=organisation_id,
            )


def _ids_by_town(
    model: type[Person] | type[Organisation], towns: list[str], limit: int, **filters: Any
) -> dict[str, list[int]]:
    """Up to `limit` ids of residents or organisations of each town, to name in records."""
    return {
        town: list(
            model.objects.filter(region_prefix_q(town), **filters)
            .order_by("pk")
            .values_list("pk", flat=True)[:limit]
        )
        for town in towns
    }


def seed_hall(*, seed: int, months: int, as_of: date) -> dict[str, Any]:
    """Create the demo service network and `months` months of history up to the day before
    `as_of`; return what was made. NoDemoCounty when the core demo county is missing; refuses
    (ValueError) when service points exist already."""
    started = _time.monotonic()
    county = Region.objects.filter(level=RegionLevel.COUNTY, code=county_profile().county).first()
    if county is None:
        raise NoDemoCounty("The demo county's regions are missing: seed the core demo first.")
    if ServicePoint.objects.exists():
        raise ValueError(
            "Service points exist already: the demo network is seeded on an empty network."
        )
    rng = np.random.default_rng([seed, 9])
    first = _months_before(as_of, months)
    tidal_start = tidal_start_for(as_of)
    calendar = working_calendar()
    with transaction.atomic(), disable_auditlog():
        catalogue_load()
        TravelModel.objects.get_or_create(
            valid_from=date(2000, 1, 1),
            defaults={
                "detour_factor": 1.3,
                "speed_kmh": 15.0,
                "threshold_minutes": 10.0,
                "note": "演示默认：直线距离×1.3，电动自行车15公里/小时",
            },
        )
        points = _plan_points(county, rng)
        ServicePoint.objects.bulk_create(points, batch_size=BATCH)
        points = list(ServicePoint.objects.filter(region_prefix_q(county.code)).order_by("pk"))
        delegated = _delegate(points)
        halls = _plan_halls(points, tidal_start)
        clerk = User.objects.filter(username="clerk").first()
        if clerk is not None:
            points[0].staff.add(clerk)
    catalogue = _catalogue()
    towns = [p.region_id for p in points if p.kind == PointKind.TOWN_CENTER]
    people = _ids_by_town(Person, towns, 5_000)
    enterprises = _ids_by_town(Organisation, towns, 10_000, kind=Organisation.Kind.ENTERPRISE)
    counter_points = _counter_points(points, catalogue, enterprises)
    span = max(1, (as_of - first).days)
    writer = _RowWriter()
    day = first
    while day < as_of:
        national = calendar.exceptions.get(day)
        if national is False:
            plan: int | None = None
        elif national is True and day.weekday() >= 5:
            plan = 0
        else:
            plan = day.weekday() if day.weekday() < 6 else None
        ctx = DayContext(
            day=day, tidal=day >= tidal_start, weekday_plan=plan, progress=(day - first).days / span
        )
        for planned in halls:
            writer.add_tickets(planned, day, _simulate_day(rng, planned, ctx, catalogue))
        _counter_records(rng, writer, counter_points, ctx, people, enterprises)
        if writer.pending() >= FLUSH_ROWS:
            writer.flush()
        day += timedelta(days=1)
    writer.finish()
    summarised = summaries_build(first=first, last=as_of - timedelta(days=1))
    kinds = Counter(p.kind for p in points)
    return {
        "from": first,
        "to": as_of - timedelta(days=1),
        "tidal_from": tidal_start,
        "points": len(points),
        "points_by_kind": dict(kinds),
        "items_delegated": delegated,
        "halls": len(halls),
        "windows": sum(len(h.windows) for h in halls),
        "tickets": writer.written_tickets,
        "handling_records": writer.written_records,
        "tidal_served": writer.tidal_served,
        "days_summarised": summarised,
        "seconds": round(_time.monotonic() - started, 1),
    }


# Every table of the service network except the catalogue, children first.
NETWORK_MODELS: tuple[type[Any], ...] = (
    HandlingRecord,
    TicketDayStat,
    HandlingDayStat,
    SummaryDay,
    Ticket,
    WindowEvent,
    SessionPlan,
    Window,
    TidalRule,
    HallDay,
    Appointment,
    QueueCounter,
    Hall,
    ServicePoint.items.through,
    ServicePoint.staff.through,
    ServicePoint,
    TravelTime,
    TravelModel,
)


def demo_hall_delete() -> None:
    """Delete the service network and its history (the catalogue stays) with plain DELETE
    statements, and the audit entries about it: call it before
    `jiceng.demo.seed.demo_data_delete`, whose regions, sites and organisations the points
    refer to."""
    audited = [
        ContentType.objects.get_for_model(m) for m in NETWORK_MODELS if not m._meta.auto_created
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        for model in NETWORK_MODELS:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608
        LogEntry.objects.filter(content_type__in=audited).delete()
