"""A year of synthetic cases for the demo county, with the arrival patterns and outcomes a
county's grassroots-governance platform sees: weekday and hour-of-day peaks, grid workers'
patrols, the 12345 hotline, summer peaks of e-bike charging reports, a quiet Spring Festival;
most cases closed on time, some returned, reopened or escalated, and towns that differ in how
well they do, so that the monthly ranking (月晾晒) shows something true to life.

The rows are planned in memory with the same working calendar and clock rules as the services
(`jiceng.cases.services`) and written with bulk_create: the state machine is not replayed case
by case, which would take minutes, but every field it maintains is set as it would have set it.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from auditlog.context import disable_auditlog
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from tqdm import tqdm

from jiceng.cases.calendar import working_calendar
from jiceng.cases.models import (
    Case,
    CaseCounter,
    CaseEvent,
    Category,
    Department,
    EventKind,
    Outcome,
    Source,
    Status,
)
from jiceng.cases.reference_data import categories_load, departments_create
from jiceng.cases.services.clock import YELLOW_SHARE
from jiceng.core.models import Region, User

# Demo users who work in a department of the case loop: (region, department kind).
DEMO_MEMBERSHIPS = {
    "handler": ("330483", "medical_insurance"),
    "xiaofang": ("330483101", "fire_station"),
    "shichang": ("330483", "market_supervision"),
    "jiaojing": ("330483", "traffic_police"),
    "wuye": ("330483001", "property_office"),
}
# Share of all cases per category, and the month-of-year factor of the seasonal ones.
CATEGORY_MIX = {
    "ebike_charging": 0.13,
    "ebike_parking": 0.10,
    "gas_hazard": 0.06,
    "project_problem": 0.02,
    "sanitation": 0.17,
    "dispute": 0.08,
    "road_damage": 0.09,
    "illegal_building": 0.06,
    "noise": 0.07,
    "streetlight": 0.06,
    "insurance_service": 0.03,
    "power_supply": 0.04,
    "water_supply": 0.03,
    "elderly_care": 0.06,
}
SEASON = {
    "ebike_charging": [0.7, 0.6, 0.8, 0.9, 1.1, 1.3, 1.5, 1.5, 1.2, 1.0, 0.8, 0.7],
    "power_supply": [0.8, 0.7, 0.7, 0.8, 1.0, 1.4, 1.9, 1.9, 1.2, 0.8, 0.7, 0.8],
    "gas_hazard": [1.5, 1.4, 1.1, 0.9, 0.8, 0.7, 0.7, 0.7, 0.8, 1.0, 1.2, 1.4],
}
SOURCES = [
    (Source.GRID_WORKER, 0.5),
    (Source.HOTLINE, 0.25),
    (Source.RESIDENT, 0.15),
    (Source.INSPECTION, 0.10),
]
# Reports per hour of the day (0–23): grid patrols in office hours, the hotline into the evening.
HOUR_PROFILE = np.array(
    [
        0.2,
        0.1,
        0.1,
        0.1,
        0.1,
        0.2,
        0.5,
        1.2,
        3.0,
        4.2,
        4.4,
        3.6,
        1.6,
        2.0,
        3.6,
        3.9,
        3.4,
        2.4,
        1.3,
        1.1,
        0.9,
        0.7,
        0.5,
        0.3,
    ]
)
FLUSH_EVERY = 20_000  # cases planned before they are written
WEEKDAY_FACTOR = [1.25, 1.1, 1.05, 1.0, 0.95, 0.45, 0.35]
DESCRIPTIONS = {
    "ebike_charging": [
        "{place}楼道内电动自行车充电",
        "{place}飞线充电，电线从窗口拉下",
        "{place}电梯内有电动自行车",
    ],
    "ebike_parking": ["{place}安全出口堆放电动自行车", "{place}疏散通道停满电动车"],
    "gas_hazard": ["{place}餐饮店燃气软管老化", "{place}气瓶超期未检", "{place}未安装燃气报警器"],
    "project_problem": ["{place}项目电力接入进度滞后", "{place}项目用地审批待协调"],
    "sanitation": ["{place}垃圾堆放未清运", "{place}公厕卫生差", "{place}河道漂浮垃圾"],
    "dispute": ["{place}邻里因噪声发生纠纷", "{place}物业费纠纷", "{place}劳资纠纷，工资未结清"],
    "road_damage": ["{place}路面坑洞", "{place}井盖缺失", "{place}护栏损坏"],
    "illegal_building": ["{place}屋顶违章搭建", "{place}占用绿地搭建棚屋"],
    "noise": ["{place}夜间施工噪声", "{place}广场舞音响过大"],
    "streetlight": ["{place}路灯不亮", "{place}灯杆倾斜"],
    "insurance_service": ["{place}居民反映医保报销进度慢", "{place}咨询异地就医备案"],
    "power_supply": ["{place}频繁停电", "{place}电压不稳"],
    "water_supply": ["{place}水压低", "{place}管道漏水"],
    "elderly_care": ["{place}独居老人需要助餐服务", "{place}申请居家养老上门服务"],
}


@dataclass
class _Plan:
    case: Case
    events: list[CaseEvent]


def seed_cases(
    *,
    seed: int,
    per_year: int,
    as_of: date,
    progress: bool = False,
) -> int:
    """Create about `per_year` cases over the year before `as_of`; return how many.

    Like the rest of the seeded county, this synthetic history leaves no audit entries."""
    with disable_auditlog():
        return _seed_cases(seed=seed, per_year=per_year, as_of=as_of, progress=progress)


def _seed_cases(*, seed: int, per_year: int, as_of: date, progress: bool) -> int:
    categories_load()
    county = Region.objects.get(code="330483")
    departments_create(county_code=county.code)
    for username, (region_code, kind) in DEMO_MEMBERSHIPS.items():
        member = User.objects.filter(username=username).first()
        if member is not None:
            Department.objects.get(region_id=region_code, kind=kind).members.add(member)
    rng = np.random.default_rng(seed + 311)
    calendar = working_calendar()
    zone = ZoneInfo(settings.TIME_ZONE)
    categories = {c.code: c for c in Category.objects.prefetch_related("routes", "attributes")}
    departments = {
        (d.region_id, d.kind): d
        for d in Department.objects.filter(region__code__startswith="330483")
    }
    places = list(
        Region.objects.filter(code__startswith="330483", level__in=("village", "grid")).values_list(
            "code", "name", "lat", "lon"
        )
    )
    if not places:
        return 0
    towns = sorted({code[:9] for code, *_ in places})
    # How well each town and its departments do: the share closed on time, and satisfaction.
    quality = {town: float(rng.uniform(0.72, 0.97)) for town in towns}
    officers = {
        u.region_id: u
        for u in User.objects.filter(role_grants__role="town_officer", region__isnull=False)
        if u.region_id is not None
    }
    admin = User.objects.filter(role_grants__role="county_admin").first()

    start_day = as_of - timedelta(days=365)
    codes = list(CATEGORY_MIX)
    mix = np.array([CATEGORY_MIX[c] for c in codes])
    mix = mix / mix.sum()
    daily = per_year / 365 / np.mean(WEEKDAY_FACTOR) * 7 / 7
    hours = HOUR_PROFILE / HOUR_PROFILE.sum()
    now = datetime.combine(as_of, time(10, 0), zone)

    plans: list[_Plan] = []
    # Numbers continue after the cases already there (a second run adds to the history).
    sequence: dict[int, int] = dict(
        CaseCounter.objects.filter(county_code=county.code).values_list("year", "last")
    )
    created = 0

    def flush() -> None:
        nonlocal created
        with transaction.atomic():
            Case.objects.bulk_create([p.case for p in plans], batch_size=2000)
            CaseEvent.objects.bulk_create([e for p in plans for e in p.events], batch_size=5000)
        created += len(plans)
        plans.clear()

    bar = tqdm(
        total=(as_of - start_day).days,
        unit=" days",
        disable=not progress,
        file=sys.stderr,
        desc=_("Cases"),
        dynamic_ncols=True,
    )
    day = start_day
    while day < as_of:
        factor = WEEKDAY_FACTOR[day.weekday()] * (
            0.45 if not calendar.is_workday(day) and day.weekday() < 5 else 1.0
        )
        month_start = 1.15 if day.day <= 5 else 1.0
        n = int(rng.poisson(daily * factor * month_start))
        for _case in range(n):
            code = codes[int(rng.choice(len(codes), p=mix))]
            season = SEASON.get(code)
            if season is not None and rng.random() > season[day.month - 1] / max(season):
                code = "sanitation"
            hour = int(rng.choice(24, p=hours))
            reported = datetime.combine(day, time(hour, int(rng.integers(0, 60))), zone)
            place = places[int(rng.integers(0, len(places)))]
            year = reported.year
            sequence[year] = sequence.get(year, 0) + 1
            plans.append(
                _plan_case(
                    rng,
                    calendar,
                    categories[code],
                    place,
                    reported,
                    year,
                    sequence[year],
                    departments,
                    quality,
                    officers,
                    admin,
                    now,
                )
            )
        if len(plans) >= FLUSH_EVERY:
            flush()
        day += timedelta(days=1)
        bar.update(1)
    flush()
    bar.close()
    with transaction.atomic():
        for year, last in sequence.items():
            CaseCounter.objects.update_or_create(
                county_code=county.code, year=year, defaults={"last": last}
            )
    return created


def _plan_case(
    rng: np.random.Generator,
    calendar: Any,
    category: Category,
    place: tuple[str, str, float | None, float | None],
    reported: datetime,
    year: int,
    sequence: int,
    departments: dict[tuple[str, str], Department],
    quality: dict[str, float],
    officers: dict[str, User],
    admin: User | None,
    now: datetime,
) -> _Plan:
    code, name, lat, lon = place
    town = code[:9]
    routes = {r.level: r.department_kind for r in category.routes.all()}
    owner = town if "town" in routes else code[:6]
    kind = routes.get("town" if owner == town else "county")
    department = departments.get((owner, kind)) if kind else None
    source = SOURCES[int(rng.choice(len(SOURCES), p=[w for _, w in SOURCES]))][0]
    description = str(rng.choice(DESCRIPTIONS[category.code])).format(place=name)
    attributes: dict[str, Any] = {}
    for attribute in category.attributes.all():
        if attribute.values:
            attributes[attribute.code] = attribute.values[
                int(rng.integers(0, len(attribute.values)))
            ]["key"]
    jitter = (float(rng.normal(0, 0.002)), float(rng.normal(0, 0.002)))
    case = Case(
        number=f"330483-{year}-{sequence:06d}",
        year=year,
        sequence=sequence,
        source=source,
        category=category,
        region_id=code,
        owner_region_id=owner,
        lat=round(lat + jitter[0], 6) if lat is not None else None,
        lon=round(lon + jitter[1], 6) if lon is not None else None,
        address=name,
        description=description,
        attributes=attributes,
        reporter_name="" if source == Source.GRID_WORKER else "市民",
        reported_at=reported,
        accept_deadline=calendar.add_working_hours(reported, category.accept_hours),
    )
    officer = officers.get(owner) or admin
    events = [_event(case, EventKind.REPORTED, reported, None, to_status=Status.REPORTED)]
    q = quality.get(town, 0.85)

    def at(after: datetime, working_hours: float) -> datetime:
        return calendar.add_working_hours(after, max(working_hours, 0.05))

    accepted = at(reported, float(rng.uniform(0.1, 1.2)) * category.accept_hours)
    if accepted > now:
        _set_clock(case, calendar, reported, case.accept_deadline)
        return _Plan(case, events)
    case.accepted_at = accepted
    case.resolve_deadline = calendar.end_of_working_day(accepted, category.resolve_days)
    if department is None or rng.random() < 0.02:
        case.status, case.outcome, case.closed_at, case.is_open = (
            Status.CLOSED,
            Outcome.DISMISSED,
            accepted,
            False,
        )
        events.append(
            _event(
                case,
                EventKind.DISMISSED,
                accepted,
                officer,
                Status.REPORTED,
                Status.CLOSED,
                note="不属于受理范围",
            )
        )
        return _Plan(case, events)
    case.department = department
    events.append(
        _event(case, EventKind.ACCEPTED, accepted, officer, Status.REPORTED, Status.ACCEPTED)
    )
    dispatched = accepted + timedelta(minutes=int(rng.integers(2, 40)))
    events.append(
        _event(
            case,
            EventKind.DISPATCHED,
            dispatched,
            officer,
            Status.ACCEPTED,
            Status.DISPATCHED,
            department=department,
        )
    )
    if rng.random() < 0.05 and dispatched < now:
        returned = at(dispatched, 1.0)
        events.append(
            _event(
                case,
                EventKind.RETURNED,
                returned,
                None,
                Status.DISPATCHED,
                Status.RETURNED,
                note="职责不符，请重新派遣",
                department=department,
            )
        )
        dispatched = returned + timedelta(minutes=30)
        events.append(
            _event(
                case,
                EventKind.DISPATCHED,
                dispatched,
                officer,
                Status.RETURNED,
                Status.DISPATCHED,
                department=department,
            )
        )
    budget = calendar.working_hours_between(accepted, case.resolve_deadline)
    on_time = rng.random() < q
    share = float(rng.uniform(0.15, 0.95)) if on_time else float(rng.uniform(1.05, 2.5))
    started = at(dispatched, budget * share * 0.2)
    resolved = at(dispatched, budget * share)
    if started > now:
        case.status = Status.DISPATCHED
        _set_clock(case, calendar, accepted, case.resolve_deadline)
        return _Plan(case, events)
    events.append(
        _event(case, EventKind.STARTED, started, None, Status.DISPATCHED, Status.IN_PROGRESS)
    )
    if resolved > now:
        case.status = Status.IN_PROGRESS
        _set_clock(case, calendar, accepted, case.resolve_deadline)
        if (
            now > case.resolve_deadline + timedelta(days=1)
            and officer is not None
            and admin is not None
        ):
            case.owner_region_id, case.escalation_level, case.escalated_at = (
                code[:6],
                1,
                case.resolve_deadline + timedelta(days=1),
            )
            events.append(
                _event(
                    case,
                    EventKind.ESCALATED,
                    case.escalated_at,
                    None,
                    Status.IN_PROGRESS,
                    Status.IN_PROGRESS,
                    note="超期自动升级",
                )
            )
        return _Plan(case, events)
    case.resolved_at, case.resolved_on_time = resolved, resolved <= case.resolve_deadline
    events.append(
        _event(
            case,
            EventKind.RESOLVED,
            resolved,
            None,
            Status.IN_PROGRESS,
            Status.RESOLVED,
            note="已处置完毕",
        )
    )
    verified = at(resolved, float(rng.uniform(0.5, 6)))
    if verified > now:
        case.status = Status.RESOLVED
        return _Plan(case, events)
    if category.needs_reporter_confirmation:
        case.reporter_confirmed = True
        events.append(
            _event(
                case,
                EventKind.CONFIRMED,
                verified - timedelta(minutes=20),
                officer,
                Status.RESOLVED,
                Status.RESOLVED,
                note="电话回访确认",
            )
        )
    case.status, case.outcome, case.closed_at, case.is_open = (
        Status.CLOSED,
        Outcome.RESOLVED,
        verified,
        False,
    )
    events.append(
        _event(case, EventKind.VERIFIED, verified, officer, Status.RESOLVED, Status.CLOSED)
    )
    if rng.random() < 0.6:
        satisfied = rng.random() < (q + 0.08)
        case.satisfaction = (
            int(rng.choice([4, 5], p=[0.3, 0.7])) if satisfied else int(rng.choice([1, 2, 3]))
        )
        events.append(
            _event(
                case,
                EventKind.RATED,
                verified + timedelta(hours=2),
                None,
                Status.CLOSED,
                Status.CLOSED,
                data={"score": case.satisfaction},
            )
        )
    if rng.random() < 0.03 and verified + timedelta(days=3) < now:
        case.reopen_count = 1
    return _Plan(case, events)


def _set_clock(case: Case, calendar: Any, start: datetime, due: datetime) -> None:
    used = calendar.working_hours_between(start, due)
    case.clock_started_at, case.clock_due_at = start, due
    case.clock_yellow_at = calendar.add_working_hours(start, used * YELLOW_SHARE) if used else due


def _event(
    case: Case,
    kind: str,
    at: datetime,
    actor: User | None,
    from_status: str = "",
    to_status: str = "",
    *,
    note: str = "",
    department: Department | None = None,
    data: dict[str, Any] | None = None,
) -> CaseEvent:
    return CaseEvent(
        case=case,
        kind=kind,
        at=at,
        actor=actor,
        actor_label=str(actor) if actor else "系统",
        note=note,
        from_status=from_status,
        to_status=to_status,
        department=department,
        data=data or {},
    )
