"""A phone order: found by the caller's number, assigned to the nearest station with stock,
delivered by scanning the full cylinders handed over and the empties taken back."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from jiceng.gas.models import Cylinder, CylinderState, Order
from jiceng.gas.selectors import sites_by_phone
from jiceng.gas.services.orders import order_deliver, order_take
from jiceng.ledger.models import LedgerEvent

from .conftest import capture, event, make_cylinder


def _stock(users, station_code: str, serials: list[str]) -> None:
    for serial in serials:
        make_cylinder(serial, station=station_code)
    job = capture(
        users["admin"],
        event(
            "urn:jiceng:bizstep:filling",
            serials,
            biz_location=f"urn:jiceng:station:{station_code}",
        ),
    )
    assert job.success, job.errors


def test_a_phone_order_is_delivered_by_scanning(network, users):
    _stock(users, "TX-S01", ["F-1", "F-2", "F-3"])
    _stock(users, "TX-S02", ["P-1", "P-2"])
    make_cylinder("E-1")
    capture(
        users["admin"],
        event("urn:jiceng:bizstep:delivering", ["E-1"], biz_location=network.site.identifier),
    )

    (found,) = sites_by_phone(users["admin"], "13800001111")
    assert found.pk == network.site.pk
    order = order_take(
        actor=users["admin"], site_id=found.pk, nominal_kg=15, count=2, caller_phone="13800001111"
    )
    assert order.station == network.wutong  # the nearest station with two full 15 kg cylinders
    assert order.window_end > order.window_start

    with pytest.raises(ValidationError):
        order_deliver(actor=users["admin"], order_id=order.pk, delivered=["F-1"], collected=[])
    assert Order.objects.get(pk=order.pk).state == Order.State.OPEN

    done = order_deliver(
        actor=users["admin"], order_id=order.pk, delivered=["F-1", "F-2"], collected=["E-1"]
    )
    assert done.state == Order.State.DELIVERED
    at_site = Cylinder.objects.filter(location_site=network.site, state=CylinderState.AT_USER)
    assert sorted(c.serial for c in at_site) == ["F-1", "F-2"]
    assert Cylinder.objects.get(identifier="urn:jiceng:cylinder:E-1").state == (
        CylinderState.EMPTY_RETURNED
    )
    steps = set(LedgerEvent.objects.values_list("biz_step", flat=True))
    assert {"urn:jiceng:bizstep:delivering", "urn:jiceng:bizstep:collecting"} <= steps
    # A retry (the phone lost the answer) changes nothing.
    again = order_deliver(
        actor=users["admin"], order_id=order.pk, delivered=["F-1", "F-2"], collected=["E-1"]
    )
    assert again.delivered_at == done.delivered_at


def test_an_order_no_station_can_serve_is_refused_naming_the_count(network, users):
    _stock(users, "TX-S01", ["F-9"])
    with pytest.raises(ValidationError) as refused:
        order_take(actor=users["admin"], site_id=network.site.pk, nominal_kg=15, count=3)
    assert "count" in refused.value.message_dict
    assert Order.objects.count() == 0


def test_delivering_a_cylinder_that_is_not_full_is_refused(network, users):
    _stock(users, "TX-S01", ["F-5"])
    make_cylinder("EMPTY-5")
    order = order_take(actor=users["admin"], site_id=network.site.pk, nominal_kg=15, count=1)
    with pytest.raises(ValidationError) as refused:
        order_deliver(actor=users["admin"], order_id=order.pk, delivered=["EMPTY-5"], collected=[])
    assert "delivered" in refused.value.message_dict
    assert Order.objects.get(pk=order.pk).state == Order.State.OPEN
