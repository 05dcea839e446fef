"""The demo service network: points of every kind (county and town centres, village stations,
bank outlets, enterprise stations, care posts), the catalogue's items delegated to them, halls
with windows at the county and town centres, their weekly session plans with the tidal sessions
(early, noon, late, Saturday) of the county centre's two tidal windows, and its tidal rules."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

import numpy as np

from jiceng.core.bulk import BATCH
from jiceng.core.models import Organisation, Region, RegionLevel, Site
from jiceng.core.scope import region_prefix_q
from jiceng.demo.profile import county_profile
from jiceng.hall.models import (
    Hall,
    PointKind,
    ServiceItem,
    ServicePoint,
    SessionKind,
    SessionPlan,
    TidalRule,
    Window,
    new_key,
)

COUNTY_DAILY = 420  # tickets on an ordinary day at the county centre
TOWN_DAILY_BASE, TOWN_DAILY_PER_SHARE = 30, 700  # a town: base + its share of the population
# Windows are staffed for this share of their regular hours on an ordinary day (peaks exceed it).
PLANNED_OCCUPANCY, MINUTES_PER_TICKET, REGULAR_MINUTES = 0.65, 10.0, 420
REGULAR = ((510, 720), (810, 1020))  # 08:30–12:00, 13:30–17:00
TIDAL_SESSIONS = {  # window role -> weekday sessions added from the tidal start
    "early": ((480, 510, SessionKind.EARLY), (720, 810, SessionKind.NOON)),
    "late": ((720, 810, SessionKind.NOON), (1020, 1080, SessionKind.LATE)),
}
SATURDAY = ((540, 720, SessionKind.SATURDAY),)  # 09:00–12:00 at the tidal windows


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


def _point(
    code: str, name: str, kind: str, region: str, lat: float | None, lon: float | None, **extra: Any
) -> ServicePoint:
    return ServicePoint(
        code=code, name=name[:200], kind=kind, region_id=region, lat=lat, lon=lon, **extra
    )


def _point_at(
    code: str, name: str, kind: str, region: Region, place: Site | None, **extra: Any
) -> ServicePoint:
    """A point in `region` where `place` is (its address too), else at the region's centre."""
    return _point(
        code,
        name,
        kind,
        region.code,
        place.lat if place else region.lat,
        place.lon if place else region.lon,
        address=place.address if place else "",
        **extra,
    )


def plan_points(county: Region, rng: np.random.Generator) -> list[ServicePoint]:
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
        _point_at(
            f"{county.code}-CC",
            f"{county.name}医疗保障服务中心",
            PointKind.COUNTY_CENTER,
            county,
            seat,
            site=seat,
            organisation=insurers.get(county.code),
            opening_hours=(
                "周一至周五 8:30-12:00 13:30-17:00；"
                "潮汐窗口 8:00起、中午不休、延时至18:00、周六9:00-12:00"
            ),
        )
    )
    for town in towns:
        site = sites.get(town.code)
        points.append(
            _point_at(
                f"{town.code}-TC",
                f"{town.name}医保服务站",
                PointKind.TOWN_CENTER,
                town,
                site,
                site=site,
                organisation=insurers.get(town.code),
                opening_hours="周一至周五 8:30-12:00 13:30-17:00",
            )
        )
    for village in villages:
        site = sites.get(village.code)
        points.append(
            _point_at(
                f"{village.code}-VS",
                f"{village.name}医保服务点",
                PointKind.VILLAGE_STATION,
                village,
                site,
                site=site,
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
            _point_at(
                f"{town.code}-ES",
                f"{town.name}企业医保服务站",
                PointKind.ENTERPRISE_STATION,
                town,
                place,
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
            _point_at(
                f"{village.code}-CP",
                f"{village.name}幸福医保驿站",
                PointKind.CARE_POST,
                village,
                site,
                opening_hours="工作日 9:00-11:00",
            )
        )
    return points


def delegate(points: list[ServicePoint]) -> int:
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


def plan_halls(points: list[ServicePoint], tidal_start: date) -> list[PlannedHall]:
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
