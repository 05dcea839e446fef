"""Who may capture cylinder events: station staff and delivery workers in their station's
service area, gas managers and region administrators in their region, a scale device bound to a
station; one event out of scope refuses the whole document with 403 and stores nothing."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from jiceng.core.models import Role
from jiceng.core.services.accounts import api_token_create, user_create
from jiceng.gas.models import Cylinder, CylinderState, ScaleDevice, UserSite
from jiceng.gas.services.registry import (
    delivery_worker_create,
    scale_device_create,
    scale_device_revoke,
    station_staff_set,
    user_site_register,
)
from jiceng.ledger.access import CaptureForbidden
from jiceng.ledger.models import CaptureJob, LedgerEvent, LedgerEventEpc
from tests.table_counts import table_counts

from .conftest import capture, event, make_cylinder

DELIVER, COLLECT, FILL = (
    "urn:jiceng:bizstep:delivering",
    "urn:jiceng:bizstep:collecting",
    "urn:jiceng:bizstep:filling",
)
TUDIAN = "330483102"


def _document(*events: dict[str, Any]) -> str:
    return json.dumps(
        {
            "@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"],
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": timezone.now().isoformat(),
            "epcisBody": {"eventList": list(events)},
        }
    )


def _post(client, body: str, **headers: str):
    return client.post(
        "/epcis/v2/capture", data=body, content_type="application/ld+json", headers=headers
    )


def _user(username: str, region: str, role: str):
    return user_create(username=username, password=None, region_code=region, roles=[role])


@pytest.fixture
def tudian_site(network) -> UserSite:
    return user_site_register(
        actor=None, name="屠甸人家", kind="household", region_code=TUDIAN, station=None
    )


@pytest.fixture
def at_tudian(network, users, tudian_site) -> Cylinder:
    """A full cylinder delivered to a user site in 屠甸镇."""
    make_cylinder("TD-1")
    job = capture(
        users["admin"],
        event(FILL, ["TD-1"], biz_location="urn:jiceng:station:TX-F"),
        event(DELIVER, ["TD-1"], biz_location=tudian_site.identifier),
    )
    assert job.success, job.errors
    cylinder = Cylinder.objects.get(identifier="urn:jiceng:cylinder:TD-1")
    assert cylinder.state == CylinderState.AT_USER
    return cylinder


def test_a_wutong_town_officer_collecting_at_a_tudian_site_is_refused_and_the_cylinder_stays(
    client, users, token_for, at_tudian, tudian_site
):
    token = token_for("wutong")
    before = table_counts()
    body = _document(event(COLLECT, ["TD-1"], biz_location=tudian_site.identifier))

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # reasons in English, not zh-Hans
    answer = _post(client, body, Authorization=f"Bearer {token}")

    assert answer.status_code == 403
    assert answer["Content-Type"] == "application/problem+json"
    problem = answer.json()
    assert problem["type"] == "epcisException:SecurityException"
    assert any("may not capture cylinder events" in r for r in problem["errors"])
    assert table_counts() == before
    cylinder = Cylinder.objects.get(pk=at_tudian.pk)
    assert (cylinder.state, cylinder.location_site_id) == (
        CylinderState.AT_USER,
        tudian_site.pk,
    )


def test_station_staff_capture_in_their_service_area(client, network, users):
    staff = _user("ws-staff", "330483001", Role.STATION_STAFF)
    station_staff_set(actor=users["admin"], station=network.wutong, users=[staff])
    make_cylinder("OK-1")
    token = api_token_create(user=staff)[1]
    body = _document(
        event(FILL, ["OK-1"], biz_location="urn:jiceng:station:TX-F"),
        event(DELIVER, ["OK-1"], biz_location=network.site.identifier),
    )

    answer = _post(client, body, Authorization=f"Bearer {token}")

    assert answer.status_code == 202, answer.content
    assert CaptureJob.objects.get().success
    cylinder = Cylinder.objects.get(identifier="urn:jiceng:cylinder:OK-1")
    assert cylinder.location_site_id == network.site.pk


def test_one_event_outside_the_service_area_refuses_the_whole_document(client, network, users):
    staff = _user("ws-staff", "330483001", Role.STATION_STAFF)
    station_staff_set(actor=users["admin"], station=network.wutong, users=[staff])
    make_cylinder("A-1")
    make_cylinder("A-2")
    token = api_token_create(user=staff)[1]
    before = table_counts()
    body = _document(
        event(DELIVER, ["A-1"], biz_location=network.site.identifier),
        event(DELIVER, ["A-2"], biz_location=network.puyuan_site.identifier),
    )

    answer = _post(client, body, Authorization=f"Bearer {token}")

    assert answer.status_code == 403
    errors = answer.json()["errors"]
    assert len(errors) == 1 and network.puyuan_site.identifier in errors[0]
    assert table_counts() == before
    assert not CaptureJob.objects.exists() and not LedgerEvent.objects.exists()
    assert Cylinder.objects.filter(location_site__isnull=False).count() == 0


def test_a_cylinder_at_another_station_s_site_is_out_of_scope_even_at_one_s_own_station(
    network, users
):
    puyuan_staff = _user("py-staff", "330483101", Role.STATION_STAFF)
    station_staff_set(actor=users["admin"], station=network.puyuan, users=[puyuan_staff])
    make_cylinder("W-1")
    assert capture(
        users["admin"], event(DELIVER, ["W-1"], biz_location=network.site.identifier)
    ).success
    before = table_counts()

    with pytest.raises(CaptureForbidden) as refused:
        capture(puyuan_staff, event(COLLECT, ["W-1"], biz_location="urn:jiceng:station:TX-S02"))

    assert any("W-1" in reason for reason in refused.value.reasons)
    assert table_counts() == before


def test_a_delivery_worker_captures_for_their_station_only(network, users):
    worker_user = _user("courier", "330483001", Role.DELIVERY_WORKER)
    delivery_worker_create(name="李师傅", station=network.wutong, user=worker_user)
    make_cylinder("D-1")
    make_cylinder("D-2", station="TX-S02")

    assert capture(
        worker_user, event(DELIVER, ["D-1"], biz_location=network.site.identifier)
    ).success
    with pytest.raises(CaptureForbidden):
        capture(worker_user, event(DELIVER, ["D-2"], biz_location=network.puyuan_site.identifier))


def test_a_delivery_worker_role_without_a_station_captures_nothing(network):
    loose = _user("loose", "330483001", Role.DELIVERY_WORKER)
    make_cylinder("L-1")
    with pytest.raises(CaptureForbidden):
        capture(loose, event(DELIVER, ["L-1"], biz_location=network.site.identifier))


@pytest.mark.parametrize("role", [Role.TOWN_ADMIN, Role.GAS_MANAGER])
def test_a_town_administrator_and_a_gas_manager_capture_in_their_town_only(network, role):
    user = _user("boss", "330483001", role)
    make_cylinder("T-1")
    make_cylinder("T-2", station="TX-S02")

    assert capture(user, event(DELIVER, ["T-1"], biz_location=network.site.identifier)).success
    with pytest.raises(CaptureForbidden):
        capture(user, event(DELIVER, ["T-2"], biz_location=network.puyuan_site.identifier))


def test_the_county_administrator_captures_anywhere_in_the_county(network, users):
    make_cylinder("C-1", station="TX-S02")
    job = capture(
        users["admin"], event(DELIVER, ["C-1"], biz_location=network.puyuan_site.identifier)
    )
    assert job.success


def test_a_place_this_deployment_cannot_place_is_refused_to_station_staff(network, users):
    staff = _user("ws-staff", "330483001", Role.STATION_STAFF)
    station_staff_set(actor=users["admin"], station=network.wutong, users=[staff])
    make_cylinder("X-1")
    with pytest.raises(CaptureForbidden):
        capture(staff, event(DELIVER, ["X-1"], biz_location="urn:epc:id:sgln:0614141.00777.0"))


def test_a_scale_device_captures_with_its_key_alone_in_its_station_s_area(client, network, users):
    device, key = scale_device_create(actor=users["admin"], station=network.wutong, name="1号秤")
    make_cylinder("S-1")
    make_cylinder("S-2", station="TX-S02")
    assert ScaleDevice.objects.get().key_digest != key and key not in device.key_prefix + "…"

    good = _document(event(FILL, ["S-1"], biz_location="urn:jiceng:station:TX-S01"))
    answer = _post(client, good, **{"X-Device-Key": key})
    assert answer.status_code == 202, answer.content
    job = CaptureJob.objects.get()
    assert job.success and job.actor is None and job.region_id == "330483001"
    read = client.get(answer["Location"], headers={"X-Device-Key": key})
    assert read.status_code == 200 and read.json()["success"] is True
    _other, other_key = scale_device_create(
        actor=users["admin"], station=network.puyuan, name="2号秤"
    )
    assert client.get(answer["Location"], headers={"X-Device-Key": other_key}).status_code == 404

    before = table_counts()
    bad = _document(event(FILL, ["S-2"], biz_location="urn:jiceng:station:TX-S02"))
    answer = _post(client, bad, **{"X-Device-Key": key})
    assert answer.status_code == 403
    assert table_counts() == before


def test_a_revoked_or_unknown_device_key_is_refused(client, network, users):
    device, key = scale_device_create(actor=users["admin"], station=network.wutong, name="1号秤")
    scale_device_revoke(actor=users["admin"], device=device)
    make_cylinder("R-1")
    body = _document(event(FILL, ["R-1"], biz_location="urn:jiceng:station:TX-S01"))
    for sent in (key, "jcd_" + uuid.uuid4().hex):
        answer = client.post(
            "/epcis/v2/capture",
            data=body,
            content_type="application/ld+json",
            HTTP_X_DEVICE_KEY=sent,
        )
        assert answer.status_code == 401
    assert not CaptureJob.objects.exists()


def test_only_the_region_s_administrators_and_gas_managers_manage_devices_and_staff(network, users):
    from django.core.exceptions import PermissionDenied

    for name in ("wutong", "puyuan", "regulator"):
        with pytest.raises(PermissionDenied):
            scale_device_create(actor=users[name], station=network.wutong, name="秤")
        with pytest.raises(PermissionDenied):
            station_staff_set(actor=users[name], station=network.wutong, users=[])
    town_admin = _user("wt-admin", "330483001", Role.TOWN_ADMIN)
    scale_device_create(actor=town_admin, station=network.wutong, name="秤")
    with pytest.raises(PermissionDenied):
        scale_device_create(actor=town_admin, station=network.puyuan, name="秤")
    assert ScaleDevice.objects.count() == 1
    assert LedgerEventEpc.objects.count() == 0


ITEMS = (
    "hose",
    "regulator",
    "valve",
    "ventilation",
    "gas_alarm",
    "cylinders",
    "storage",
    "kitchen",
)


def test_a_grid_worker_posting_a_complete_safety_check_is_refused_and_nothing_is_stored(
    client, network, users
):
    client.force_login(_user("wt-grid", "330483001", Role.GRID_WORKER))  # the site is in scope
    form = {f"item-{item}": "ok" for item in ITEMS}
    form["item-hose"] = "major"
    before = table_counts()

    answer = client.post(f"/gas/sites/{network.site.pk}/check/", form)

    assert answer.status_code == 403
    assert table_counts() == before


def test_a_town_officer_taking_a_phone_order_is_refused_and_nothing_is_stored(
    client, network, users
):
    make_cylinder("PO-1")
    assert capture(
        users["admin"], event(FILL, ["PO-1"], biz_location="urn:jiceng:station:TX-S01")
    ).success
    client.force_login(users["wutong"])
    before = table_counts()

    answer = client.post(
        "/gas/orders/", {"site": network.site.pk, "nominal_kg": 15, "count": 1, "phone": ""}
    )

    assert answer.status_code == 403
    assert table_counts() == before


def test_creating_and_revoking_a_device_is_in_the_audit_trail_without_its_key(network, users):
    from auditlog.models import LogEntry

    device, key = scale_device_create(actor=users["admin"], station=network.wutong, name="3号秤")
    scale_device_revoke(actor=users["admin"], device=device)

    entries = LogEntry.objects.get_for_object(device)
    assert entries.count() == 2
    assert all(
        key not in str(e.changes) and device.key_digest not in str(e.changes) for e in entries
    )
