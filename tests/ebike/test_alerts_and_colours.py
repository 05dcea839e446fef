"""Lift-blocker alerts open one case at the third within 24 hours (rules as data) and the
building turns yellow; a night patrol finds flying-lead charging, the building turns red, the
finding is rectified, re-inspected and closed, and the building turns green."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from jiceng.cases.models import Case, Notification
from jiceng.ebike.models import AlertRule, ChargingPlace, LiftAlert
from jiceng.ebike.reference_data import BUILDING_SCHEME
from jiceng.ebike.selectors import (
    building_colour_history,
    building_get_for_user,
    building_open_findings,
    ports_coverage,
)
from jiceng.ebike.services.alerts import alert_receive
from jiceng.ebike.services.colours import building_colours_refresh
from jiceng.ebike.services.inspections import inspection_submit
from jiceng.ebike.services.registry import (
    charging_place_create,
    ebike_register,
    lift_blocker_create,
    lift_blocker_revoke,
    live_count_record,
)
from jiceng.risk.selectors import colour_of


def _colour(building) -> str | None:
    found = colour_of(BUILDING_SCHEME, building.pk)
    return found.colour if found else None


def _reasons(building) -> list[str]:
    found = colour_of(BUILDING_SCHEME, building.pk)
    return [r["rule"] for r in found.reasons] if found else []


def _inspected(world, users):
    """A clean community inspection, so that 'not inspected in 12 months' does not hold."""
    inspection_submit(
        actor=users["admin"],
        target=f"building:{world.building.pk}",
        checklist="community",
        inspected_at=None,
        findings=[{"item": f"C{n:02d}", "ok": True, "note": ""} for n in range(1, 11)],
    )


def test_three_lift_alerts_open_one_case_and_the_building_turns_yellow(world, users):
    _inspected(world, users)
    assert _colour(world.building) == "green"
    device, _key = lift_blocker_create(actor=world.manager, building=world.building, name="1号梯")
    now = timezone.now()
    first = alert_receive(
        kind="lift_entry",
        building=world.building.pk,
        lift="1号梯",
        at=now - timedelta(hours=3),
        device=device,
    )
    second = alert_receive(
        kind="lift_entry",
        building=world.building.pk,
        lift="1号梯",
        at=now - timedelta(hours=2),
        device=device,
    )
    assert first.case is None and second.case is None
    assert _colour(world.building) == "green"
    third = alert_receive(
        kind="lift_entry",
        building=world.building.pk,
        lift="2号梯",
        at=now - timedelta(hours=1),
        actor=world.manager,
    )
    assert third.case is not None and third.case.category.code == "ebike_lift_entry"
    fourth = alert_receive(
        kind="lift_entry", building=world.building.pk, lift="1号梯", at=now, device=device
    )
    assert fourth.case_id == third.case_id
    assert set(LiftAlert.objects.values_list("case_id", flat=True)) == {third.case_id}
    assert Case.objects.count() == 1
    assert Notification.objects.filter(user=world.manager, case=third.case).exists()
    assert _colour(world.building) == "yellow"
    assert _reasons(world.building) == ["alert_case_open"]
    # Open more than 7 days: red.
    building_colours_refresh(building_ids=[world.building.pk], at=now + timedelta(days=8))
    assert _colour(world.building) == "red"
    assert "lift_case_open_7_days" in _reasons(world.building)
    history = building_colour_history(world.building)
    assert [h.colour for h in history][:3] == ["red", "yellow", "green"]


def test_alerts_spread_beyond_the_window_open_no_case(world):
    now = timezone.now()
    for hours in (60, 30, 0):
        alert = alert_receive(
            kind="lift_entry",
            building=world.building,
            lift="1号梯",
            at=now - timedelta(hours=hours),
            actor=world.manager,
        )
    assert alert.case is None


def test_alerts_received_out_of_order_open_the_case_and_all_join_it(world):
    """Two requests reach the building's lock in the other order than their times: the later
    one stored first still counts, and joins the case the third opens."""
    now = timezone.now()
    alerts = [
        alert_receive(
            kind="lift_entry",
            building=world.building,
            lift="1号梯",
            at=now - timedelta(minutes=minutes),
            actor=world.manager,
        )
        for minutes in (0, 2, 1)
    ]
    assert alerts[-1].case is not None
    assert set(LiftAlert.objects.values_list("case_id", flat=True)) == {alerts[-1].case.pk}


def test_the_rule_is_data(world):
    AlertRule.objects.update(count=1)
    from jiceng.core.caching import forget_all

    forget_all()
    alert = alert_receive(
        kind="lift_entry", building=world.building, lift="1", at=timezone.now(), actor=world.manager
    )
    assert alert.case is not None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "stairs"}, "kind"),
        ({"building": 999_999}, "building"),
        ({"lift": ""}, "lift"),
        ({"at": timezone.now() + timedelta(days=1)}, "at"),
    ],
)
def test_bad_alerts_store_nothing(world, change, field):
    values = {
        "kind": "lift_entry",
        "building": world.building.pk,
        "lift": "1",
        "at": timezone.now(),
        "actor": world.manager,
    } | change
    with pytest.raises(ValidationError) as caught:
        alert_receive(**values)
    assert field in caught.value.message_dict
    assert not LiftAlert.objects.exists()


def test_who_reports_alerts(world, users):
    device, _key = lift_blocker_create(actor=world.wutong_admin, building=world.building, name="1")
    with pytest.raises(ValidationError):  # another building's device
        alert_receive(
            kind="lift_entry", building=world.other.pk, lift="1", at=timezone.now(), device=device
        )
    for actor in (users["wutong"], users["grid"], world.owner):
        with pytest.raises(PermissionDenied):
            alert_receive(
                kind="lift_entry",
                building=world.building.pk,
                lift="1",
                at=timezone.now(),
                actor=actor,
            )
    with pytest.raises(PermissionDenied):
        lift_blocker_create(actor=users["wutong"], building=world.building, name="2")
    lift_blocker_revoke(actor=world.manager, device=device)
    with pytest.raises(PermissionDenied):
        alert_receive(
            kind="lift_entry",
            building=world.building.pk,
            lift="1",
            at=timezone.now(),
            device=device,
        )
    assert not LiftAlert.objects.exists()


@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.django_db(transaction=True)
def test_concurrent_alerts_open_one_case(world):  # pragma: no cover - PostgreSQL only
    AlertRule.objects.update(count=2)
    errors: list[Exception] = []

    def send() -> None:
        try:
            alert_receive(
                kind="lift_entry",
                building=world.building.pk,
                lift="1",
                at=timezone.now(),
                actor=world.manager,
            )
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert LiftAlert.objects.values("case_id").distinct().count() == 1


def test_a_night_patrol_finds_flying_leads_red_then_rectified_and_green(world, users):
    _inspected(world, users)
    assert _colour(world.building) == "green"
    night = [
        {"item": code, "ok": code != "N02", "note": "三楼阳台垂下插线板" if code == "N02" else ""}
        for code in ("N01", "N02", "N03", "N04")
    ]
    inspection = inspection_submit(
        actor=users["grid"],
        target=f"building:{world.building.pk}",
        checklist="night_patrol",
        inspected_at=None,
        findings=night,
    )
    [case] = inspection.opened_cases
    assert case.category.code == "ebike_fire_finding"
    assert _colour(world.building) == "red"
    assert "charging_found_90_days" in _reasons(world.building)
    assert [f.item.code for f in building_open_findings(world.building)] == ["N02"]
    # Rectified; the re-inspection passes the item, which closes the finding and its case.
    fixed = [dict(f, ok=True, note="") for f in night]
    inspection_submit(
        actor=users["grid"],
        target=f"building:{world.building.pk}",
        checklist="night_patrol",
        inspected_at=None,
        findings=fixed,
    )
    case.refresh_from_db()
    assert not case.is_open
    assert _colour(world.building) == "green"
    assert not building_open_findings(world.building)


def test_a_shop_inspection_routes_market_items_to_market_supervision(world, users):
    answers = [
        {"item": f"S0{n}", "ok": n != 2, "note": "在售旧国标车" if n == 2 else ""}
        for n in range(1, 7)
    ]
    inspection = inspection_submit(
        actor=users["admin"],
        target=f"shop:{world.shop.pk}",
        checklist="shop",
        inspected_at=None,
        findings=answers,
    )
    [case] = inspection.opened_cases
    assert case.category.code == "ebike_market_finding"
    with pytest.raises(ValidationError):
        inspection_submit(
            actor=users["admin"],
            target="shop:999999",
            checklist="shop",
            inspected_at=None,
            findings=answers,
        )
    with pytest.raises(PermissionDenied):
        inspection_submit(
            actor=users["clerk"],
            target=f"shop:{world.shop.pk}",
            checklist="shop",
            inspected_at=None,
            findings=answers,
        )


def test_ports_cover_registered_bikes_and_live_counts_show_beside_them(world, users):
    _inspected(world, users)
    for n in range(11):
        ebike_register(
            actor=None,
            plate=f"桐乡A1000{n:02d}",
            frame_number=f"TX2025A00000{n:02d}",
            standard="GB17761-2024",
            bought_on=None,
            building=world.building.pk,
        )
    assert _colour(world.building) == "yellow"
    assert _reasons(world.building) == ["ports_short"]
    charging_place_create(
        actor=users["admin"],
        name="1幢车棚",
        region_code=world.building.region_id,
        building=world.building,
        ports=2,
        protections={"timed_cutoff": True, "stop_when_full": True},
    )
    assert _colour(world.building) == "green"
    live_count_record(actor=users["grid"], building=world.building, counted=14)
    row = building_get_for_user(users["wutong"], world.building.pk)
    assert (row.ebike_count, row.port_count, row.counted) == (11, 2, 14)
    [community] = [c for c in ports_coverage(users["admin"]) if c.region_code == "330483001001"]
    assert (community.ebikes, community.ports, community.buildings) == (11, 2, 2)
    with pytest.raises(PermissionDenied):
        live_count_record(actor=users["puyuan"], building=world.building, counted=3)
    assert ChargingPlace.objects.count() == 1
