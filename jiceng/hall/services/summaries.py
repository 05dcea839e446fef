"""Daily summaries behind the KPIs. A past day is summarised once (by the periodic job, or by the
demo seed in bulk); a later change to one of its tickets or records marks it stale, and the KPIs
read it raw until it is summarised again. Today is never summarised."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import DateField, JSONField, Min
from django.utils import timezone

from jiceng.hall.kpis import (
    HANDLING_COUNTERS,
    QUEUE_COUNTERS,
    days_between,
    handling_rows,
    ticket_rows,
)
from jiceng.hall.models import (
    Dimension,
    Hall,
    HandlingDayStat,
    HandlingRecord,
    SummaryDay,
    Ticket,
    TicketDayStat,
)

BATCH = 5_000


def _today() -> date:
    return timezone.localdate()


def summary_mark_stale(*, day: date) -> None:
    """A past day's tickets or records changed: its summaries are out of date until rebuilt.
    An upsert, so that a summariser building the day at this moment either sees the change or
    is followed by another build."""
    if day >= _today():
        return
    SummaryDay.objects.bulk_create(
        [SummaryDay(day=day, stale=True)],
        update_conflicts=True,
        unique_fields=["day"],
        update_fields=["stale"],
    )


def _insert(model: type[TicketDayStat] | type[HandlingDayStat], rows: list[dict[str, Any]]) -> None:
    """Insert summary rows with executemany: a model instance per row would cost more than the
    aggregation that produced them (the demo history summarises half a million rows at once)."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"  # noqa: S608

    def prepare(field: Any) -> Any:
        if isinstance(field, DateField):
            return lambda value: connection.ops.adapt_datefield_value(value)
        if isinstance(field, JSONField):
            return lambda value: field.get_db_prep_save(value, connection)
        return lambda value: value

    preparers = [(f.attname, f.get_default(), prepare(f)) for f in fields]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(
                sql,
                [
                    tuple(convert(row.get(name, default)) for name, default, convert in preparers)
                    for row in rows[start : start + BATCH]
                ],
            )


def _trimmed(histogram: list[int]) -> list[int]:
    """Without its trailing zeros (most waits are short): smaller rows, faster reads."""
    end = len(histogram)
    while end and not histogram[end - 1]:
        end -= 1
    return histogram[:end]


def summaries_build(*, first: date, last: date, at: datetime | None = None) -> int:
    """Summarise the days [first, last] (never today or later); return how many days."""
    last = min(last, _today() - timedelta(days=1))
    if last < first:
        return 0
    now = at or timezone.now()
    days = days_between(first, last)
    halls = dict(Hall.objects.values_list("pk", "point__region_id"))
    with transaction.atomic():
        SummaryDay.objects.bulk_create(
            [SummaryDay(day=d, stale=True) for d in days], ignore_conflicts=True
        )
        list(SummaryDay.objects.select_for_update().filter(day__gte=first, day__lte=last))
        TicketDayStat.objects.filter(day__gte=first, day__lte=last).delete()
        HandlingDayStat.objects.filter(day__gte=first, day__lte=last).delete()
        ticket_stats: dict[tuple[int, date, str, str], dict[str, Any]] = {}
        tickets = Ticket.objects.filter(service_day__gte=first, service_day__lte=last)
        for hall_id, day, dimension, key, row in ticket_rows(tickets):
            if dimension == "histogram":
                ticket_stats[(hall_id, day, Dimension.TOTAL, "")]["wait_histogram"] = _trimmed(
                    row["wait_histogram"]
                )
                continue
            ticket_stats[(hall_id, day, dimension, key)] = {
                "hall_id": hall_id,
                "region_id": halls[hall_id],
                "day": day,
                "dimension": dimension,
                "key": key,
                **{name: int(row[name] or 0) for name in QUEUE_COUNTERS},
            }
        _insert(TicketDayStat, list(ticket_stats.values()))
        records = HandlingRecord.objects.filter(day__gte=first, day__lte=last)
        handling = []
        town, county = HandlingDayStat.Area.TOWN, HandlingDayStat.Area.COUNTY
        for level, area_length, dimensions, by_kind in (
            (town, 9, (Dimension.TOTAL,), True),
            (town, 9, (Dimension.ITEM, Dimension.HOUR), False),
            (county, 6, (Dimension.ITEM, Dimension.HOUR), False),
        ):
            handling += [
                {
                    "area": level,
                    "region_id": code,
                    "kind": row["kind"] if by_kind else "",
                    "day": day,
                    "dimension": dimension,
                    "key": key,
                    **{name: int(row[name] or 0) for name in HANDLING_COUNTERS},
                }
                for code, day, dimension, key, row in handling_rows(
                    records, dimensions=dimensions, area_length=area_length, by_kind=by_kind
                )
            ]
        _insert(HandlingDayStat, handling)
        SummaryDay.objects.filter(day__gte=first, day__lte=last).update(stale=False, built_at=now)
    return len(days)


def summaries_build_due(*, max_days: int = 400, at: datetime | None = None) -> int:
    """Summarise the past days not summarised yet or changed since, oldest first, in runs of
    consecutive days; return how many days were summarised."""
    yesterday = _today() - timedelta(days=1)
    starts = [
        d
        for d in (
            Ticket.objects.aggregate(first=Min("service_day"))["first"],
            HandlingRecord.objects.aggregate(first=Min("day"))["first"],
        )
        if d is not None
    ]
    if not starts:
        return 0
    first = max(min(starts), yesterday - timedelta(days=max_days))
    built = set(
        SummaryDay.objects.filter(day__gte=first, stale=False).values_list("day", flat=True)
    )
    due = [d for d in days_between(first, yesterday) if d not in built]
    done = 0
    run: list[date] = []
    for day in [*due, None]:
        if day is not None and (not run or day == run[-1] + timedelta(days=1)) and len(run) < 31:
            run.append(day)
            continue
        if run:
            done += summaries_build(first=run[0], last=run[-1], at=at)
        run = [day] if day is not None else []
    return done
