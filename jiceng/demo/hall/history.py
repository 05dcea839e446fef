"""The demo history of the service network, one day at a time: a hall's tickets with the
patterns of a real hall (Monday and month-start peaks, the morning peak, enterprises at month
end, nothing on public holidays), served by a simulation of its windows (first come, first
served, each window its groups and its sessions), so that waits, handling times, windows and
sessions hold together; handling times that fall by a fifth at the county centre after the tidal
windows open; ratings on the five levels of 好差评; and handling records at the points without a
queue (bank outlets, village stations, enterprise stations, care posts), growing as delegation
spreads."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np

from jiceng.core.models import Organisation, Person
from jiceng.core.scope import region_prefix_q
from jiceng.demo.hall.network import REGULAR, SATURDAY, TIDAL_SESSIONS, PlannedHall, PlannedWindow
from jiceng.demo.hall.rows import RowWriter
from jiceng.hall.models import (
    Audience,
    HandlingRecord,
    Outcome,
    PointKind,
    ServiceItem,
    ServicePoint,
    SessionKind,
    TicketStatus,
)

WEEKDAY_FACTOR = (1.35, 1.1, 1.0, 0.95, 0.9, 1.0, 1.0)
# Arrivals in regular hours by half hour (start minute of the day, weight): tickets are taken
# from 30 minutes before opening; the morning is busier than the afternoon.
ARRIVALS = (
    (480, 0.5), (510, 1.4), (540, 1.8), (570, 1.9), (600, 1.7), (630, 1.4), (660, 1.0), (690, 0.5),
    (780, 0.5), (810, 1.1), (840, 1.3), (870, 1.3), (900, 1.1), (930, 0.9), (960, 0.6), (990, 0.3),
)  # fmt: skip
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


def catalogue_of() -> Catalogue:
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


def simulate_day(
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


@dataclass(frozen=True)
class CounterPoint:
    """A point without a queue, with the items it may be asked for (and their weights)."""

    point: ServicePoint
    town: str
    industrial: bool
    person: tuple[list[ServiceItem], np.ndarray] | None
    enterprise: tuple[list[ServiceItem], np.ndarray] | None


def counter_points(
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


def counter_records(
    rng: np.random.Generator,
    writer: RowWriter,
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


def ids_by_town(
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
