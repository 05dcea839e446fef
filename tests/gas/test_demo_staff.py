"""The demo's gas logins work where the demo says: the station staff on their town's supply
station, the delivery worker as one of its workers."""

from __future__ import annotations

from jiceng.core.models import Role
from jiceng.core.services.accounts import user_create
from jiceng.demo.gas import _bind_demo_staff
from jiceng.gas.models import DeliveryWorker
from jiceng.gas.services.registry import delivery_worker_create
from tests.gas.conftest import network_build


def test_the_demo_station_staff_and_delivery_worker_are_bound_to_their_towns_supply_station(
    regions,
):
    network = network_build()
    wutong, puyuan = network.wutong, network.puyuan
    workers = {
        station.pk: [delivery_worker_create(name=f"{station.name}一号", station=station)]
        for station in (wutong, puyuan)
    }
    staff = user_create(
        username="qizhan", password=None, region_code="330483001", roles=[Role.STATION_STAFF]
    )
    driver = user_create(
        username="songqi", password=None, region_code="330483001", roles=[Role.DELIVERY_WORKER]
    )

    _bind_demo_staff([wutong, puyuan], workers)

    assert list(wutong.staff.all()) == [staff] and not puyuan.staff.exists()
    assert DeliveryWorker.objects.get(user=driver).station == wutong
