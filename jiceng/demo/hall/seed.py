"""Seeding the demo service network and its history, and deleting them again.

It builds on the core demo (regions, organisations with their sites, residents, users): run
`seed_hall` after `jiceng.demo.seed`; `demo_hall_delete` removes it again (before the core demo's
own deletion). Synthetic rows leave no audit entries. Tickets and handling records are planned in
memory and written in large batches (jiceng/core/bulk.py); the KPI summaries of the history are
built at the end. Deterministic by seed, except what is random by design (kiosk keys and ticket
keys, which are secrets).
"""

from __future__ import annotations

import time as _time
from collections import Counter
from datetime import date, timedelta
from typing import Any

import numpy as np
from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction

from jiceng.cases.calendar import working_calendar
from jiceng.core.bulk import BATCH
from jiceng.core.models import Organisation, Person, Region, RegionLevel, User
from jiceng.core.scope import region_prefix_q
from jiceng.demo.hall.history import (
    DayContext,
    catalogue_of,
    counter_points,
    counter_records,
    ids_by_town,
    simulate_day,
)
from jiceng.demo.hall.network import delegate, plan_halls, plan_points
from jiceng.demo.hall.rows import RowWriter
from jiceng.demo.profile import county_profile
from jiceng.hall.models import (
    Appointment,
    Hall,
    HallDay,
    HandlingDayStat,
    HandlingRecord,
    PointKind,
    QueueCounter,
    ServicePoint,
    SessionPlan,
    SummaryDay,
    Ticket,
    TicketDayStat,
    TidalRule,
    TravelModel,
    TravelTime,
    Window,
    WindowEvent,
)
from jiceng.hall.services.catalogue import catalogue_load
from jiceng.hall.services.summaries import summaries_build

FLUSH_ROWS = 50_000
TIDAL_START = (7, 22)  # the seed: tidal windows since 22 July


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
        points = plan_points(county, rng)
        ServicePoint.objects.bulk_create(points, batch_size=BATCH)
        points = list(ServicePoint.objects.filter(region_prefix_q(county.code)).order_by("pk"))
        delegated = delegate(points)
        halls = plan_halls(points, tidal_start)
        clerk = User.objects.filter(username="clerk").first()
        if clerk is not None:
            points[0].staff.add(clerk)
    catalogue = catalogue_of()
    towns = [p.region_id for p in points if p.kind == PointKind.TOWN_CENTER]
    people = ids_by_town(Person, towns, 5_000)
    enterprises = ids_by_town(Organisation, towns, 10_000, kind=Organisation.Kind.ENTERPRISE)
    counters = counter_points(points, catalogue, enterprises)
    span = max(1, (as_of - first).days)
    writer = RowWriter()
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
            writer.add_tickets(planned, day, simulate_day(rng, planned, ctx, catalogue))
        counter_records(rng, writer, counters, ctx, people, enterprises)
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
