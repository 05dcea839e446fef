"""The fill check the filling scale interlocks on: each reason it refuses a cylinder for."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone, translation

from jiceng.gas.models import Cylinder, CylinderState
from jiceng.gas.selectors import cylinder_fill_check

from .conftest import make_cylinder


def _check(serial: str, station):
    cylinder = (
        Cylinder.objects.select_related("owner")
        .filter(identifier=f"urn:jiceng:cylinder:{serial}")
        .first()
    )
    return cylinder_fill_check(cylinder=cylinder, station=station)


def test_a_sound_cylinder_may_be_filled_at_its_station_and_at_the_filling_station(network):
    make_cylinder("OK-1")
    assert _check("OK-1", network.wutong).allowed
    # The filling station fills the cylinders of the supply stations it supplies.
    assert _check("OK-1", network.filling).allowed


def test_an_unregistered_cylinder_is_refused(network):
    check = _check("NOPE", network.wutong)
    assert not check.allowed
    assert check.codes == ["unregistered"]


def test_a_scrapped_cylinder_is_refused(network):
    cylinder = make_cylinder("SCRAP-1")
    Cylinder.objects.filter(pk=cylinder.pk).update(state=CylinderState.SCRAPPED)
    assert _check("SCRAP-1", network.wutong).codes == ["scrapped"]


def test_a_cylinder_past_its_design_life_is_refused(network):
    today = timezone.localdate()
    make_cylinder(
        "OLD-1",
        manufactured_on=today - timedelta(days=365 * 9),
        last_inspected_on=today - timedelta(days=100),
    )
    assert _check("OLD-1", network.wutong).codes == ["past_design_life"]


def test_a_cylinder_past_its_inspection_date_is_refused(network):
    today = timezone.localdate()
    make_cylinder(
        "LATE-1",
        manufactured_on=today - timedelta(days=365 * 6),
        last_inspected_on=today - timedelta(days=365 * 5),
    )
    check = _check("LATE-1", network.wutong)
    assert check.codes == ["inspection_overdue"]
    with translation.override("en"):
        assert [str(reason) for reason in check.reasons] == [
            "The cylinder's periodic inspection is overdue."
        ]


def test_a_cylinder_of_another_station_is_refused(network):
    make_cylinder("PY-1", station="TX-S02")
    assert _check("PY-1", network.wutong).codes == ["not_owned"]
