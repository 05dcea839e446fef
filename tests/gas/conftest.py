"""A small gas network in 桐乡: the filling station (county), a supply station in 梧桐 and one
in 濮院, a user site in each town, and helpers to capture EPCIS events."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from jiceng.cases.reference_data import categories_load, departments_create
from jiceng.core.models import User
from jiceng.gas.models import Cylinder, Station, UserSite
from jiceng.gas.reference_data import site_rules_ensure
from jiceng.gas.services.registry import cylinder_register, station_create, user_site_register
from jiceng.ledger.services import document_capture

WUTONG_VILLAGE, PUYUAN_VILLAGE = "330483001001", "330483101001"


@dataclass
class Network:
    filling: Station
    wutong: Station
    puyuan: Station
    site: UserSite
    other_site: UserSite
    puyuan_site: UserSite


@pytest.fixture
def network(users) -> Network:
    return network_build()


def network_build() -> Network:
    categories_load()
    site_rules_ensure()  # in the migrated database already; again after a transactional test
    departments_create(county_code="330483")
    filling = station_create(
        code="TX-F", name="桐乡储配站", kind="filling", region_code="330483", lat=30.63, lon=120.55
    )
    wutong = station_create(
        code="TX-S01",
        name="梧桐供应站",
        kind="supply",
        region_code="330483001",
        parent=filling,
        lat=30.632,
        lon=120.562,
    )
    puyuan = station_create(
        code="TX-S02",
        name="濮院供应站",
        kind="supply",
        region_code="330483101",
        parent=filling,
        lat=30.69,
        lon=120.63,
    )
    site = user_site_register(
        actor=None,
        name="庆丰小吃店",
        kind="restaurant",
        region_code=WUTONG_VILLAGE,
        address="庆丰路1号",
        lat=30.631,
        lon=120.561,
        contact_name="王小明",
        contact_phone="13800001111",
        station=wutong,
    )
    other = user_site_register(
        actor=None,
        name="虎啸人家",
        kind="household",
        region_code="330483001201",
        contact_phone="13800002222",
        station=wutong,
    )
    puyuan_site = user_site_register(
        actor=None,
        name="南门饭店",
        kind="restaurant",
        region_code=PUYUAN_VILLAGE,
        contact_phone="13900003333",
        station=puyuan,
    )
    return Network(filling, wutong, puyuan, site, other, puyuan_site)


def make_cylinder(
    serial: str,
    *,
    station: str = "TX-S01",
    manufactured_on: date | None = None,
    last_inspected_on: date | None = None,
    nominal_kg: int = 15,
) -> Cylinder:
    today = timezone.localdate()
    made = manufactured_on or today - timedelta(days=365 * 2)
    return cylinder_register(
        actor=None,
        identifier=serial,
        manufactured_on=made,
        nominal_kg=nominal_kg,
        last_inspected_on=last_inspected_on if last_inspected_on is not None else made,
        station=station,
    )


def event(
    step: str,
    epcs: list[str],
    *,
    at: datetime | None = None,
    biz_location: str | None = None,
    read_point: str | None = None,
    disposition: str | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "ObjectEvent",
        "eventID": f"urn:uuid:{uuid.uuid4()}",
        "eventTime": (at or timezone.now()).astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "eventTimeZoneOffset": "+08:00",
        "epcList": [e if e.startswith("urn:") else f"urn:jiceng:cylinder:{e}" for e in epcs],
        "action": "OBSERVE",
        "bizStep": step,
    }
    if biz_location:
        body["bizLocation"] = {"id": biz_location}
    if read_point:
        body["readPoint"] = {"id": read_point}
    if disposition:
        body["disposition"] = disposition
    return body


def capture(actor: User | None, *events: dict[str, Any]) -> Any:
    document = {
        "@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": timezone.now().astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "epcisBody": {"eventList": list(events)},
    }
    return document_capture(document=document, actor=actor)


COURIER = ("courier", "pw-courier-2026")


def courier_create(network: Network) -> User:
    """A delivery worker of 梧桐's supply station who signs in with `COURIER`."""
    from jiceng.core.models import Role
    from jiceng.core.services.accounts import user_create
    from jiceng.gas.services.registry import delivery_worker_create

    username, password = COURIER
    user = user_create(
        username=username,
        password=password,
        region_code="330483001",
        roles=[Role.DELIVERY_WORKER],
    )
    delivery_worker_create(name="李师傅", station=network.wutong, user=user)
    return user
