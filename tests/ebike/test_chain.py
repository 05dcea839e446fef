"""The chain of an e-bike through EPCIS: registered, sold, traded in and scrapped, read back in
order; sales that break the rules flagged with a case for market supervision; modifications
for the traffic police; unknown shops refused whole; who may capture."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from jiceng.cases.models import Case, Department
from jiceng.ebike.models import Battery, Ebike, EbikeFlag
from jiceng.ebike.selectors import ebike_chain, ebike_flags
from jiceng.ebike.services.registry import ebike_register
from jiceng.ledger.access import CaptureForbidden
from jiceng.ledger.models import LedgerEvent
from tests.ebike.conftest import capture, event

CST = ZoneInfo("Asia/Shanghai")
BATTERY = {
    "code": "BAT-2025-000001",
    "chemistry": "lithium",
    "voltage_v": 48,
    "capacity_ah": 20,
    "ccc": True,
}


def _register(world, plate="桐乡A12345", frame="TX2025A0001234", standard="GB17761-2024"):
    return ebike_register(
        actor=world.wutong_admin,
        plate=plate,
        frame_number=frame,
        standard=standard,
        bought_on=None,
        building=world.building.pk,
        battery=dict(BATTERY),
    )


def test_a_bike_is_registered_sold_traded_in_and_scrapped_and_its_chain_reads_in_order(world):
    bike = _register(world)
    start = timezone.now()
    uri, shop, recycler = bike.identifier, world.shop.identifier, world.recycler.identifier
    job = capture(
        event("retail_selling", [uri], at=start + timedelta(seconds=1), place=shop),
        actor=world.owner,
    )
    assert job.success, job.errors
    job = capture(
        event("urn:jiceng:bizstep:trading_in", [uri], at=start + timedelta(seconds=2), place=shop),
        actor=world.owner,
    )
    assert job.success, job.errors
    job = capture(
        event(
            "decommissioning",
            [uri, "urn:jiceng:battery:BAT-2025-000001"],
            at=start + timedelta(seconds=3),
            place=recycler,
        ),
        actor=world.wutong_admin,
    )
    assert job.success, job.errors
    bike.refresh_from_db()
    assert bike.state == "scrapped"
    assert bike.shop == world.shop
    assert Battery.objects.get(code="BAT-2025-000001").state == "recycled"
    steps = [e["bizStep"].rsplit("-", 1)[-1].rsplit(":", 1)[-1] for e in ebike_chain(bike)]
    assert steps == ["registering", "retail_selling", "trading_in", "decommissioning"]
    assert not EbikeFlag.objects.exists()


def test_an_old_standard_sale_in_2026_is_kept_flagged_and_opens_a_market_supervision_case(world):
    frame_uri = "urn:jiceng:ebike:TX2018B0009999"
    job = capture(
        event(
            "retail_selling",
            [frame_uri],
            at=datetime(2026, 1, 15, 10, 0, tzinfo=CST),
            place=world.shop.identifier,
            ilmd={"jiceng:standard": "GB17761-2018"},
        ),
        actor=world.owner,
    )
    assert job.success, job.errors
    bike = Ebike.objects.get(identifier=frame_uri)
    assert not bike.registered and bike.state == "in_use" and bike.shop == world.shop
    flag = EbikeFlag.objects.get()
    assert flag.kind == "old_standard_sale" and flag.shop == world.shop
    case = flag.case
    assert case is not None and case.is_open
    assert case.category.code == "ebike_noncompliant_sale"
    assert Department.objects.filter(
        kind="market_supervision", region_id=case.owner_region_id
    ).exists()
    assert LedgerEvent.objects.filter(flagged=True).count() == 1
    # Registered later with its plate: the same bike, its chain and flag kept.
    registered = _register(
        world, plate="桐乡B54321", frame="TX2018B0009999", standard="GB17761-2018"
    )
    assert registered.pk == bike.pk and registered.registered
    assert [f.pk for f in ebike_flags(registered)] == [flag.pk]
    assert len(ebike_chain(registered)) == 2


def test_a_sale_before_the_deadline_is_not_flagged(world):
    job = capture(
        event(
            "retail_selling",
            ["urn:jiceng:ebike:TX2018B0001111"],
            at=datetime(2025, 11, 30, 18, 0, tzinfo=CST),
            place=world.shop.identifier,
            ilmd={"standard": "GB17761-2018"},
        ),
        actor=world.owner,
    )
    assert job.success
    assert not EbikeFlag.objects.exists()


def test_a_lithium_battery_without_ccc_swapped_in_is_flagged(world):
    bike = _register(world)
    Battery.objects.create(
        code="BAT-NOCCC-0001", chemistry="lithium", voltage_v=48, capacity_ah=24, ccc=False
    )
    job = capture(
        event(
            "urn:jiceng:bizstep:battery_swapping",
            [bike.identifier, "urn:jiceng:battery:BAT-NOCCC-0001"],
            at=timezone.now() + timedelta(seconds=1),
            place=world.shop.identifier,
        ),
        actor=world.owner,
    )
    assert job.success, job.errors
    flag = EbikeFlag.objects.get()
    assert flag.kind == "noncompliant_battery" and flag.battery.code == "BAT-NOCCC-0001"
    assert flag.case.category.code == "ebike_noncompliant_sale"
    assert Battery.objects.get(code="BAT-2025-000001").state == "removed"
    assert Battery.objects.get(code="BAT-NOCCC-0001").ebike_id == bike.pk


def test_a_modification_opens_a_case_for_the_traffic_police(world):
    bike = _register(world)
    job = capture(
        event(
            "urn:jiceng:bizstep:modifying",
            [bike.identifier],
            at=timezone.now() + timedelta(seconds=1),
            place=world.shop.identifier,
        ),
        actor=world.owner,
    )
    assert job.success
    flag = EbikeFlag.objects.get(kind="modification")
    assert flag.case.category.code == "ebike_modification"
    assert Department.objects.filter(kind="traffic_police").exists()


def test_a_capture_naming_an_unknown_shop_is_refused_whole(world):
    before = LedgerEvent.objects.count()
    job = capture(
        event(
            "retail_selling",
            ["urn:jiceng:ebike:TX2025A0007777"],
            at=timezone.now(),
            place=world.shop.identifier,
        ),
        event(
            "retail_selling",
            ["urn:jiceng:ebike:TX2025A0008888"],
            at=timezone.now(),
            place="urn:jiceng:shop:91330483XXXXXXXXXX",
        ),
        actor=world.wutong_admin,
    )
    assert not job.success
    assert any("91330483XXXXXXXXXX" in str(e) for e in job.errors)
    assert LedgerEvent.objects.count() == before
    assert not Ebike.objects.exists()


def test_only_the_shops_owner_or_an_administrator_captures_at_a_shop(world, users):
    sale = event(
        "retail_selling",
        ["urn:jiceng:ebike:TX2025A0006666"],
        at=timezone.now(),
        place=world.recycler.identifier,
    )
    with pytest.raises(CaptureForbidden):
        capture(sale, actor=world.owner)  # not their shop
    with pytest.raises(CaptureForbidden):
        capture(sale, actor=users["wutong"])  # a town officer
    with pytest.raises(CaptureForbidden):
        capture(sale, actor=users["puyuan"])  # another town: no e-bike roles at all
    assert capture(sale, actor=users["admin"]).success
    assert Case.objects.count() == 0
