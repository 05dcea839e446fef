"""The demo county's e-bike fire safety (电动自行车): buildings, ~60,000 e-bikes, shops,
recyclers, charging places, lift blockers and a year of inspections, patrols, alerts,
sales, trade-ins and scrappings.

The seed's figures are planted in one town, 濮院镇 (`SEED_TOWN`): within the twelve months that
the figures page shows by default (`jiceng.ebike.figures.year_window`), 23 charging places
upgraded and 11 smart lift blockers installed (诸暨's figures), 49 ground-floor spaces converted
and 153 violations cleared (黄岩院桥's). The other towns get counts of the same order drawn from
the seed; older facilities carry dates before the window, so that the window holds exactly these.

Every building, bike, battery, shop, facility, alert and live count is written in bulk
(jiceng/core/bulk.py), as are the year's inspections and their findings: the violations of the
past are all rectified by a passing re-inspection, without cases (the case loop's history of
them is not seeded). A few inspections near the seeding day go through the inspections engine
itself, so that the open findings have real cases with deadlines. Ledger events are written for
a subset of the chain (each sale in the window, every trade-in and scrapping), straight into the
ledger tables as gas's demo does; the other bikes have their registry record only.

Deterministic by seed (the lift blockers' keys are random by design: nobody may know them).
`demo_ebike_delete` removes it again.
"""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from auditlog.context import disable_auditlog
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils import timezone

from jiceng.core.bulk import BATCH, check_columns, insert_objects, insert_rows, reset_sequences
from jiceng.core.identifiers import make_credit_code
from jiceng.core.models import Region, User
from jiceng.core.secret_keys import key_new
from jiceng.demo.names import brand, person_name
from jiceng.demo.sites import mobile_numbers
from jiceng.ebike.figures import year_window
from jiceng.ebike.models import (
    EBIKE_URN,
    Battery,
    Building,
    ChargingPlace,
    Ebike,
    EbikeFlag,
    EbikeState,
    GroundFloorSpace,
    LiftAlert,
    LiftBlocker,
    LiveCount,
    Shop,
    Standard,
)
from jiceng.ebike.reference_data import (
    BUILDING_SCHEME,
    alert_rules_ensure,
    building_rules_ensure,
    checklists_ensure,
)
from jiceng.ebike.services.registry import DEVICE_KEY_PREFIX
from jiceng.inspections.models import (
    Checklist,
    ChecklistItem,
    Finding,
    Inspection,
    InspectionPhoto,
    Round,
)
from jiceng.ledger.models import CaptureJob, LedgerEvent, LedgerEventEpc
from jiceng.risk.models import ColourChange, SubjectColour

BIKES = 60_000
BIKES_PER_BUILDING = 10
SEED_TOWN = "330483101"  # 濮院镇
SEED_FIGURES = {
    "places_upgraded": 23,
    "blockers_installed": 11,
    "spaces_converted": 49,
    "violations_cleared": 153,
}
STANDARD_SHARES = {Standard.GB2024: 0.22, Standard.GB2018: 0.63, Standard.NONSTANDARD: 0.15}
CBV = "https://ref.gs1.org/cbv/BizStep-"
STEPS = {
    "selling": f"{CBV}retail_selling",
    "trading_in": "urn:jiceng:bizstep:trading_in",
    "scrapping": f"{CBV}decommissioning",
}
# Which checklist items fail most often, by item code (the rest share what is left).
FAILING = {"C03": 5.0, "C01": 4.0, "C02": 2.5, "C04": 2.0, "C08": 1.5, "N02": 4.0, "N01": 3.0}
EVENT_COLUMNS = (
    "id", "event_id", "event_type", "action", "event_time", "event_time_zone_offset",
    "record_time", "biz_step", "disposition", "read_point", "biz_location", "parent_id",
    "capture_job_id", "region_id", "flagged", "flag_reasons", "body",
)  # fmt: skip
EPC_COLUMNS = ("event_id", "epc", "role", "event_time")
EBIKE_COLUMNS = (
    "id", "identifier", "plate", "frame_number", "registered", "standard", "bought_on",
    "owner_name", "owner_phone", "building_id", "region_id", "shop_id", "state",
    "last_event_at", "created_at",
)  # fmt: skip
BATTERY_COLUMNS = (
    "id", "code", "chemistry", "voltage_v", "capacity_ah", "ccc", "ebike_id", "state",
    "created_at",
)  # fmt: skip


@dataclass
class _Town:
    code: str
    name: str
    index: int
    leaves: list[Region]  # grids (or villages, or the town itself) where buildings stand
    figures: dict[str, int] = field(default_factory=dict)


@dataclass
class _Plan:
    rng: np.random.Generator
    names: random.Random
    as_of: date
    start: date
    zone: ZoneInfo
    towns: list[_Town]
    buildings: list[Building] = field(default_factory=list)
    shops: list[Shop] = field(default_factory=list)


def seed_ebike(
    *, seed: int, county: str, bikes: int = BIKES, as_of: date | None = None
) -> dict[str, int]:
    """Seed the module's demo records for `county`; returns counts by kind. `bikes` is the
    size knob (buildings, shops and facilities follow it); `as_of` the last day of history."""
    as_of = as_of or timezone.localdate()
    start, _end = year_window(as_of)
    plan = _Plan(
        rng=np.random.default_rng([seed, 140]),
        names=random.Random(seed * 7 + 140),
        as_of=as_of,
        start=start,
        zone=ZoneInfo(settings.TIME_ZONE),
        towns=_towns(county),
    )
    if not plan.towns:
        return {}
    _plan_figures(plan)
    # In the migrated database already; again after a test that emptied the tables.
    building_rules_ensure()
    alert_rules_ensure()
    checklists_ensure()
    with transaction.atomic(), disable_auditlog():
        buildings = _buildings(plan, bikes)
        shops = _shops(plan, county)
        places, spaces, blockers = _facilities(plan)
        bike_count, events = _bikes(plan, bikes)
        alerts = _alerts(plan)
        counts = _live_counts(plan)
        inspections, violations = _inspections(plan)
        reset_sequences(Building, Shop, Ebike, Battery, LedgerEvent, Inspection)
        _colours()  # every building from scratch, before the engine refreshes some of them
        opened = _open_findings(plan)
    return {
        "ebike_buildings": buildings,
        "ebike_shops": shops,
        "ebike_bikes": bike_count,
        "ebike_events": events,
        "ebike_places": places,
        "ebike_spaces": spaces,
        "ebike_blockers": blockers,
        "ebike_alerts": alerts,
        "ebike_live_counts": counts,
        "ebike_inspections": inspections,
        "ebike_violations": violations,
        "ebike_open_cases": opened,
    }


# --- the plan ------------------------------------------------------------------------------------


def _towns(county: str) -> list[_Town]:
    towns = list(Region.objects.filter(parent_id=county, level="town").order_by("code"))
    found = []
    for index, town in enumerate(towns):
        villages = list(Region.objects.filter(parent=town, level="village").order_by("code"))
        grids = list(Region.objects.filter(parent__in=villages, level="grid").order_by("code"))
        leaves = grids or villages or [town]
        found.append(_Town(town.code, town.name, index, leaves))
    return found


def _plan_figures(plan: _Plan) -> None:
    """How many of each dated thing fall in the window, per town: the seed's in SEED_TOWN."""
    for town in plan.towns:
        if town.code == SEED_TOWN:
            town.figures = dict(SEED_FIGURES)
            continue
        draw = plan.rng.integers
        town.figures = {
            "places_upgraded": int(draw(8, 30)),
            "blockers_installed": int(draw(3, 15)),
            "spaces_converted": int(draw(15, 60)),
            "violations_cleared": int(draw(60, 220)),
        }


def _day_in_window(plan: _Plan) -> date:
    span = max(1, (plan.as_of - plan.start).days)
    return plan.start + timedelta(days=int(plan.rng.integers(0, span)))


def _day_before_window(plan: _Plan, years: int = 4) -> date:
    return plan.start - timedelta(days=int(plan.rng.integers(1, 365 * years)))


def _moment(plan: _Plan, day: date, low: int = 8, high: int = 20) -> datetime:
    minute = int(plan.rng.integers(low * 60, high * 60))
    return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=plan.zone)


def _near(region: Region, rng: np.random.Generator, spread: float = 0.004) -> tuple:
    if region.lat is None or region.lon is None:
        return None, None
    return (
        round(region.lat + float(rng.uniform(-spread, spread)), 6),
        round(region.lon + float(rng.uniform(-spread, spread)), 6),
    )


def _next_pk(model: Any) -> int:
    return int(model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


# --- registries ----------------------------------------------------------------------------------


def _buildings(plan: _Plan, bikes: int) -> int:
    """High-rise and mid-rise compound buildings (小区) and self-built houses, in every town."""
    total = max(len(plan.towns) * 6, bikes // BIKES_PER_BUILDING)
    per_town = np.full(len(plan.towns), total // len(plan.towns))
    per_town[: total % len(plan.towns)] += 1
    manager = User.objects.filter(username="wuye").first()
    first = _next_pk(Building)
    rows: list[Building] = []
    for town, count in zip(plan.towns, per_town.tolist(), strict=True):
        compound = ""
        block = 0
        for _i in range(count):
            leaf = town.leaves[int(plan.rng.integers(0, len(town.leaves)))]
            lat, lon = _near(leaf, plan.rng)
            self_built = float(plan.rng.random()) < 0.35
            if self_built:
                floors = int(plan.rng.integers(2, 5))
                name = f"{leaf.name}{int(plan.rng.integers(1, 300))}号自建房"
                kind = Building.Kind.SELF_BUILT
                compound_name = ""
            else:
                if not compound or block >= int(plan.rng.integers(4, 12)):
                    compound, block = f"{brand(plan.names)}苑", 0
                block += 1
                floors = int(plan.rng.choice([6, 7, 11, 18, 24, 28, 33]))
                name = f"{compound}{block}幢"
                kind = Building.Kind.COMPOUND
                compound_name = compound
            height = Decimal(floors * 3)
            managed = (
                manager is not None
                and not self_built
                and leaf.code.startswith(manager.region_id or "-")
            )
            rows.append(
                Building(
                    pk=first + len(rows),
                    name=name,
                    kind=kind,
                    compound=compound_name,
                    region_id=leaf.code,
                    address=f"{town.name}{name}",
                    lat=lat,
                    lon=lon,
                    floors=floors,
                    households=floors * int(plan.rng.integers(2, 5)),
                    height_m=height,
                    high_rise=height > 27,
                    property_company=f"{compound_name}物业" if compound_name else "",
                    property_manager=manager if managed else None,
                )
            )
    insert_objects(Building, rows)
    plan.buildings = rows
    return len(rows)


def _shops(plan: _Plan, county: str) -> int:
    """Sales and repair shops and recycling points in every town; the demo shop owner
    (chehang) owns the first sales shop of 梧桐."""
    rows: list[Shop] = []
    serial = 800_000
    kinds = [(Shop.Kind.SALE, "电动车行", 5), (Shop.Kind.REPAIR, "电动车维修部", 3)]
    kinds.append((Shop.Kind.RECYCLER, "再生资源回收站", 1))
    phones = mobile_numbers(plan.rng, len(plan.towns) * 12)
    for town in plan.towns:
        for kind, suffix, count in kinds:
            for _i in range(count + int(plan.rng.integers(0, 2))):
                serial += 1
                leaf = town.leaves[int(plan.rng.integers(0, len(town.leaves)))]
                lat, lon = _near(leaf, plan.rng)
                rows.append(
                    Shop(
                        name=f"{town.name[:2]}{brand(plan.names)}{suffix}",
                        kind=kind,
                        credit_code=make_credit_code("9", "2", county, serial),
                        region_id=leaf.code,
                        address=f"{town.name}{leaf.name}",
                        lat=lat,
                        lon=lon,
                        phone=phones[len(rows) % len(phones)],
                    )
                )
    insert_objects(Shop, rows)
    plan.shops = list(Shop.objects.filter(credit_code__in=[s.credit_code for s in rows]))
    owner = User.objects.filter(username="chehang").first()
    if owner is not None and owner.region_id:
        mine = [
            s
            for s in plan.shops
            if s.kind == Shop.Kind.SALE and s.region_id.startswith(owner.region_id)
        ]
        if mine:
            mine[0].owners.add(owner)
    return len(rows)


def _facilities(plan: _Plan) -> tuple[int, int, int]:
    """Charging places (a third of the buildings), converted ground floors and lift blockers
    of high-rise buildings: in each town, the window's counts of `figures`, the rest older."""
    by_town: dict[str, list[Building]] = {t.code: [] for t in plan.towns}
    for building in plan.buildings:
        by_town[_town_code(plan, building.region_id)].append(building)
    places: list[ChargingPlace] = []
    spaces: list[GroundFloorSpace] = []
    blockers: list[LiftBlocker] = []
    for town in plan.towns:
        mine = by_town[town.code]
        if not mine:
            continue
        compounds = [b for b in mine if b.kind == Building.Kind.COMPOUND] or mine
        high = [b for b in mine if b.high_rise] or compounds
        older_places = max(2, len(mine) // 4)
        for i in range(town.figures["places_upgraded"] + older_places):
            building = compounds[int(plan.rng.integers(0, len(compounds)))]
            upgraded = i < town.figures["places_upgraded"]
            ports = int(plan.rng.integers(10, 41))
            places.append(
                ChargingPlace(
                    name=f"{building.name}充电车棚",
                    kind=ChargingPlace.Kind.SHED,
                    building=building,
                    region_id=building.region_id,
                    address=building.address,
                    lat=building.lat,
                    lon=building.lon,
                    parking_spaces=ports + int(plan.rng.integers(0, 20)),
                    ports=ports,
                    timed_cutoff=True,
                    stop_when_full=True,
                    electrical_protection=upgraded or float(plan.rng.random()) < 0.6,
                    sprinklers=upgraded and float(plan.rng.random()) < 0.5,
                    alarm=upgraded or float(plan.rng.random()) < 0.4,
                    cctv=upgraded or float(plan.rng.random()) < 0.5,
                    upgraded_on=_day_in_window(plan) if upgraded else _day_before_window(plan),
                )
            )
        for i in range(town.figures["spaces_converted"] + len(mine) // 20):
            building = compounds[int(plan.rng.integers(0, len(compounds)))]
            recent = i < town.figures["spaces_converted"]
            spaces.append(
                GroundFloorSpace(
                    building=building,
                    area_m2=Decimal(int(plan.rng.integers(60, 400))),
                    parking_spaces=int(plan.rng.integers(20, 80)),
                    ports=int(plan.rng.integers(0, 30)),
                    fire_separated=True,
                    fire_equipment=True,
                    grouped_parking=recent or float(plan.rng.random()) < 0.7,
                    converted_on=_day_in_window(plan) if recent else _day_before_window(plan),
                )
            )
        for i in range(town.figures["blockers_installed"] + max(1, len(high) // 6)):
            building = high[i % len(high)]
            recent = i < town.figures["blockers_installed"]
            _unknown_key, key_fields = key_new(DEVICE_KEY_PREFIX)  # nobody holds the keys
            blockers.append(
                LiftBlocker(
                    name=f"{building.name}智能阻车",
                    building=building,
                    lifts=int(plan.rng.integers(1, 4)),
                    installed_on=_day_in_window(plan) if recent else _day_before_window(plan, 2),
                    **key_fields,
                )
            )
    insert_objects(ChargingPlace, places)
    insert_objects(GroundFloorSpace, spaces)
    insert_objects(LiftBlocker, blockers)
    return len(places), len(spaces), len(blockers)


def _town_code(plan: _Plan, region_code: str) -> str:
    for town in plan.towns:
        if region_code.startswith(town.code):
            return town.code
    return plan.towns[0].code


def _bought_on(plan: _Plan, standard: str) -> date:
    """A purchase date the bike's standard allows: GB 17761-2024 bikes from 2025-09-01,
    GB 17761-2018 ones from 2019-04-15 to 2025-11-30, non-standard ones before 2019-04-15."""
    low, high = {
        Standard.GB2024: (date(2025, 9, 1), plan.as_of),
        Standard.GB2018: (date(2019, 4, 15), date(2025, 11, 30)),
        Standard.NONSTANDARD: (date(2014, 1, 1), date(2019, 4, 14)),
    }[Standard(standard)]
    high = min(high, plan.as_of)
    low = min(low, high)
    return low + timedelta(days=int(plan.rng.integers(0, (high - low).days + 1)))


@dataclass
class _Event:
    step: str
    at: datetime
    epc: str
    place: str
    region: str


def _bikes(plan: _Plan, total: int) -> tuple[int, int]:
    """The bikes with their batteries, spread over the buildings by households; the sales of
    the window, trade-ins and scrappings as ledger events."""
    weights = np.array([b.households for b in plan.buildings], dtype=float)
    weights /= weights.sum()
    where = plan.rng.choice(len(plan.buildings), size=total, p=weights)
    standards = plan.rng.choice(list(STANDARD_SHARES), size=total, p=list(STANDARD_SHARES.values()))
    phones = mobile_numbers(plan.rng, total)
    sellers = [s for s in plan.shops if s.kind == Shop.Kind.SALE]
    recyclers = [s for s in plan.shops if s.kind == Shop.Kind.RECYCLER] or sellers
    first_bike, first_battery = _next_pk(Ebike), _next_pk(Battery)
    per_town: dict[str, int] = {}
    # Rows straight for the bulk writer: 120,000 model instances would cost more than the insert.
    check_columns(Ebike, EBIKE_COLUMNS)
    check_columns(Battery, BATTERY_COLUMNS)
    adapt_day = connection.ops.adapt_datefield_value
    adapt_moment = connection.ops.adapt_datetimefield_value
    stamp = adapt_moment(timezone.now())
    bikes: list[tuple[Any, ...]] = []
    batteries: list[tuple[Any, ...]] = []
    events: list[_Event] = []
    for i in range(total):
        building = plan.buildings[int(where[i])]
        town_code = _town_code(plan, building.region_id)
        town = next(t for t in plan.towns if t.code == town_code)
        number = per_town.get(town_code, 0) + 1
        per_town[town_code] = number
        plate = f"桐乡{chr(ord('A') + town.index % 26)}{number:05d}"
        standard = str(standards[i])
        bought = _bought_on(plan, standard)
        shop = sellers[int(plan.rng.integers(0, len(sellers)))] if sellers else None
        draw = float(plan.rng.random())
        state = (
            EbikeState.SCRAPPED
            if draw < 0.012
            else EbikeState.TRADED_IN
            if draw < 0.03 and standard != Standard.GB2024
            else EbikeState.IN_USE
        )
        pk = first_bike + i
        identifier = f"{EBIKE_URN}{plate}"
        frame = f"TX{bought.year}{chr(ord('A') + town.index % 26)}{pk:08d}"
        owner = person_name(plan.names, male=draw < 0.55)
        lithium = standard == Standard.GB2024 or float(plan.rng.random()) < 0.55
        batteries.append(
            (
                first_battery + i,
                f"BAT-TX-{pk:08d}",
                Battery.Chemistry.LITHIUM if lithium else Battery.Chemistry.LEAD_ACID,
                Decimal(48 if not lithium or draw < 0.7 else 60),
                Decimal(int(plan.rng.integers(12, 31))),
                standard == Standard.GB2024 or float(plan.rng.random()) < 0.4,
                pk,
                Battery.State.IN_USE if state == EbikeState.IN_USE else Battery.State.RECYCLED,
                stamp,
            )
        )
        if shop is not None and bought >= plan.start:
            events.append(
                _Event(
                    "selling", _moment(plan, bought), identifier, shop.identifier, shop.region_id
                )
            )
        if state != EbikeState.IN_USE:
            day = _day_in_window(plan)
            step = "scrapping" if state == EbikeState.SCRAPPED else "trading_in"
            place = recyclers[int(plan.rng.integers(0, len(recyclers)))] if recyclers else None
            if place is not None:
                events.append(
                    _Event(step, _moment(plan, day), identifier, place.identifier, place.region_id)
                )
        last = max((e.at for e in events[-2:] if e.epc == identifier), default=None)
        bikes.append(
            (
                pk, identifier, plate, frame, True, standard, adapt_day(bought), owner, phones[i],
                building.pk, building.region_id, shop.pk if shop else None, str(state),
                adapt_moment(last) if last else None, stamp,
            )
        )  # fmt: skip
    insert_rows(Ebike, EBIKE_COLUMNS, bikes)
    insert_rows(Battery, BATTERY_COLUMNS, batteries)
    _ledger(events, datetime.combine(plan.as_of, time(18, 0), tzinfo=plan.zone))
    return len(bikes), len(events)


def _ledger(events: list[_Event], now: datetime) -> None:
    """The events, straight into the ledger tables, as gas's demo writes its own."""
    if not events:
        return
    job = CaptureJob.objects.create(
        created_at=now,
        finished_at=now,
        running=False,
        success=True,
        event_count=len(events),
        stored_count=len(events),
    )
    first = _next_pk(LedgerEvent)
    adapt = connection.ops.adapt_datetimefield_value
    recorded = adapt(now)
    events.sort(key=lambda e: e.at)
    for start in range(0, len(events), BATCH):
        rows, epcs = [], []
        for offset, e in enumerate(events[start : start + BATCH]):
            pk = first + start + offset
            step = STEPS[e.step]
            body = {
                "type": "ObjectEvent",
                "eventID": f"urn:uuid:{uuid.UUID(int=pk + (2 << 120))}",
                "eventTime": e.at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
                "eventTimeZoneOffset": "+08:00",
                "epcList": [e.epc],
                "action": "OBSERVE",
                "bizStep": step,
                "readPoint": {"id": e.place},
                "bizLocation": {"id": e.place},
            }
            at = adapt(e.at)
            rows.append(
                (
                    pk, body["eventID"], "ObjectEvent", "OBSERVE", at, "+08:00", recorded, step,
                    "", e.place, e.place, "", job.pk, e.region, False, "[]",
                    json.dumps(body, ensure_ascii=False, separators=(",", ":")),
                )
            )  # fmt: skip
            epcs.append((pk, e.epc, "epc", at))
        insert_rows(LedgerEvent, EVENT_COLUMNS, rows)
        insert_rows(LedgerEventEpc, EPC_COLUMNS, epcs)


# --- a year of history ---------------------------------------------------------------------------


def _alerts(plan: _Plan) -> int:
    """Lift-entry alerts of the year at the buildings with blockers: a few a month each."""
    rows: list[LiftAlert] = []
    for blocker in LiftBlocker.objects.select_related("building").order_by("pk"):
        first = max(plan.start, blocker.installed_on or plan.start)
        span = (plan.as_of - first).days
        if span <= 0:
            continue
        for _i in range(int(plan.rng.poisson(max(1.0, span / 30)))):
            day = first + timedelta(days=int(plan.rng.integers(0, span)))
            rows.append(
                LiftAlert(
                    building_id=blocker.building_id,
                    kind=LiftAlert.Kind.LIFT_ENTRY,
                    lift=f"{int(plan.rng.integers(1, blocker.lifts + 1))}号梯",
                    at=_moment(plan, day, 6, 23),
                    device_id=blocker.pk,
                )
            )
    insert_objects(LiftAlert, rows)
    return len(rows)


def _live_counts(plan: _Plan) -> int:
    """Each building's last live count (动态排摸), within the past three months, near the
    registered count (bikes kept there but registered elsewhere, or not at all)."""
    registered = dict(
        Ebike.objects.filter(building_id__in=[b.pk for b in plan.buildings], state="in_use")
        .values_list("building_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    grid_worker = User.objects.filter(username="grid").first()
    rows = []
    for building in plan.buildings:
        known = registered.get(building.pk, 0)
        counted = max(0, known + int(plan.rng.integers(-2, 5)))
        at = _moment(plan, plan.as_of - timedelta(days=int(plan.rng.integers(0, 90))))
        rows.append(
            LiveCount(
                building_id=building.pk, counted=counted, counted_at=at, counted_by=grid_worker
            )
        )
        building.counted, building.counted_at = counted, at
    insert_objects(LiveCount, rows)
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(Building._meta.db_table)
        adapt = connection.ops.adapt_datetimefield_value
        cursor.executemany(
            f"UPDATE {table} SET counted = %s, counted_at = %s WHERE id = %s",  # noqa: S608
            [(b.counted, adapt(b.counted_at), b.pk) for b in plan.buildings],
        )
    return len(rows)


def _items(code: str) -> list[ChecklistItem]:
    return list(
        ChecklistItem.objects.filter(checklist__code=code, is_active=True).order_by(
            "position", "pk"
        )
    )


def _inspections(plan: _Plan) -> tuple[int, int]:
    """A year of inspections: most buildings once, shops twice, and two night-patrol rounds a
    month in every town. Each town's violations are rectified within the window by a passing
    re-inspection: exactly `figures["violations_cleared"]` of them."""
    checklists = {
        c.code: c for c in Checklist.objects.filter(code__in=["community", "shop", "night_patrol"])
    }
    if len(checklists) < 3:
        return 0, 0
    items = {code: _items(code) for code in checklists}
    inspector = User.objects.filter(username="admin").first()
    first_inspection = _next_pk(Inspection)
    inspections: list[Inspection] = []
    findings: list[Finding] = []
    violations = 0
    by_town: dict[str, list[Building]] = {t.code: [] for t in plan.towns}
    for building in plan.buildings:
        by_town[_town_code(plan, building.region_id)].append(building)
    shops_by_town: dict[str, list[Shop]] = {t.code: [] for t in plan.towns}
    for shop in plan.shops:
        shops_by_town[_town_code(plan, shop.region_id)].append(shop)
    latest = plan.as_of - timedelta(days=25)  # leaves room to rectify within the window
    rounds: list[Round] = []

    def inspect(
        checklist: str,
        kind: str,
        target: Any,
        at: datetime,
        failing: list[ChecklistItem],
        *,
        reinspection: bool = False,
        patrol: Round | None = None,
    ) -> Inspection:
        inspection = Inspection(
            pk=first_inspection + len(inspections),
            checklist_id=checklists[checklist].pk,
            target_kind=kind,
            target_id=str(target.pk),
            target_label=target.name[:200],
            region_id=target.region_id,
            inspected_at=at,
            inspector=inspector,
            round=patrol,
            is_reinspection=reinspection,
        )
        inspections.append(inspection)
        for item in items[checklist]:
            bad = item in failing
            findings.append(
                Finding(
                    inspection_id=inspection.pk,
                    item_id=item.pk,
                    target_kind=kind,
                    target_id=str(target.pk),
                    ok=not bad,
                    severity=item.severity,
                    status=Finding.Status.RECTIFIED if bad else Finding.Status.OK,
                )
            )
        return inspection

    for town in plan.towns:
        buildings, shops = by_town[town.code], shops_by_town[town.code]
        if not buildings:
            continue
        failures = town.figures["violations_cleared"]
        plan_days = max(1, (latest - plan.start).days)
        # Night patrols: two rounds a month, four buildings each, the route through them.
        visits: list[list[Building]] = []
        for month in range(12):
            for half in range(2):
                day = plan.start + timedelta(days=min(plan_days - 1, month * 30 + half * 15 + 3))
                started = _moment(plan, day, 21, 22)
                picked = plan.rng.choice(len(buildings), size=min(4, len(buildings)), replace=False)
                visits.append([buildings[int(i)] for i in picked])
                rounds.append(
                    Round(
                        kind="night_patrol",
                        region_id=town.code,
                        leader=inspector,
                        members="消防站、派出所、社区网格员",
                        started_at=started,
                        ended_at=started + timedelta(hours=2),
                        route=[b.name for b in visits[-1]],
                        note="",
                    )
                )
        Round.objects.bulk_create(rounds[-24:])
        patrols = rounds[-24:]
        # The failures: each one an item failed at an inspection and passed at a re-inspection.
        targets: list[tuple[str, str, Any, datetime, Round | None]] = []
        for building in buildings:
            if float(plan.rng.random()) < 0.85:
                day = plan.start + timedelta(days=int(plan.rng.integers(0, plan_days)))
                targets.append(("community", "building", building, _moment(plan, day), None))
        for shop in shops:
            for _twice in range(2):
                day = plan.start + timedelta(days=int(plan.rng.integers(0, plan_days)))
                targets.append(("shop", "shop", shop, _moment(plan, day), None))
        for walk, visited in zip(patrols, visits, strict=True):
            for building in visited:
                at = walk.started_at + timedelta(minutes=int(plan.rng.integers(5, 110)))
                targets.append(("night_patrol", "building", building, at, walk))
        while len(targets) < failures:  # a small county: some buildings inspected again
            building = buildings[len(targets) % len(buildings)]
            day = plan.start + timedelta(days=int(plan.rng.integers(0, plan_days)))
            targets.append(("community", "building", building, _moment(plan, day), None))
        chosen = set(
            plan.rng.choice(len(targets), size=min(failures, len(targets)), replace=False).tolist()
        )
        for index, (checklist, kind, target, at, patrol) in enumerate(targets):
            failing: list[ChecklistItem] = []
            if index in chosen:
                pool = items[checklist]
                weights = np.array([FAILING.get(i.code, 1.0) for i in pool])
                failing = [pool[int(plan.rng.choice(len(pool), p=weights / weights.sum()))]]
            first = inspect(checklist, kind, target, at, failing, patrol=patrol)
            if failing:
                violations += 1
                fixed_at = at + timedelta(days=int(plan.rng.integers(2, 20)))
                again = inspect(checklist, kind, target, fixed_at, [], reinspection=True)
                for finding in findings[-2 * len(items[checklist]) : -len(items[checklist])]:
                    if not finding.ok:
                        finding.rectified_at = fixed_at
                        finding.rectified_by_id = again.pk
                        finding.deadline = (
                            at + timedelta(days=3 if finding.severity == "major" else 7)
                        ).date()
                assert first.pk != again.pk
    insert_objects(Inspection, inspections)
    insert_objects(Finding, findings)
    return len(inspections), violations


def _open_findings(plan: _Plan) -> int:
    """A few recent inspections through the engine itself: the open findings with their cases."""
    from jiceng.inspections.services import inspection_record

    actor = User.objects.filter(username="admin").first()
    if actor is None or not Checklist.objects.filter(code="community").exists():
        return 0
    items = _items("community")
    opened = 0
    for town in plan.towns:
        buildings = [b for b in plan.buildings if b.region_id.startswith(town.code)][:40]
        for building in buildings[:: max(1, len(buildings) // 2)][:2]:
            bad = items[int(plan.rng.integers(0, min(4, len(items))))]
            answers = [
                {"item": i.code, "ok": i.pk != bad.pk, "note": "现场发现" if i.pk == bad.pk else ""}
                for i in items
            ]
            try:
                done = inspection_record(
                    actor=actor,
                    checklist="community",
                    target=f"building:{building.pk}",
                    findings=answers,
                    inspected_at=_moment(
                        plan, plan.as_of - timedelta(days=int(plan.rng.integers(1, 10)))
                    ),
                )
            except (ValidationError, PermissionDenied):  # the target kind is not registered yet
                return opened
            opened += len(getattr(done, "opened_cases", []) or [])
    return opened


def _colours() -> None:
    """Every building's colour, through the module's own refresh."""
    from jiceng.ebike.services.colours import building_colours_refresh

    building_colours_refresh(at=timezone.now(), fresh=True)


# --- reset -----------------------------------------------------------------------------------

EBIKE_TABLES = (
    EbikeFlag,
    LiftAlert,
    LiftBlocker,
    GroundFloorSpace,
    ChargingPlace,
    LiveCount,
    Battery,
    Ebike,
)


def demo_ebike_delete() -> None:
    """Delete the module's demo records (they refer to regions, people and organisations)."""
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        inspections = quote(Inspection._meta.db_table)
        for kind in ("building", "shop"):
            cursor.execute(
                f"DELETE FROM {quote(InspectionPhoto._meta.db_table)} WHERE inspection_id IN "  # noqa: S608
                f"(SELECT id FROM {inspections} WHERE target_kind = %s)",
                [kind],
            )
            for model in (Finding, Inspection):
                table = quote(model._meta.db_table)
                cursor.execute(f"DELETE FROM {table} WHERE target_kind = %s", [kind])  # noqa: S608
        cursor.execute(
            f"DELETE FROM {quote(Round._meta.db_table)} WHERE kind = %s",  # noqa: S608
            ["night_patrol"],
        )
        for ebike_table in EBIKE_TABLES:
            cursor.execute(f"DELETE FROM {quote(ebike_table._meta.db_table)}")  # noqa: S608
        cursor.execute(f"DELETE FROM {quote(Shop.owners.through._meta.db_table)}")  # noqa: S608
        cursor.execute(f"DELETE FROM {quote(Shop._meta.db_table)}")  # noqa: S608
        cursor.execute(f"DELETE FROM {quote(Building._meta.db_table)}")  # noqa: S608
        for colour_table in (SubjectColour, ColourChange):
            cursor.execute(
                f"DELETE FROM {quote(colour_table._meta.db_table)} WHERE scheme = %s",  # noqa: S608
                [BUILDING_SCHEME],
            )
