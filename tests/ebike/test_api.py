"""The e-bike API: alerts from a lift blocker's key or a managing user, checklists and
inspections, shops, bike registration and its chain, buildings with their colour."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from jiceng.ebike.models import Battery, Ebike, LiftAlert
from jiceng.ebike.services.registry import lift_blocker_create, lift_blocker_revoke
from tests.ebike.conftest import capture, event

CST = ZoneInfo("Asia/Shanghai")


def _bike(world, **change):
    return {
        "plate": "桐乡A12345",
        "frame_number": "TX2025A0001234",
        "standard": "GB17761-2024",
        "bought_on": "2025-10-01",
        "building": world.building.pk,
        "owner_name": "张三",
        "battery": {
            "code": "BAT-2025-000001",
            "chemistry": "lithium",
            "voltage_v": 48,
            "capacity_ah": 20,
            "ccc": True,
        },
    } | change


def test_a_bike_is_registered_and_read_back_with_its_chain(client, world, token_of):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_of(world.wutong_admin)}"}
    answer = client.post(
        "/api/v1/ebike/bikes", _bike(world), content_type="application/json", **auth
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["identifier"] == "urn:jiceng:ebike:桐乡A12345"
    assert body["battery"]["identifier"] == "urn:jiceng:battery:BAT-2025-000001"
    assert len(body["chain"]) == 1
    again = client.post(
        "/api/v1/ebike/bikes", _bike(world), content_type="application/json", **auth
    )
    assert again.status_code == 409 and "plate" in again.json()["errors"]
    capture(
        event(
            "retail_selling",
            [body["identifier"]],
            at=timezone.now() + timedelta(seconds=1),
            place=world.shop.identifier,
        ),
        actor=world.owner,
    )
    capture(
        event(
            "decommissioning",
            [body["identifier"]],
            at=timezone.now() + timedelta(seconds=2),
            place=world.recycler.identifier,
        ),
        actor=world.wutong_admin,
    )
    read = client.get("/api/v1/ebike/bikes/桐乡A12345", **auth)
    assert read.status_code == 200
    bike = read.json()
    assert bike["state"] == "scrapped" and bike["building"] == world.building.pk
    assert len(bike["chain"]) == 3 and bike["flags"] == []
    other_town = {"HTTP_AUTHORIZATION": f"Bearer {token_of(world.manager)}"}
    assert client.get("/api/v1/ebike/bikes/桐乡A12345", **other_town).status_code == 200


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"plate": "ABC"}, "plate"),
        ({"frame_number": "x"}, "frame_number"),
        ({"building": 999_999}, "building"),
        (
            {
                "battery": {
                    "code": "BAT-2025-000009",
                    "chemistry": "lithium",
                    "voltage_v": 72,
                    "capacity_ah": 20,
                    "ccc": True,
                }
            },
            "battery.voltage_v",
        ),
    ],
)
def test_bad_bikes_are_400_naming_the_field_and_store_nothing(
    client, world, token_of, change, field
):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_of(world.wutong_admin)}"}
    answer = client.post(
        "/api/v1/ebike/bikes", _bike(world, **change), content_type="application/json", **auth
    )
    assert answer.status_code == 400, answer.content
    assert field in answer.json()["errors"]
    assert not Ebike.objects.exists() and not Battery.objects.exists()


def test_a_building_of_another_town_is_unknown(client, world, token_of):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_of(world.wutong_admin)}"}
    answer = client.post(
        "/api/v1/ebike/bikes",
        _bike(world, building=world.puyuan.pk),
        content_type="application/json",
        **auth,
    )
    assert answer.status_code == 400 and "building" in answer.json()["errors"]


def test_alerts_from_a_device_key_and_from_the_property_manager(client, world, token_of):
    _device, key = lift_blocker_create(actor=world.manager, building=world.building, name="1号梯")
    now = timezone.now()
    cases = []
    for n in range(3):
        body = {
            "kind": "lift_entry",
            "building": world.building.pk,
            "lift": "1号梯",
            "at": (now - timedelta(minutes=10 - n)).isoformat(),
        }
        answer = client.post(
            "/api/v1/ebike/alerts", body, content_type="application/json", HTTP_X_DEVICE_KEY=key
        )
        assert answer.status_code == 201, answer.content
        cases.append(answer.json()["case"])
    assert cases[:2] == [None, None] and cases[2]
    body = {
        "kind": "lift_entry",
        "building": world.building.pk,
        "lift": "2号梯",
        "at": now.isoformat(),
    }
    answer = client.post(
        "/api/v1/ebike/alerts",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token_of(world.manager)}",
    )
    assert answer.status_code == 201 and answer.json()["case"] == cases[2]
    building = client.get(
        f"/api/v1/ebike/buildings/{world.building.pk}",
        HTTP_AUTHORIZATION=f"Bearer {token_of(world.wutong_admin)}",
    ).json()
    assert building["colour"] == "yellow"
    assert building["reasons"]
    listed = client.get(
        "/api/v1/ebike/buildings",
        {"colour": "yellow"},
        HTTP_AUTHORIZATION=f"Bearer {token_of(world.wutong_admin)}",
    ).json()
    assert [b["id"] for b in listed] == [world.building.pk]


def test_an_unknown_or_revoked_key_is_401_and_nothing_is_stored(client, world, users, token_of):
    device, key = lift_blocker_create(actor=world.manager, building=world.building, name="1号梯")
    body = {
        "kind": "lift_entry",
        "building": world.building.pk,
        "lift": "1",
        "at": timezone.now().isoformat(),
    }
    assert (
        client.post(
            "/api/v1/ebike/alerts",
            body,
            content_type="application/json",
            HTTP_X_DEVICE_KEY="jce_wrong",
        ).status_code
        == 401
    )
    lift_blocker_revoke(actor=world.manager, device=device)
    assert (
        client.post(
            "/api/v1/ebike/alerts", body, content_type="application/json", HTTP_X_DEVICE_KEY=key
        ).status_code
        == 401
    )
    answer = client.post(
        "/api/v1/ebike/alerts",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token_of(users['grid'])}",
    )
    assert answer.status_code == 403
    assert not LiftAlert.objects.exists()


def test_checklists_and_an_inspection(client, world, users, token_of):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_of(users['grid'])}"}
    lists = {c["code"]: c for c in client.get("/api/v1/ebike/checklists", **auth).json()}
    assert set(lists) == {"community", "shop", "night_patrol"}
    assert lists["night_patrol"]["items"][1] == {
        "code": "N02",
        "text": "无飞线充电、入户充电",
        "category": "fire",
        "severity": "major",
    }
    findings = [
        {"item": i["code"], "ok": i["code"] != "N02", "note": ""}
        for i in lists["night_patrol"]["items"]
    ]
    body = {
        "target": f"building:{world.building.pk}",
        "checklist": "night_patrol",
        "inspected_at": datetime.now(CST).isoformat(),
        "findings": findings,
    }
    answer = client.post("/api/v1/ebike/inspections", body, content_type="application/json", **auth)
    assert answer.status_code == 201, answer.content
    assert len(answer.json()["cases"]) == 1
    bad = client.post(
        "/api/v1/ebike/inspections",
        body | {"checklist": "gas"},
        content_type="application/json",
        **auth,
    )
    assert bad.status_code == 400 and "checklist" in bad.json()["errors"]


def test_shops_by_region(client, world, users, token_of):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_of(users['admin'])}"}
    shops = client.get("/api/v1/ebike/shops", {"region": "330483001"}, **auth).json()
    assert {(s["kind"], s["identifier"]) for s in shops} == {
        ("sale", world.shop.identifier),
        ("recycler", world.recycler.identifier),
    }
    assert client.get("/api/v1/ebike/shops", {"region": "330483101"}, **auth).json() == []
