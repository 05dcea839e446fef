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
after `jiceng.demo.seed`. Rows are planned in memory and written with bulk_create; the KPI
summaries of the history are built at the end. Deterministic by seed, except what is random by
design (kiosk keys and ticket keys, which are secrets).
"""

from __future__ import annotations

import math
import secrets
import time as _time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from django.conf import settings
from django.db import transaction

from jiceng.cases.calendar import working_calendar
from jiceng.core.models import Organisation, Person, Region, RegionLevel, Site, User
from jiceng.core.scope import region_prefix_q
from jiceng.demo.profile import county_profile
from jiceng.hall.models import (
    TIDAL_SESSION_KINDS,
    Audience,
    Hall,
    HandlingRecord,
    Outcome,
    PointKind,
    Priority,
    ServiceItem,
    ServicePoint,
    SessionKind,
    SessionPlan,
    Ticket,
    TicketSource,
    TicketStatus,
    TidalRule,
    TravelModel,
    Window,
    new_key,
)
from jiceng.hall.services.catalogue import catalogue_load
from jiceng.hall.services.summaries import summaries_build

ZONE = ZoneInfo(settings.TIME_ZONE)
BATCH = 5_000
FLUSH_TICKETS = 40_000
TIDAL_START = (7, 22)  # the seed: tidal windows since 22 July
COUNTY_DAILY = 650  # tickets on an ordinary day at the county centre
TOWN_DAILY_BASE, TOWN_DAILY_PER_SHARE = 40, 800  # a town: base + its share of the population
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
                "周一至周五 8:30-12:00 13:30-17:00；潮汐窗口 8:00起、中午不休、延时至18:00、周六9:00-12:00"
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
        town = by_code.get(spec.code)
        if town is None:
            continue
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
            layout = [("A",)] * 5 + [("B",)] * 3 + [("C",)] * 2 + [("A", "B"), ("B", "A")]
            daily = float(COUNTY_DAILY)
        else:
            share = (
                profile.towns[point.region_id].population
                if point.region_id in profile.towns
                else 0.08
            )
            daily = TOWN_DAILY_BASE + TOWN_DAILY_PER_SHARE * share
            layout = [("A",), ("A", "C"), ("B", "A")] + ([("A",), ("B",)] if daily > 120 else [])
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
    return float(
        np.clip(
            rng.lognormal(math.log(item.standard_minutes * factor), 0.35),
            1.0,
            item.standard_minutes * 4,
        )
    )


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
            start, end, mean = TIDAL_ARRIVALS[name]
            count = int(rng.poisson(mean))
            moments = np.sort(rng.uniform(start, end, size=count)).tolist()
            arrivals += [(m, "A" if rng.random() < 0.7 else "B") for m in moments]
    arrivals.sort()
    free = {pk: (s[0][0] if s else 0.0) for pk, s in sessions.items()}
    numbers: Counter[str] = Counter()
    speed = _speed(planned, ctx)
    tickets = []
    for arrival, group in arrivals:
        options = [w for w in planned.windows if group in w.groups and sessions[w.window.pk]]
        if not options:
            continue
        best: tuple[float, int, str] | None = None
        for w in options:
            found = _start_at(sessions[w.window.pk], max(arrival, free[w.window.pk]))
            if found is not None and (best is None or found[0] < best[0]):
                best = (found[0], w.window.pk, found[1])
        items = catalogue.items[group]
        item = items[int(rng.choice(len(items), p=catalogue.weights[group]))]
        numbers[group] += 1
        ticket: dict[str, Any] = {
            "group": group,
            "number": f"{group}{numbers[group]:03d}",
            "sequence": numbers[group],
            "item": item,
            "arrival": arrival,
            "green": rng.random() < GREEN_SHARE,
            "appointment": rng.random() < APPOINTMENT_SHARE,
        }
        if best is None:
            ticket["status"] = TicketStatus.EXPIRED
            tickets.append(ticket)
            continue
        start, window_id, kind = best
        if ticket["green"] or ticket["appointment"]:
            # Called ahead of the line: within a few minutes of arriving.
            quick = _start_at(sessions[window_id], arrival + float(rng.uniform(0, 5)))
            if quick is not None and quick[0] < start:
                start, kind = quick
        if rng.random() < NO_SHOW_SHARE:
            ticket.update(
                status=TicketStatus.NO_SHOW, window=window_id, called=start, done=start + 2, kind=""
            )
            free[window_id] = max(free[window_id], start + 2)
        else:
            handle = _duration_minutes(rng, item, speed)
            outcome = OUTCOMES[int(rng.choice(len(OUTCOMES), p=[p for _o, p in OUTCOMES]))][0]
            ticket.update(
                status=TicketStatus.DONE,
                window=window_id,
                called=start,
                started=start + 0.5,
                done=start + 0.5 + handle,
                kind=kind,
                outcome=outcome,
            )
            free[window_id] = max(free[window_id], start + 0.5 + handle + 0.5)
            if rng.random() < RATED_SHARE:
                shares = RATINGS_AFTER if ctx.tidal else RATINGS_BEFORE
                ticket["rating"] = 5 - int(rng.choice(5, p=shares))
        tickets.append(ticket)
    return tickets


def _speed(planned: PlannedHall, ctx: DayContext) -> float:
    """Handling time as a share of the standard: a fifth less at the county centre once the
    tidal windows and their reorganisation settled (two weeks), a little less at the towns."""
    if not ctx.tidal:
        return 1.0
    return FASTER_AFTER if planned.level == "county" else 0.92


def _moment(day: date, minute: float) -> datetime:
    seconds = round(minute * 60)
    return datetime.combine(day, time(0), ZONE) + timedelta(seconds=seconds)


def _ticket_rows(planned: PlannedHall, day: date, tickets: list[dict[str, Any]]) -> list[Ticket]:
    rows = []
    for t in tickets:
        taken = _moment(day, t["arrival"])
        called = _moment(day, t["called"]) if "called" in t else None
        started = _moment(day, t["started"]) if "started" in t else None
        done = _moment(day, t["done"]) if "done" in t else None
        handle = int((done - started).total_seconds()) if done and started else None
        appointment_at = taken if t["appointment"] else None
        rating = t.get("rating")
        rows.append(
            Ticket(
                hall=planned.hall,
                service_day=day,
                number=t["number"],
                sequence=t["sequence"],
                group_id=t["group"],
                item=t["item"],
                priority=Priority.GREEN if t["green"] else Priority.NORMAL,
                green_reason="elderly" if t["green"] else "",
                source=TicketSource.APPOINTMENT if t["appointment"] else TicketSource.KIOSK,
                key=secrets.token_urlsafe(24),
                status=t["status"],
                queue_at=taken,
                appointment_at=appointment_at,
                taken_at=taken,
                hour=taken.astimezone(ZONE).hour,
                first_called_at=called,
                called_at=called,
                started_at=started,
                completed_at=done,
                window_id=t.get("window"),
                outcome=t.get("outcome", ""),
                session_kind=t.get("kind", ""),
                wait_seconds=int((called - taken).total_seconds()) if called else None,
                handle_seconds=handle,
                rating=rating,
                rated_at=done + timedelta(minutes=2) if rating and done else None,
            )
        )
    return rows


def _records_for(tickets: list[Ticket], point: ServicePoint) -> list[HandlingRecord]:
    return [
        HandlingRecord(
            point=point,
            ticket=t,
            channel=HandlingRecord.Channel.QUEUE,
            item_id=t.item_id,
            day=t.service_day,
            hour=t.started_at.astimezone(ZONE).hour,
            started_at=t.started_at,
            ended_at=t.completed_at,
            seconds=t.handle_seconds or 0,
            outcome=t.outcome,
            session_kind=t.session_kind,
        )
        for t in tickets
        if t.status == TicketStatus.DONE and t.started_at is not None and t.completed_at is not None
    ]


def _counter_records(
    rng: np.random.Generator,
    points: list[ServicePoint],
    ctx: DayContext,
    catalogue: Catalogue,
    people: dict[str, list[int]],
    enterprises: dict[str, list[int]],
) -> list[HandlingRecord]:
    """The day's work at points without a queue (banks open on Saturdays too)."""
    if ctx.weekday_plan is None:
        return []
    records = []
    saturday = ctx.weekday_plan >= 5
    for point in points:
        low, high = RECORDS_PER_DAY.get(PointKind(point.kind), (0.0, 0.0))
        mean = low + (high - low) * ctx.progress
        if saturday:
            if point.kind != PointKind.BANK_OUTLET:
                continue
            mean *= 0.4
        handled = {
            i.pk
            for i in catalogue.person_items + catalogue.enterprise_items
            if point.kind in i.point_kinds
        }
        town = point.region_id[:9]
        industrial = len(enterprises.get(town, ())) > 800
        for _ in range(int(rng.poisson(mean))):
            wants_enterprise = point.kind == PointKind.ENTERPRISE_STATION or (
                point.kind == PointKind.BANK_OUTLET and rng.random() < (0.6 if industrial else 0.3)
            )
            pool = [
                i
                for i in (
                    catalogue.enterprise_items if wants_enterprise else catalogue.person_items
                )
                if i.pk in handled
            ]
            if not pool:
                continue
            weights = np.array([3.0 if i.high_frequency else 1.0 for i in pool])
            item = pool[int(rng.choice(len(pool), p=weights / weights.sum()))]
            minute = float(rng.uniform(540, 990))
            started = _moment(ctx.day, minute)
            seconds = int(_duration_minutes(rng, item, 1.1) * 60)
            person_id = organisation_id = None
            if item.audience == Audience.ENTERPRISE and enterprises.get(town):
                organisation_id = enterprises[town][int(rng.integers(0, len(enterprises[town])))]
            elif people.get(town):
                person_id = people[town][int(rng.integers(0, len(people[town])))]
            records.append(
                HandlingRecord(
                    point=point,
                    channel=HandlingRecord.Channel.COUNTER,
                    item=item,
                    person_id=person_id,
                    organisation_id=organisation_id,
                    day=ctx.day,
                    hour=started.hour,
                    started_at=started,
                    ended_at=started + timedelta(seconds=seconds),
                    seconds=seconds,
                    outcome=Outcome.DONE if rng.random() < 0.97 else Outcome.MORE_MATERIALS,
                )
            )
    return records


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
    with transaction.atomic():
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
    counter_points = [p for p in points if p.kind in RECORDS_PER_DAY]
    span = max(1, (as_of - first).days)
    tickets_made = records_made = tidal_served = 0
    pending: list[tuple[ServicePoint, list[Ticket]]] = []
    counter_pending: list[HandlingRecord] = []

    def flush() -> None:
        nonlocal tickets_made, records_made
        with transaction.atomic():
            for point, rows in pending:
                Ticket.objects.bulk_create(rows, batch_size=BATCH)
                tickets_made += len(rows)
                records = _records_for(rows, point)
                HandlingRecord.objects.bulk_create(records, batch_size=BATCH)
                records_made += len(records)
            HandlingRecord.objects.bulk_create(counter_pending, batch_size=BATCH)
            records_made += len(counter_pending)
        pending.clear()
        counter_pending.clear()

    day = first
    buffered = 0
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
            rows = _ticket_rows(planned, day, _simulate_day(rng, planned, ctx, catalogue))
            tidal_served += sum(
                1
                for t in rows
                if t.status == TicketStatus.DONE and t.session_kind in TIDAL_SESSION_KINDS
            )
            pending.append((planned.point, rows))
            buffered += len(rows)
        counter_pending.extend(
            _counter_records(rng, counter_points, ctx, catalogue, people, enterprises)
        )
        if buffered >= FLUSH_TICKETS:
            flush()
            buffered = 0
        day += timedelta(days=1)
    flush()
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
        "tickets": tickets_made,
        "handling_records": records_made,
        "tidal_served": tidal_served,
        "days_summarised": summarised,
        "seconds": round(_time.monotonic() - started, 1),
    }
