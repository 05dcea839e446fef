"""KPIs of a hall, a point, a town or the county: tickets and handled items, mean and
95th-percentile wait, handling time per item, satisfaction (好评率: the share of ratings of 3 to 5
on the five levels of 好差评), items handled in tidal sessions (the seed's 分流), and the change of
handling time against the previous period of the same length; by day, week or month, and by
item, window, hour, group, point type and town.

Figures are additive counters (counts, sums of seconds, a histogram of waits by whole minute),
so a period is the sum of its days. Days that are summarised (SummaryDay built and not stale) are
read from the daily summary tables; the others (today, a day changed since, a day the periodic
job has not reached) are aggregated from the raw tickets and records with the same queries that
build the summaries. Every figure is the same either way.
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from typing import Any, TypeVar, cast

import numpy as np
from django.core.cache import cache
from django.db.models import Count, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, Least, Substr
from numpy.typing import NDArray

from jiceng.core.scope import region_prefix_q
from jiceng.hall.models import (
    SATISFIED_FROM,
    TIDAL_SESSION_KINDS,
    Dimension,
    Hall,
    HandlingDayStat,
    HandlingRecord,
    Outcome,
    Priority,
    ServiceItem,
    ServicePoint,
    SummaryDay,
    Ticket,
    TicketDayStat,
    TicketStatus,
    Window,
)

T = TypeVar("T")
WAIT_BUCKETS = 121  # whole minutes 0..119, and 120 or more
GRANULARITIES = ("day", "week", "month")


# --- additive figures ----------------------------------------------------------------------


def _no_waits() -> NDArray[np.int64]:
    return np.zeros(WAIT_BUCKETS, dtype=np.int64)


@dataclass
class QueueFigures:
    tickets: int = 0
    called: int = 0
    served: int = 0
    no_shows: int = 0
    green: int = 0
    appointments: int = 0
    wait_n: int = 0
    wait_sum: int = 0
    handle_n: int = 0
    handle_sum: int = 0
    tidal_served: int = 0
    ratings: int = 0
    ratings_good: int = 0
    ratings_sum: int = 0
    wait_histogram: NDArray[np.int64] = field(default_factory=_no_waits)

    def add(self, row: dict[str, Any]) -> None:
        for name in QUEUE_COUNTERS:
            value = row.get(name)
            if value:
                setattr(self, name, getattr(self, name) + int(value))
        histogram = row.get("wait_histogram")
        if histogram is not None and len(histogram):
            counts = np.asarray(histogram[:WAIT_BUCKETS], dtype=np.int64)
            self.wait_histogram[: len(counts)] += counts  # stored without trailing zeros

    def merge(self, other: QueueFigures) -> None:
        for name in QUEUE_COUNTERS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.wait_histogram += other.wait_histogram


QUEUE_COUNTERS = tuple(f.name for f in fields(QueueFigures) if f.name != "wait_histogram")


@dataclass
class HandlingFigures:
    records: int = 0
    seconds_sum: int = 0
    tidal: int = 0
    from_queue: int = 0
    more_materials: int = 0
    referred: int = 0

    def add(self, row: dict[str, Any]) -> None:
        for name in HANDLING_COUNTERS:
            value = row.get(name)
            if value:
                setattr(self, name, getattr(self, name) + int(value))


HANDLING_COUNTERS = tuple(f.name for f in fields(HandlingFigures))


def _ticket_aggregates() -> dict[str, Any]:
    return {
        "tickets": Count("pk"),
        "called": Count("pk", filter=Q(first_called_at__isnull=False)),
        "served": Count("pk", filter=Q(status=TicketStatus.DONE)),
        "no_shows": Count("pk", filter=Q(status=TicketStatus.NO_SHOW)),
        "green": Count("pk", filter=Q(priority=Priority.GREEN)),
        "appointments": Count("appointment_at"),
        "wait_n": Count("wait_seconds"),
        "wait_sum": Coalesce(Sum("wait_seconds"), 0),
        "handle_n": Count("handle_seconds"),
        "handle_sum": Coalesce(Sum("handle_seconds"), 0),
        "tidal_served": Count(
            "pk", filter=Q(status=TicketStatus.DONE, session_kind__in=TIDAL_SESSION_KINDS)
        ),
        "ratings": Count("rating"),
        "ratings_good": Count("pk", filter=Q(rating__gte=SATISFIED_FROM)),
        "ratings_sum": Coalesce(Sum("rating"), 0),
    }


def _handling_aggregates() -> dict[str, Any]:
    return {
        "records": Count("pk"),
        "seconds_sum": Coalesce(Sum("seconds"), 0),
        "tidal": Count("pk", filter=Q(session_kind__in=TIDAL_SESSION_KINDS)),
        "from_queue": Count("pk", filter=Q(channel=HandlingRecord.Channel.QUEUE)),
        "more_materials": Count("pk", filter=Q(outcome=Outcome.MORE_MATERIALS)),
        "referred": Count("pk", filter=Q(outcome=Outcome.REFERRED)),
    }


TICKET_DIMENSIONS = {
    Dimension.TOTAL: None,
    Dimension.ITEM: "item_id",
    Dimension.WINDOW: "window_id",
    Dimension.HOUR: "hour",
    Dimension.GROUP: "group_id",
}
HANDLING_DIMENSIONS = {Dimension.TOTAL: None, Dimension.ITEM: "item_id", Dimension.HOUR: "hour"}


def _item_codes() -> dict[int, str]:
    return dict(ServiceItem.objects.values_list("pk", "code"))


def ticket_rows(
    tickets: QuerySet[Ticket],
    *,
    dimensions: Iterable[str] = tuple(TICKET_DIMENSIONS),
    combined: bool = False,
) -> Iterator[tuple[int, date, str, str, dict[str, Any]]]:
    """(hall id, day, dimension, key, counters) of raw tickets, the histogram on total rows.

    One GROUP BY per dimension; or, `combined`, one GROUP BY over all of them, added up here
    per dimension (cheaper for the few tickets of a day or two, dearer for months)."""
    codes = _item_codes()
    tickets = tickets.order_by()
    dimensions = tuple(dimensions)
    if combined:
        yield from _ticket_rows_combined(tickets, dimensions, codes)
    else:
        for dimension in dimensions:
            column = TICKET_DIMENSIONS[Dimension(dimension)]
            qs = tickets.filter(window__isnull=False) if column == "window_id" else tickets
            group_by = ["hall_id", "service_day", *([column] if column else [])]
            for row in qs.values(*group_by).annotate(**_ticket_aggregates()):
                key = "" if column is None else str(row[column])
                if column == "item_id":
                    key = codes.get(row[column], key)
                yield row["hall_id"], row["service_day"], dimension, key, row
    if Dimension.TOTAL in dimensions:
        bucket = Least(F("wait_seconds") / Value(60), Value(WAIT_BUCKETS - 1))
        histograms: dict[tuple[int, date], list[int]] = defaultdict(lambda: [0] * WAIT_BUCKETS)
        for hall_id, day, minute, n in (
            tickets.filter(wait_seconds__isnull=False)
            .values("hall_id", "service_day", minute=bucket)
            .annotate(n=Count("pk"))
            .values_list("hall_id", "service_day", "minute", "n")
        ):
            histograms[(hall_id, day)][int(minute)] += n
        for (hall_id, day), histogram in histograms.items():
            yield hall_id, day, "histogram", "", {"wait_histogram": histogram}


def _ticket_rows_combined(
    tickets: QuerySet[Ticket], dimensions: tuple[str, ...], codes: dict[int, str]
) -> Iterator[tuple[int, date, str, str, dict[str, Any]]]:
    columns = {d: TICKET_DIMENSIONS[Dimension(d)] for d in dimensions}
    group_by = ["hall_id", "service_day", *(c for c in columns.values() if c)]
    sums: dict[tuple[int, date, str, str], dict[str, int]] = {}
    for row in tickets.values(*group_by).annotate(**_ticket_aggregates()):
        for dimension, column in columns.items():
            if column == "window_id" and row[column] is None:
                continue
            key = "" if column is None else str(row[column])
            if column == "item_id":
                key = codes.get(row[column], key)
            target = sums.setdefault(
                (row["hall_id"], row["service_day"], dimension, key),
                dict.fromkeys(QUEUE_COUNTERS, 0),
            )
            for name in QUEUE_COUNTERS:
                target[name] += row[name] or 0
    for (hall_id, day, dimension, key), counters in sums.items():
        yield hall_id, day, dimension, key, counters


def handling_rows(
    records: QuerySet[HandlingRecord],
    *,
    dimensions: Iterable[str] = tuple(HANDLING_DIMENSIONS),
    area_length: int | None = None,
    by_kind: bool = False,
) -> Iterator[tuple[Any, date, str, str, dict[str, Any]]]:
    """(owner, day, dimension, key, counters) of raw records. The owner is the point id, or
    with `area_length` the first digits of its region code (9: its town, 6: its county), and
    with `by_kind` also the point's type (row["kind"])."""
    codes = _item_codes()
    records = records.order_by()
    owner = "point_id"
    if area_length is not None:
        owner = "area"
        records = records.annotate(area=Substr("point__region_id", 1, area_length))
    extra = ["point__kind"] if by_kind else []
    for dimension in dimensions:
        column = HANDLING_DIMENSIONS[Dimension(dimension)]
        group_by = [owner, "day", *extra, *([column] if column else [])]
        for row in records.values(*group_by).annotate(**_handling_aggregates()):
            key = "" if column is None else str(row[column])
            if column == "item_id":
                key = codes.get(row[column], key)
            if by_kind:
                row["kind"] = row["point__kind"]
            yield row[owner], row["day"], dimension, key, row


# --- which days come from summaries ----------------------------------------------------------


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


@dataclass(frozen=True)
class DaySplit:
    """Which days of a period are read raw, and a version of the summaries of the others that
    changes whenever one of them is rebuilt or goes stale (part of cache keys)."""

    raw: list[date]
    version: str


def day_split(first: date, last: date) -> DaySplit:
    built = dict(
        SummaryDay.objects.filter(day__gte=first, day__lte=last, stale=False).values_list(
            "day", "built_at"
        )
    )
    latest = max((at for at in built.values() if at is not None), default=None)
    raw = [d for d in days_between(first, last) if d not in built]
    return DaySplit(raw, f"{len(built)}:{latest.isoformat() if latest else ''}")


def raw_days(first: date, last: date) -> list[date]:
    """The days of [first, last] that are not summarised (or changed since)."""
    return day_split(first, last).raw


SUMMARY_CACHE_SECONDS = 300


def _summaries_cached(key: str, split: DaySplit, compute: Callable[[], T]) -> T:
    """Figures of summarised days, kept in the cache while no summary of the period changes
    (the key holds the period, the raw days and the summaries' version)."""
    if not split.version.startswith("0:"):
        digest = hashlib.sha1(  # noqa: S324 - a cache key, not security
            f"{key}|{split.version}|{','.join(d.isoformat() for d in split.raw)}".encode()
        ).hexdigest()
        found = cache.get(f"hall-kpi:{digest}")
        if found is not None:
            return cast(T, found)
        value = compute()
        cache.set(f"hall-kpi:{digest}", value, SUMMARY_CACHE_SECONDS)
        return value
    return compute()


def days_q(days: list[date], field: str = "day") -> Q:
    """The days as a few date ranges (consecutive days run together), not a long IN list."""
    condition = Q()
    start = previous = None
    for day in [*sorted(days), None]:
        if day is not None and previous is not None and day == previous + timedelta(days=1):
            previous = day
            continue
        if start is not None and previous is not None:
            condition |= Q(**{f"{field}__gte": start, f"{field}__lte": previous})
        start = previous = day
    return condition


def period_of(day: date, granularity: str) -> date:
    if granularity == "week":
        return day - timedelta(days=day.weekday())
    if granularity == "month":
        return day.replace(day=1)
    return day


# --- finishing figures -------------------------------------------------------------------------


def _ratio(numerator: float, denominator: float, digits: int = 4) -> float | None:
    return round(numerator / denominator, digits) if denominator else None


def percentile_minutes(histogram: Sequence[int] | NDArray[np.int64], share: float) -> int | None:
    """The wait (whole minutes, rounded down) within which `share` of the waits fall
    (nearest rank); the last bucket means that long or longer."""
    counts = np.asarray(histogram, dtype=np.int64)
    total = int(counts.sum())
    if total == 0:
        return None
    rank = max(1, math.ceil(round(share * total, 6)))  # nearest rank
    return int(np.searchsorted(np.cumsum(counts), rank))


def queue_summary(f: QueueFigures) -> dict[str, Any]:
    return {
        "tickets": f.tickets,
        "called": f.called,
        "served": f.served,
        "no_shows": f.no_shows,
        "green": f.green,
        "appointments": f.appointments,
        "mean_wait_minutes": _ratio(f.wait_sum, f.wait_n * 60, 1),
        "p95_wait_minutes": percentile_minutes(f.wait_histogram, 0.95),
        "mean_handle_minutes": _ratio(f.handle_sum, f.handle_n * 60, 2),
        "ratings": f.ratings,
        "satisfaction_rate": _ratio(f.ratings_good, f.ratings),
        "mean_rating": _ratio(f.ratings_sum, f.ratings, 2),
        "tidal_served": f.tidal_served,
        "tidal_share": _ratio(f.tidal_served, f.served),
    }


def handling_summary(f: HandlingFigures) -> dict[str, Any]:
    return {
        "handled": f.records,
        "mean_handle_minutes": _ratio(f.seconds_sum, f.records * 60, 2),
        "tidal": f.tidal,
        "from_queue": f.from_queue,
        "more_materials": f.more_materials,
        "referred": f.referred,
    }


def _mean(total: int, count: int) -> float | None:
    return total / count if count else None


def change(now: float | None, before: float | None) -> float | None:
    if now is None or not before:
        return None
    return round((now - before) / before, 4)


# --- a hall -------------------------------------------------------------------------------------


QueueBreakdown = tuple[dict[tuple[str, str], QueueFigures], dict[date, QueueFigures]]


def _queue_figures(
    owner: str,
    stat_where: Q,
    ticket_where: Q,
    first: date,
    last: date,
    split: DaySplit,
    *,
    dimensions: tuple[str, ...],
) -> QueueBreakdown:
    """Queue figures for [first, last] by (dimension, key), and the total of each day; `owner`
    names what the filters select, for the cache of the summarised days."""
    raw = split.raw

    def from_summaries() -> QueueBreakdown:
        by_key: dict[tuple[str, str], QueueFigures] = defaultdict(QueueFigures)
        by_day: dict[date, QueueFigures] = defaultdict(QueueFigures)
        stats = TicketDayStat.objects.filter(
            stat_where, day__gte=first, day__lte=last, dimension__in=dimensions
        )
        if raw:
            stats = stats.exclude(days_q(raw))
        for row in (
            stats.exclude(dimension=Dimension.TOTAL)
            .values("dimension", "key")
            .annotate(**{name: Sum(name) for name in QUEUE_COUNTERS})
        ):
            by_key[(row["dimension"], row["key"])].add(row)
        if Dimension.TOTAL in dimensions:
            for row in stats.filter(dimension=Dimension.TOTAL).values(
                "day", "wait_histogram", *QUEUE_COUNTERS
            ):
                by_day[row["day"]].add(row)
        return dict(by_key), dict(by_day)

    cached_key, cached_day = _summaries_cached(
        f"queue|{owner}|{first}|{last}|{','.join(dimensions)}", split, from_summaries
    )
    by_key = defaultdict(QueueFigures, cached_key)
    by_day = defaultdict(QueueFigures, cached_day)
    if raw:
        tickets = Ticket.objects.filter(ticket_where, days_q(raw, "service_day"))
        rows = (
            ticket_rows(tickets, dimensions=dimensions, combined=True) if tickets.exists() else ()
        )
        for _hall, day, dimension, key, row in rows:
            if dimension in (Dimension.TOTAL, "histogram"):
                by_day[day].add(row)
            else:
                by_key[(dimension, key)].add(row)
    return by_key, by_day


def _series(by_day: dict[date, QueueFigures], granularity: str) -> list[dict[str, Any]]:
    periods: dict[date, QueueFigures] = defaultdict(QueueFigures)
    for day, figures in by_day.items():
        periods[period_of(day, granularity)].merge(figures)
    return [{"period": p, **queue_summary(periods[p])} for p in sorted(periods)]


def _total(by_day: dict[date, QueueFigures]) -> QueueFigures:
    total = QueueFigures()
    for figures in by_day.values():
        total.merge(figures)
    return total


def _previous(first: date, last: date) -> tuple[date, date]:
    length = (last - first).days + 1
    return first - timedelta(days=length), first - timedelta(days=1)


def hall_kpis(
    hall: Hall, *, date_from: date, date_to: date, granularity: str = "day"
) -> dict[str, Any]:
    """The KPIs of one hall over [date_from, date_to] (the caller has checked scope)."""
    if granularity not in GRANULARITIES:
        raise ValueError(granularity)
    halls, owner = Q(hall_id=hall.pk), f"hall:{hall.pk}"
    by_key, by_day = _queue_figures(
        owner,
        halls,
        halls,
        date_from,
        date_to,
        day_split(date_from, date_to),
        dimensions=tuple(TICKET_DIMENSIONS),
    )
    total = _total(by_day)
    prev_from, prev_to = _previous(date_from, date_to)
    _unused, prev_by_day = _queue_figures(
        owner,
        halls,
        halls,
        prev_from,
        prev_to,
        day_split(prev_from, prev_to),
        dimensions=(Dimension.TOTAL,),
    )
    previous = _total(prev_by_day)
    now_summary, prev_summary = queue_summary(total), queue_summary(previous)
    items = {i.code: i for i in ServiceItem.objects.all()}
    windows = {str(w.pk): w for w in Window.objects.filter(hall=hall)}
    return {
        "hall": {"id": hall.pk, "name": hall.name},
        "from": date_from,
        "to": date_to,
        "granularity": granularity,
        "totals": now_summary,
        "previous": {"from": prev_from, "to": prev_to, **prev_summary},
        "handle_time_change": change(
            _mean(total.handle_sum, total.handle_n), _mean(previous.handle_sum, previous.handle_n)
        ),
        "series": _series(by_day, granularity),
        "by_item": [
            {
                "item": key,
                "name": items[key].name if key in items else key,
                "standard_minutes": items[key].standard_minutes if key in items else None,
                **queue_summary(f),
            }
            for (dimension, key), f in sorted(by_key.items())
            if dimension == Dimension.ITEM
        ],
        "by_window": [
            {
                "window": int(key),
                "name": str(windows[key]) if key in windows else key,
                **queue_summary(f),
            }
            for (dimension, key), f in sorted(
                by_key.items(),
                key=lambda kv: (kv[0][0], int(kv[0][1]) if kv[0][1].isdigit() else 0),
            )
            if dimension == Dimension.WINDOW
        ],
        "by_hour": [
            {"hour": int(key), **queue_summary(f)}
            for (dimension, key), f in sorted(
                by_key.items(),
                key=lambda kv: (kv[0][0], int(kv[0][1]) if kv[0][1].isdigit() else 0),
            )
            if dimension == Dimension.HOUR
        ],
        "by_group": [
            {"group": key, **queue_summary(f)}
            for (dimension, key), f in sorted(by_key.items())
            if dimension == Dimension.GROUP
        ],
    }


# --- a point, a town or the county --------------------------------------------------------------


HandlingBreakdown = tuple[
    dict[tuple[str, str], HandlingFigures],
    dict[date, HandlingFigures],
    dict[str, HandlingFigures],
    dict[str, HandlingFigures],
]
AREA_LENGTHS = (6, 9)  # a county and a town: the areas the summaries hold


def _handling_figures(
    region_code: str,
    point: ServicePoint | None,
    first: date,
    last: date,
    split: DaySplit,
    *,
    keys: bool = True,
) -> HandlingBreakdown:
    """Handling figures by (dimension, key), by day (totals), by point type and by town, for
    a county or a town (from the summaries, and the records of days not summarised) or for
    one point or a village (from the records: few rows)."""
    by_key: dict[tuple[str, str], HandlingFigures] = defaultdict(HandlingFigures)
    by_day: dict[date, HandlingFigures] = defaultdict(HandlingFigures)
    by_kind: dict[str, HandlingFigures] = defaultdict(HandlingFigures)
    by_town: dict[str, HandlingFigures] = defaultdict(HandlingFigures)
    dimensions = tuple(HANDLING_DIMENSIONS) if keys else (Dimension.TOTAL,)

    def add_records(records: QuerySet[HandlingRecord]) -> None:
        if not records.exists():
            return
        for town, day, dimension, key, row in handling_rows(
            records, dimensions=dimensions, area_length=9, by_kind=True
        ):
            if dimension == Dimension.TOTAL:
                by_day[day].add(row)
                by_kind[row["kind"]].add(row)
                by_town[town].add(row)
            else:
                by_key[(dimension, key)].add(row)

    # Records through their points (an index on point and day); points by their region code.
    points = Q(point_id=point.pk) if point is not None else Q(point_id__in=_points_in(region_code))
    if point is not None or len(region_code) not in AREA_LENGTHS:
        add_records(HandlingRecord.objects.filter(points, day__gte=first, day__lte=last))
        return by_key, by_day, by_kind, by_town
    raw = split.raw

    def from_summaries() -> HandlingBreakdown:
        found: HandlingBreakdown = (
            defaultdict(HandlingFigures),
            defaultdict(HandlingFigures),
            defaultdict(HandlingFigures),
            defaultdict(HandlingFigures),
        )
        stats = HandlingDayStat.objects.filter(day__gte=first, day__lte=last)
        if raw:
            stats = stats.exclude(days_q(raw))
        sums = {name: Sum(name) for name in HANDLING_COUNTERS}
        town, county = HandlingDayStat.Area.TOWN, HandlingDayStat.Area.COUNTY
        totals = stats.filter(
            region_prefix_q(region_code, "region"), area=town, dimension=Dimension.TOTAL
        )
        for row in totals.values("day").annotate(**sums):
            found[1][row["day"]].add(row)
        for row in totals.values("kind").annotate(**sums):
            found[2][row["kind"]].add(row)
        for row in totals.values("region_id").annotate(**sums):
            found[3][row["region_id"]].add(row)
        if keys:
            areas = stats.filter(
                area=county if len(region_code) == AREA_LENGTHS[0] else town,
                region_id=region_code,
                dimension__in=(Dimension.ITEM, Dimension.HOUR),
            )
            for row in areas.values("dimension", "key").annotate(**sums):
                found[0][(row["dimension"], row["key"])].add(row)
        return dict(found[0]), dict(found[1]), dict(found[2]), dict(found[3])

    cached = _summaries_cached(
        f"handling|{region_code}|{first}|{last}|{keys}", split, from_summaries
    )
    for target, source in zip((by_key, by_day, by_kind, by_town), cached, strict=True):
        target.update(source)  # type: ignore[attr-defined]
    if raw:
        add_records(HandlingRecord.objects.filter(points, days_q(raw)))
    return by_key, by_day, by_kind, by_town


def _points_in(region_code: str) -> QuerySet[ServicePoint, Any]:
    return (
        ServicePoint.objects.filter(region_prefix_q(region_code, "region")).order_by().values("pk")
    )


def network_kpis(
    *,
    region_code: str,
    point: ServicePoint | None = None,
    date_from: date,
    date_to: date,
    granularity: str = "day",
) -> dict[str, Any]:
    """The KPIs of the points in a region (a town, the county) or of one point: the work of the
    whole network (handling records) and the queues of its halls (the caller checked scope)."""
    if granularity not in GRANULARITIES:
        raise ValueError(granularity)
    if point is not None:
        stat_halls = ticket_halls = Q(hall__point_id=point.pk)
    else:
        stat_halls = region_prefix_q(region_code, "region")
        ticket_halls = region_prefix_q(region_code, "hall__point__region")
    split = day_split(date_from, date_to)
    by_key, by_day, by_kind, by_town = _handling_figures(
        region_code, point, date_from, date_to, split
    )
    total = HandlingFigures()
    for figures in by_day.values():
        total.add(vars(figures))
    prev_from, prev_to = _previous(date_from, date_to)
    _k, prev_by_day, _kind, _town = _handling_figures(
        region_code, point, prev_from, prev_to, day_split(prev_from, prev_to), keys=False
    )
    previous = HandlingFigures()
    for figures in prev_by_day.values():
        previous.add(vars(figures))
    owner = f"point:{point.pk}" if point is not None else f"region:{region_code}"
    _q, queue_by_day = _queue_figures(
        owner, stat_halls, ticket_halls, date_from, date_to, split, dimensions=(Dimension.TOTAL,)
    )
    periods: dict[date, HandlingFigures] = defaultdict(HandlingFigures)
    for day, figures in by_day.items():
        periods[period_of(day, granularity)].add(vars(figures))
    queue_periods = {s["period"]: s for s in _series(queue_by_day, granularity)}
    items = {i.code: i for i in ServiceItem.objects.all()}
    now_summary, prev_summary = handling_summary(total), handling_summary(previous)
    return {
        "region": region_code,
        "point": {"id": point.pk, "name": point.name, "kind": point.kind}
        if point is not None
        else None,
        "from": date_from,
        "to": date_to,
        "granularity": granularity,
        "totals": now_summary,
        "queue": queue_summary(_total(queue_by_day)),
        "previous": {"from": prev_from, "to": prev_to, **prev_summary},
        "handle_time_change": change(
            _mean(total.seconds_sum, total.records), _mean(previous.seconds_sum, previous.records)
        ),
        "series": [
            {
                "period": p,
                **handling_summary(periods[p]),
                "queue": queue_periods.get(p),
            }
            for p in sorted(set(periods) | set(queue_periods))
        ],
        "by_item": [
            {
                "item": key,
                "name": items[key].name if key in items else key,
                "standard_minutes": items[key].standard_minutes if key in items else None,
                **handling_summary(f),
            }
            for (dimension, key), f in sorted(by_key.items())
            if dimension == Dimension.ITEM
        ],
        "by_hour": [
            {"hour": int(key), **handling_summary(f)}
            for (dimension, key), f in sorted(
                by_key.items(),
                key=lambda kv: (kv[0][0], int(kv[0][1]) if kv[0][1].isdigit() else 0),
            )
            if dimension == Dimension.HOUR
        ],
        "by_point_kind": [{"kind": k, **handling_summary(f)} for k, f in sorted(by_kind.items())],
        "by_town": [{"town": t, **handling_summary(f)} for t, f in sorted(by_town.items())],
    }
