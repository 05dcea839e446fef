"""The demo county's bottled-gas network (瓶装燃气), after 义乌's "1+18+X": one storage and
filling station, 18 supply stations, delivery points in the villages; 20,000 user sites, 50,000
cylinders with realistic ages (some past inspection, a few past design life), delivery workers
and vehicles; a year of fills, deliveries, collections and inspections in the ledger; safety
checks with their hazards (the open ones with their cases); today's phone orders; and every
site's colour, so that the map shows all three.

Fewer events than a real year: each cylinder at a user carries its current cycle (filled,
delivered) and, for restaurants and enterprises (which change cylinders often), the cycle before
(filled, delivered, collected); cylinders in stock carry their last step; cylinders inspected in
the past year their inspection. That is about 100,000 events, written straight into the ledger
tables in large batches (jiceng/core/bulk.py), as a bulk import would. The cylinder states and
locations are set to what those events say.

Deterministic by seed (except the capture job's random id). Run after the cases demo (which
loads the case categories); `demo_gas_delete` removes it again.
"""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from auditlog.context import disable_auditlog
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils import timezone

from jiceng.core.bulk import BATCH, insert_objects, insert_rows, reset_sequences
from jiceng.core.models import Person, Region, Role, Site, User
from jiceng.core.roles import roles_of
from jiceng.core.scope import region_prefix_q
from jiceng.demo.names import brand, person_name
from jiceng.demo.sites import mobile_numbers, qr_tokens
from jiceng.gas.lifecycle import end_of_life, next_inspection_due, years_after
from jiceng.gas.models import (
    SITE_URN,
    Cylinder,
    CylinderFlag,
    CylinderState,
    DeliveryWorker,
    Order,
    Station,
    UserSite,
    Vehicle,
)
from jiceng.gas.reference_data import SITE_SCHEME, cylinder_terms, site_rules_ensure
from jiceng.gas.services.colours import site_colours_refresh
from jiceng.ledger.models import CaptureJob, LedgerEvent, LedgerEventEpc
from jiceng.risk.models import ColourChange, SubjectColour

SITES = 20_000
CYLINDERS = 50_000
SUPPLY_STATIONS = 18
KIND_SHARES = {"household": 0.82, "restaurant": 0.14, "enterprise": 0.04}
CBV = "https://ref.gs1.org/cbv/BizStep-"
STEP = {
    "filling": "urn:jiceng:bizstep:filling",
    "delivering": "urn:jiceng:bizstep:delivering",
    "collecting": "urn:jiceng:bizstep:collecting",
    "inspecting": f"{CBV}inspecting",
}


@dataclass
class _Event:
    step: str
    at: datetime
    epc: str
    biz_location: str
    read_point: str
    region: str
    disposition: str = ""


def seed_gas(*, seed: int, as_of: date, county: str) -> dict[str, int]:
    """Seed the network, its registries and its year of history; answer what was made."""
    rng = np.random.default_rng([seed, 70])
    names = random.Random(seed * 7 + 70)
    zone = ZoneInfo(settings.TIME_ZONE)
    now = datetime.combine(as_of, time(18, 0), tzinfo=zone)
    site_rules_ensure()
    with transaction.atomic(), disable_auditlog():
        stations, supplies = _stations(county, rng)
        sites = _sites(county, rng, names, supplies)
        workers = _workers(supplies, rng, names)
        _bind_demo_staff(supplies, workers)
        cylinders, events = _cylinders(rng, as_of, now, sites, supplies, stations[0])
        _ledger(events, now)
        orders = _orders(rng, now, sites, cylinders, workers)
        checks, hazards = _checks(rng, now, sites)
        reset_sequences(Site, LedgerEvent)
        site_colours_refresh(at=timezone.now(), fresh=True)
    colours = dict(
        SubjectColour.objects.filter(scheme=SITE_SCHEME)
        .values_list("colour")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {
        "gas_stations": len(stations),
        "gas_sites": len(sites),
        "gas_cylinders": len(cylinders),
        "gas_events": len(events),
        "gas_orders": orders,
        "gas_checks": checks,
        "gas_hazards": hazards,
        "gas_red": colours.get("red", 0),
        "gas_yellow": colours.get("yellow", 0),
        "gas_green": colours.get("green", 0),
    }


# --- the network -------------------------------------------------------------------------------


def _near(lat: float | None, lon: float | None, rng: np.random.Generator, spread: float) -> tuple:
    if lat is None or lon is None:
        return None, None
    return (
        round(lat + float(rng.uniform(-spread, spread)), 6),
        round(lon + float(rng.uniform(-spread, spread)), 6),
    )


def _stations(county: str, rng: np.random.Generator) -> tuple[list[Station], list[Station]]:
    centre = Region.objects.get(code=county)
    towns = list(Region.objects.filter(parent_id=county, level="town").order_by("code"))
    villages = {
        t.code: list(Region.objects.filter(parent=t, level="village").order_by("code"))
        for t in towns
    }
    lat, lon = _near(centre.lat, centre.lon, rng, 0.01)
    filling = Station.objects.create(
        code=f"{county}-F01",
        name=f"{centre.name}液化气储配站",
        kind=Station.Kind.FILLING,
        region=centre,
        lat=lat,
        lon=lon,
        address=f"{centre.name}工业园区储配路1号",
    )
    # Every town one supply station; the towns with most villages a second one: 18 in all.
    by_size = sorted(towns, key=lambda t: -len(villages[t.code]))
    second = by_size[: max(0, SUPPLY_STATIONS - len(towns))]
    supplies: list[Station] = []
    for town in [*towns, *second]:
        index = len(supplies) + 1
        lat, lon = _near(town.lat, town.lon, rng, 0.006)
        supplies.append(
            Station(
                code=f"{county}-S{index:02d}",
                name=f"{town.name}供应站"
                + ("二站" if town in second and index > len(towns) else ""),
                kind=Station.Kind.SUPPLY,
                region=town,
                parent=filling,
                lat=lat,
                lon=lon,
                address=f"{town.name}供气路{index}号",
            )
        )
    Station.objects.bulk_create(supplies)
    supplies = list(Station.objects.filter(kind=Station.Kind.SUPPLY).order_by("code"))
    points: list[Station] = []
    for town in towns:
        mine = [s for s in supplies if s.region_id == town.code]
        for i, village in enumerate(villages[town.code][::4]):
            lat, lon = _near(village.lat, village.lon, rng, 0.002)
            points.append(
                Station(
                    code=f"{county}-X{len(points) + 1:03d}",
                    name=f"{village.name}送气点",
                    kind=Station.Kind.DELIVERY_POINT,
                    region=village,
                    parent=mine[i % len(mine)],
                    lat=lat,
                    lon=lon,
                )
            )
    Station.objects.bulk_create(points)
    return [filling, *supplies, *points], supplies


@dataclass
class _Site:
    pk: int
    kind: str
    region: str
    station: Station
    lat: float | None
    lon: float | None


def _sites(
    county: str, rng: np.random.Generator, names: random.Random, supplies: list[Station]
) -> list[_Site]:
    villages = list(
        Region.objects.filter(code__startswith=county, level="village").order_by("code")
    )
    by_town: dict[str, list[Station]] = {}
    for station in supplies:
        by_town.setdefault(station.region_id, []).append(station)
    first_id = int(Site.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
    # Households are the residents' own dwellings first (the contact is one of the residents);
    # households beyond them are registered as premises, so that every dwelling of the demo
    # keeps its residents.
    dwellings = list(
        Site.objects.filter(region_prefix_q(county), kind=Site.Kind.DWELLING)
        .order_by("pk")
        .values_list("pk", "region_id", "lat", "lon", "name", "address")
    )
    dwellings = [dwellings[int(i)] for i in rng.permutation(len(dwellings))]
    residents: dict[int, tuple[str, str]] = {}
    for site_id, name, phone in Person.objects.filter(site__kind=Site.Kind.DWELLING).values_list(
        "site_id", "name", "phone"
    ):
        residents.setdefault(site_id, (name, phone))
    by_code = {v.code: v for v in villages}
    kinds = rng.choice(list(KIND_SHARES), size=SITES, p=list(KIND_SHARES.values()))
    where = rng.integers(0, len(villages), SITES)
    tokens = qr_tokens(rng, SITES)
    phones = mobile_numbers(rng, SITES)
    core: list[Site] = []
    gas: list[UserSite] = []
    planned: list[_Site] = []
    for i in range(SITES):
        village = villages[int(where[i])]
        kind = str(kinds[i])
        stations = by_town.get(village.code[:9]) or supplies
        if kind == "household" and dwellings:
            pk, region, lat, lon, _name, _address = dwellings.pop()
            name, phone = residents.get(pk, ("", phones[i]))
            home = by_code.get(region, village)
            stations = by_town.get(region[:9]) or supplies
            station = stations[i % len(stations)]
            gas.append(
                UserSite(
                    site_id=pk,
                    kind=kind,
                    region_id=region,
                    contact_name=name,
                    contact_phone=phone or phones[i],
                    station=station,
                )
            )
            planned.append(_Site(pk, kind, home.code, station, lat, lon))
            continue
        contact = person_name(
            names, male=names.random() < 0.5, birth_year=names.randint(1950, 2000)
        )
        label = {
            "household": f"{contact}家",
            "restaurant": f"{brand(names)}{names.choice(['小吃店', '饭店', '面馆', '农家乐'])}",
            "enterprise": f"{brand(names)}{names.choice(['食堂', '厂区食堂', '酒店'])}",
        }[kind]
        lat, lon = _near(village.lat, village.lon, rng, 0.004)
        pk = first_id + len(core)
        core.append(
            Site(
                id=pk,
                name=label,
                kind=Site.Kind.PREMISES,
                region_id=village.code,
                address=f"{village.name}{names.randint(1, 300)}号",
                lat=lat,
                lon=lon,
                qr_token=tokens[i],
            )
        )
        station = stations[i % len(stations)]
        gas.append(
            UserSite(
                site_id=pk,
                kind=kind,
                region_id=village.code,
                contact_name=contact,
                contact_phone=phones[i],
                station=station,
            )
        )
        planned.append(_Site(pk, kind, village.code, station, lat, lon))
    insert_objects(Site, core)
    insert_objects(UserSite, gas)
    return planned


def _workers(
    supplies: list[Station], rng: np.random.Generator, names: random.Random
) -> dict[int, list[DeliveryWorker]]:
    phones = mobile_numbers(rng, len(supplies) * 3)
    workers = [
        DeliveryWorker(
            name=person_name(names, male=True, birth_year=names.randint(1965, 1995)),
            phone=phones[i * 3 + j],
            station=station,
        )
        for i, station in enumerate(supplies)
        for j in range(3)
    ]
    DeliveryWorker.objects.bulk_create(workers)
    saved = list(DeliveryWorker.objects.select_related("station").order_by("pk"))
    Vehicle.objects.bulk_create(
        Vehicle(plate=f"浙F·G{i + 1:04d}", station=w.station, worker=w, capacity=40)
        for i, w in enumerate(saved[::2])
    )
    by_station: dict[int, list[DeliveryWorker]] = {}
    for worker in saved:
        by_station.setdefault(worker.station_id, []).append(worker)
    return by_station


def _bind_demo_staff(supplies: list[Station], workers: dict[int, list[DeliveryWorker]]) -> None:
    """The demo's station staff and delivery worker (demo logins) work at the supply station of
    their town: the staff on the station's staff, the worker as its first delivery worker."""
    for user in User.objects.filter(
        role_grants__role__in=[Role.STATION_STAFF, Role.DELIVERY_WORKER]
    ).distinct():
        station = next((s for s in supplies if s.region_id == user.region_id), None)
        if station is None:
            continue
        if Role.STATION_STAFF in roles_of(user):
            station.staff.add(user)
        if Role.DELIVERY_WORKER in roles_of(user) and workers.get(station.pk):
            worker = workers[station.pk][0]
            worker.user = user
            worker.save(update_fields=["user"])


# --- cylinders and their events ----------------------------------------------------------------


def _size(kind: str, rng: np.random.Generator) -> int:
    draw = float(rng.random())
    if kind == "household":
        return 5 if draw < 0.1 else 15
    if kind == "restaurant":
        return 50 if draw < 0.4 else 15
    return 50


def _at(day: date, rng: np.random.Generator) -> datetime:
    zone = ZoneInfo(settings.TIME_ZONE)
    seconds = int(rng.integers(8 * 3600, 18 * 3600))
    return datetime.combine(day, time(), tzinfo=zone) + timedelta(seconds=seconds)


def _cylinders(
    rng: np.random.Generator,
    as_of: date,
    now: datetime,
    sites: list[_Site],
    supplies: list[Station],
    filling: Station,
) -> tuple[list[Cylinder], list[_Event]]:
    per_site = {"household": (1, 2), "restaurant": (2, 4), "enterprise": (2, 5)}
    placements: list[tuple[str, _Site | Station]] = []
    for user in sites:
        low, high = per_site[user.kind]
        placements += [("site", user)] * int(rng.integers(low, high))
    left = max(0, CYLINDERS - len(placements))
    for i in range(left):
        share = i / max(1, left)
        if share < 0.35:
            placements.append(("filled", supplies[i % len(supplies)]))
        elif share < 0.75:
            placements.append(("empty", supplies[i % len(supplies)]))
        elif share < 0.80:
            placements.append(("inspection", filling))
        elif share < 0.86:
            placements.append(("scrapped", filling))
        else:
            placements.append(("stock", filling))
    placements = placements[:CYLINDERS]
    cylinders: list[Cylinder] = []
    events: list[_Event] = []
    manufacturers = ["浙江金盾压力容器", "宁波明欣化工机械", "江苏民生重工", "山东华鲁气瓶"]
    for n, (where, place) in enumerate(placements):
        serial = f"TX{n + 1:07d}"
        uri = f"urn:jiceng:cylinder:{serial}"
        site: _Site | None = place if isinstance(place, _Site) else None
        station: Station = place.station if isinstance(place, _Site) else place
        kg = _size(site.kind, rng) if site is not None else 15
        life, interval = cylinder_terms(kg)
        # Ages spread over the design life; a few cylinders at users are past it (红码).
        age_days = int(rng.integers(60, life * 365 - 20))
        if where == "site" and rng.random() < 0.008:
            age_days = life * 365 + int(rng.integers(10, 200))
        if where == "scrapped":
            age_days = life * 365 + int(rng.integers(0, 400))
        made = as_of - timedelta(days=age_days)
        inspections = age_days // (interval * 365)
        last = years_after(made, interval * inspections) if inspections else made
        # Some cylinders skipped their periodic inspection: overdue (红码 at a user).
        if inspections and rng.random() < 0.06:
            last = years_after(made, interval * (inspections - 1)) if inspections > 1 else made
        due = next_inspection_due(
            last_inspected_on=last, manufactured_on=made, interval_years=interval
        )
        owner = site.station if site else station
        cylinder = Cylinder(
            identifier=uri,
            manufacturer=manufacturers[n % len(manufacturers)],
            manufactured_on=made,
            nominal_kg=kg,
            design_life_years=life,
            inspection_interval_years=interval,
            last_inspected_on=last,
            next_inspection_due=due,
            end_of_life=end_of_life(made, life),
            owner=owner,
        )
        station_uri = owner.identifier
        filling_uri = filling.identifier
        if where == "site":
            assert site is not None
            gap = 12 if site.kind != "household" else 45
            delivered = as_of - timedelta(days=int(rng.integers(0, gap)))
            filled = delivered - timedelta(days=int(rng.integers(1, 4)))
            fill_at, deliver_at = _at(filled, rng), _at(delivered, rng)
            if deliver_at <= fill_at:
                deliver_at = fill_at + timedelta(hours=3)
            site_uri = f"urn:jiceng:site:{site.pk}"
            if site.kind != "household":
                before = filled - timedelta(days=int(rng.integers(gap, gap * 2)))
                events += [
                    _Event(
                        "filling",
                        _at(before, rng),
                        uri,
                        filling_uri,
                        filling_uri,
                        filling.region_id,
                    ),
                    _Event(
                        "delivering",
                        _at(before + timedelta(days=1), rng),
                        uri,
                        site_uri,
                        station_uri,
                        site.region,
                    ),
                    _Event(
                        "collecting",
                        _at(filled - timedelta(days=1), rng),
                        uri,
                        site_uri,
                        station_uri,
                        site.region,
                    ),
                ]
            events += [
                _Event("filling", fill_at, uri, filling_uri, filling_uri, filling.region_id),
                _Event("delivering", deliver_at, uri, site_uri, station_uri, site.region),
            ]
            cylinder.state, cylinder.location_site_id = CylinderState.AT_USER, site.pk
            cylinder.last_filled_at, cylinder.last_event_at = fill_at, deliver_at
        elif where == "filled":
            fill_at = _at(as_of - timedelta(days=int(rng.integers(0, 6))), rng)
            events.append(
                _Event("filling", fill_at, uri, filling_uri, filling_uri, filling.region_id)
            )
            cylinder.state, cylinder.location_station = CylinderState.FILLED, station
            cylinder.last_filled_at = cylinder.last_event_at = fill_at
        elif where == "empty":
            back = _at(as_of - timedelta(days=int(rng.integers(0, 20))), rng)
            events.append(
                _Event("collecting", back, uri, station_uri, station_uri, station.region_id)
            )
            cylinder.state, cylinder.location_station = CylinderState.EMPTY_RETURNED, station
            cylinder.last_event_at = back
        elif where == "inspection":
            cylinder.state, cylinder.location_station = CylinderState.IN_INSPECTION, filling
        elif where == "scrapped":
            cylinder.state, cylinder.location_station = CylinderState.SCRAPPED, filling
        else:
            cylinder.state, cylinder.location_station = CylinderState.IN_STOCK, filling
        # Inspections of the past year are in the ledger too.
        if cylinder.state != CylinderState.SCRAPPED and (as_of - last).days < 365 and last != made:
            events.append(
                _Event(
                    "inspecting",
                    _at(last, rng),
                    uri,
                    filling_uri,
                    filling_uri,
                    filling.region_id,
                    disposition="https://ref.gs1.org/cbv/Disp-conformant",
                )
            )
        cylinders.append(cylinder)
    insert_objects(Cylinder, cylinders)
    return cylinders, events


EVENT_COLUMNS = (
    "id", "event_id", "event_type", "action", "event_time", "event_time_zone_offset",
    "record_time", "biz_step", "disposition", "read_point", "biz_location", "parent_id",
    "capture_job_id", "region_id", "flagged", "flag_reasons", "body",
)  # fmt: skip
EPC_COLUMNS = ("event_id", "epc", "role", "event_time")


def _ledger(events: list[_Event], now: datetime) -> None:
    """The events, straight into the ledger tables (what a bulk import of EPCIS documents
    would store): one capture job, written in batches by the core bulk writer."""
    job = CaptureJob.objects.create(
        created_at=now,
        finished_at=now,
        running=False,
        success=True,
        event_count=len(events),
        stored_count=len(events),
    )
    first = int(LedgerEvent.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
    adapt = connection.ops.adapt_datetimefield_value
    recorded = adapt(now)
    events.sort(key=lambda e: e.at)
    for start in range(0, len(events), BATCH):
        rows, epcs = [], []
        for offset, e in enumerate(events[start : start + BATCH]):
            pk = first + start + offset
            step = STEP[e.step]
            when = e.at.astimezone(UTC).isoformat().replace("+00:00", "Z")
            body: dict[str, Any] = {
                "type": "ObjectEvent",
                "eventID": f"urn:uuid:{uuid.UUID(int=pk + (1 << 120))}",
                "eventTime": when,
                "eventTimeZoneOffset": "+08:00",
                "epcList": [e.epc],
                "action": "OBSERVE",
                "bizStep": step,
                "readPoint": {"id": e.read_point},
                "bizLocation": {"id": e.biz_location},
            }
            if e.disposition:
                body["disposition"] = e.disposition
            at = adapt(e.at)
            rows.append(
                (
                    pk,
                    body["eventID"],
                    "ObjectEvent",
                    "OBSERVE",
                    at,
                    "+08:00",
                    recorded,
                    step,
                    e.disposition,
                    e.read_point,
                    e.biz_location,
                    "",
                    job.pk,
                    e.region,
                    False,
                    "[]",
                    json.dumps(body, ensure_ascii=False, separators=(",", ":")),
                )
            )
            epcs.append((pk, e.epc, "epc", at))
        insert_rows(LedgerEvent, EVENT_COLUMNS, rows)
        insert_rows(LedgerEventEpc, EPC_COLUMNS, epcs)


# --- orders and safety checks ------------------------------------------------------------------


def _orders(
    rng: np.random.Generator,
    now: datetime,
    sites: list[_Site],
    cylinders: list[Cylinder],
    workers: dict[int, list[DeliveryWorker]],
) -> int:
    """Each site's last delivery as a delivered order, and today's open orders (a few late)."""
    last: dict[int, tuple[datetime, list[str], int]] = {}
    for c in cylinders:
        if c.location_site_id is not None and c.last_event_at is not None:
            when, serials, kg = last.get(
                c.location_site_id, (c.last_event_at, [], c.nominal_kg or 15)
            )
            last[c.location_site_id] = (max(when, c.last_event_at), [*serials, c.identifier], kg)
    by_pk = {s.pk: s for s in sites}
    orders = []
    for site_pk, (when, serials, kg) in last.items():
        site = by_pk[site_pk]
        crew: list[DeliveryWorker | None] = [*workers.get(site.station.pk, [])] or [None]
        orders.append(
            Order(
                number=f"G{timezone.localtime(when):%Y%m%d}-D{site_pk:06d}",
                site_id=site_pk,
                region_id=site.region,
                nominal_kg=kg,
                count=len(serials),
                station=site.station,
                worker=crew[site_pk % len(crew)],
                state=Order.State.DELIVERED,
                taken_at=when - timedelta(hours=2),
                window_start=when - timedelta(hours=2),
                window_end=when,
                delivered_at=when,
                delivered=serials,
            )
        )
    # Today's calls: forty open orders, a quarter of them past their promised window.
    picks = rng.choice(len(sites), size=40, replace=False)
    for i, index in enumerate(picks.tolist()):
        site = sites[index]
        taken = now - timedelta(minutes=int(rng.integers(10, 400)))
        window_end = taken + timedelta(hours=2)
        orders.append(
            Order(
                number=f"G{timezone.localtime(now):%Y%m%d}-T{i + 1:04d}",
                site_id=site.pk,
                region_id=site.region,
                nominal_kg=15 if site.kind == "household" else 50,
                count=1 if site.kind == "household" else 2,
                station=site.station,
                state=Order.State.OPEN,
                taken_at=taken,
                window_start=taken,
                window_end=window_end,
            )
        )
    insert_objects(Order, orders)
    return len(orders)


def _checks(rng: np.random.Generator, now: datetime, sites: list[_Site]) -> tuple[int, int]:
    """Most sites checked in the past year (some only longer ago: 黄码); a few hazards open,
    the major ones with deadlines, some past them (红码). Open hazards have their cases.
    Checks are inspections of the shared engine (target kind "gas_site") and hazards its failed
    findings, written in bulk; the cases are opened through the case loop's intake."""
    from jiceng.cases.models import Source
    from jiceng.cases.services.intake import case_report
    from jiceng.inspections.models import Checklist, Finding, Inspection

    inspector = User.objects.filter(username="grid").first()
    checklist = Checklist.objects.get(code="gas_site")
    by_code = {item.code: item for item in checklist.items.all() if item.is_active}
    items = list(by_code)
    inspections: list[Inspection] = []
    # (index of the inspection, item code, grade, deadline, open?, rectified at)
    failed: list[tuple[int, str, str, date, bool, datetime | None]] = []
    for site in sites:
        draw = float(rng.random())
        if draw < 0.06:
            continue  # never checked
        days = int(rng.integers(1, 365)) if draw < 0.86 else int(rng.integers(370, 600))
        checked = now - timedelta(days=days, minutes=int(rng.integers(0, 600)))
        hazard_draw = float(rng.random())
        index = len(inspections)
        if days < 60 and hazard_draw < 0.10:
            item = items[int(rng.integers(0, len(items)))]
            grade = "major" if hazard_draw < 0.025 else "minor"
            deadline = timezone.localdate(checked) + timedelta(days=3 if grade == "major" else 15)
            failed.append((index, item, grade, deadline, True, None))
        elif hazard_draw < 0.08:
            item = items[int(rng.integers(0, len(items)))]
            rectified = checked + timedelta(days=int(rng.integers(1, 10)))
            deadline = timezone.localdate(checked) + timedelta(days=15)
            failed.append((index, item, "minor", deadline, False, rectified))
        inspections.append(
            Inspection(
                checklist=checklist,
                target_kind="gas_site",
                target_id=str(site.pk),
                target_label=f"{SITE_URN}{site.pk}",
                region_id=site.region,
                inspected_at=checked,
                inspector=inspector,
            )
        )
    inspections = Inspection.objects.bulk_create(inspections, batch_size=BATCH)
    failing: dict[tuple[int, str], tuple[str, date, bool, datetime | None]] = {
        (index, code): (grade, deadline, is_open, rectified)
        for index, code, grade, deadline, is_open, rectified in failed
    }
    findings = []
    for index, inspection in enumerate(inspections):
        for code in items:
            hazard = failing.get((index, code))
            findings.append(
                Finding(
                    inspection=inspection,
                    item=by_code[code],
                    target_kind="gas_site",
                    target_id=inspection.target_id,
                    ok=hazard is None,
                    severity="" if hazard is None else hazard[0],
                    status="ok" if hazard is None else ("open" if hazard[2] else "rectified"),
                    deadline=None if hazard is None else hazard[1],
                    rectified_at=None if hazard is None else hazard[3],
                )
            )
    findings = Finding.objects.bulk_create(findings, batch_size=BATCH)
    sites_by_pk = {site.pk: site for site in sites}
    opened = []
    for finding in findings:
        if finding.status != "open":
            continue
        site = sites_by_pk[int(finding.target_id)]
        hazard_item = by_code[finding.item.code]
        finding.case = case_report(
            actor=None,
            category="gas_hazard",
            description=(
                f"燃气用户安检发现{'重大' if finding.severity == 'major' else '一般'}隐患："
                f"{hazard_item.text}，限{finding.deadline:%Y-%m-%d}前整改。"
            ),
            region_code=site.region,
            lat=site.lat,
            lon=site.lon,
            source=Source.INSPECTION,
            attributes={"hazard": hazard_item.category},
            source_ref=f"inspection-finding:{finding.pk}",
            at=finding.inspection.inspected_at,
        )
        opened.append(finding)
    Finding.objects.bulk_update(opened, ["case"], batch_size=BATCH)
    return len(inspections), len(failed)


# --- reset -------------------------------------------------------------------------------------

GAS_TABLES = (
    CylinderFlag,
    Order,
    Vehicle,
    DeliveryWorker,
    Cylinder,
    UserSite,
)


def demo_gas_delete() -> None:
    """Delete the gas network, its registries, its ledger events and its colours with plain
    DELETE statements (the core sites of the user sites go with the core demo): call it before
    `jiceng.demo.seed.demo_data_delete`, whose regions and sites they refer to. The ledger
    is emptied whole (in a demo database every event is the demo's)."""
    quote = connection.ops.quote_name
    from jiceng.inspections.models import Finding, Inspection, InspectionPhoto

    with transaction.atomic(), connection.cursor() as cursor:
        # the safety checks: the inspections engine's rows of target kind "gas_site"
        inspection = quote(Inspection._meta.db_table)
        cursor.execute(
            f"DELETE FROM {quote(InspectionPhoto._meta.db_table)} WHERE inspection_id IN "  # noqa: S608
            f"(SELECT id FROM {inspection} WHERE target_kind = %s)",
            ["gas_site"],
        )
        for table in (Finding, Inspection):
            cursor.execute(
                f"DELETE FROM {quote(table._meta.db_table)} WHERE target_kind = %s",  # noqa: S608
                ["gas_site"],
            )
        for model in GAS_TABLES:
            cursor.execute(f"DELETE FROM {quote(model._meta.db_table)}")  # noqa: S608
        cursor.execute(f"DELETE FROM {quote(Station.staff.through._meta.db_table)}")  # noqa: S608
        station = quote(Station._meta.db_table)
        cursor.execute(f"UPDATE {station} SET parent_id = NULL")  # noqa: S608
        cursor.execute(f"DELETE FROM {station}")  # noqa: S608
        for ledger_table in (LedgerEventEpc, LedgerEvent, CaptureJob):
            cursor.execute(f"DELETE FROM {quote(ledger_table._meta.db_table)}")  # noqa: S608
        for colour_table in (SubjectColour, ColourChange):
            cursor.execute(
                f"DELETE FROM {quote(colour_table._meta.db_table)} WHERE scheme = %s",  # noqa: S608
                [SITE_SCHEME],
            )
