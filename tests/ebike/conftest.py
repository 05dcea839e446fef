"""A small e-bike world in 桐乡: two buildings in 梧桐's 庆丰社区 (one with a property manager),
one in 濮院, a sales shop (with its owner) and a recycler in 梧桐, and helpers to capture EPCIS
events of bikes and batteries."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from django.utils import timezone, translation

from jiceng.cases.reference_data import categories_load, departments_create
from jiceng.core.models import Role, User
from jiceng.core.services.accounts import api_token_create, user_create
from jiceng.ebike.models import Building, Shop
from jiceng.ebike.reference_data import alert_rules_ensure, building_rules_ensure, checklists_ensure
from jiceng.ebike.services.registry import building_create, shop_create
from jiceng.ledger.services import document_capture

GRID = "330483001001001"
PUYUAN_VILLAGE = "330483101001"
SHOP_CODE = "91330483MA2B3C4D5E"
RECYCLER_CODE = "91330483MA2B3C4R9X"


@dataclass
class World:
    building: Building
    other: Building
    puyuan: Building
    shop: Shop
    recycler: Shop
    manager: User
    owner: User
    wutong_admin: User


@pytest.fixture
def world(users) -> World:
    categories_load()
    departments_create(county_code="330483")
    building_rules_ensure()
    alert_rules_ensure()
    checklists_ensure()
    manager = user_create(
        username="wuye",
        password="pw-wuye-2026",
        region_code="330483001001",
        roles=[Role.PROPERTY_MANAGER],
    )
    owner = user_create(
        username="cheshop",
        password="pw-cheshop-2026",
        region_code="330483001",
        roles=[Role.EBIKE_SHOP],
    )
    wutong_admin = user_create(
        username="wtadmin",
        password="pw-wtadmin-2026",
        region_code="330483001",
        roles=[Role.TOWN_ADMIN],
    )
    building = building_create(
        actor=None,
        name="庆丰小区1幢",
        region_code=GRID,
        compound="庆丰小区",
        floors=18,
        households=72,
        height_m=54,
        lat=30.631,
        lon=120.561,
        property_company="桐乡市庆丰物业有限公司",
        property_manager=manager,
    )
    other = building_create(
        actor=None, name="庆丰小区2幢", region_code=GRID, floors=6, households=24
    )
    puyuan = building_create(
        actor=None, name="南门自建房", region_code=PUYUAN_VILLAGE, kind="self_built", floors=3
    )
    shop = shop_create(
        actor=None,
        name="梧桐新日电动车店",
        kind="sale",
        credit_code=SHOP_CODE,
        region_code="330483001001",
        address="庆丰路8号",
        owners=[owner],
    )
    recycler = shop_create(
        actor=None,
        name="梧桐再生资源回收站",
        kind="recycler",
        credit_code=RECYCLER_CODE,
        region_code="330483001",
    )
    return World(building, other, puyuan, shop, recycler, manager, owner, wutong_admin)


@pytest.fixture
def token_of():
    def make(user: User) -> str:
        return api_token_create(user=user)[1]

    return make


def event(
    step: str,
    epcs: list[str],
    *,
    at: datetime,
    place: str | None = None,
    ilmd: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An ObjectEvent of `step` (a CBV short name or a full URI)."""
    local = timezone.localtime(at)
    body: dict[str, Any] = {
        "eventID": f"urn:uuid:{uuid.uuid4()}",
        "type": "ObjectEvent",
        "action": "OBSERVE",
        "bizStep": step,
        "epcList": epcs,
        "eventTime": local.isoformat(timespec="seconds"),
        "eventTimeZoneOffset": local.strftime("%z")[:3] + ":" + local.strftime("%z")[3:],
    }
    if place:
        body["bizLocation"] = {"id": place}
        body["readPoint"] = {"id": place}
    if ilmd:
        body["ilmd"] = ilmd
    return body


def document(*events: dict[str, Any]) -> dict[str, Any]:
    return {
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-01-01T00:00:00+08:00",
        "epcisBody": {"eventList": list(events)},
    }


def capture(*events: dict[str, Any], actor: User | None = None):
    return document_capture(document=document(*events), actor=actor)


@pytest.fixture(autouse=True)
def english_messages():
    """The tests read the services' messages in English (the product speaks zh-Hans by
    default; the catalogue's translations are checked by tests/test_translations.py)."""
    with translation.override("en"):
        yield
