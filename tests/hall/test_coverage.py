"""The ten-minute service circle on a small matrix: four villages, two town centres."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jiceng.hall.coverage import coverage_overview, item_coverage, travel_matrix
from jiceng.hall.models import ServiceItem, TravelTime
from jiceng.hall.services.network import point_create
from jiceng.hall.services.travel import travel_model_set, travel_times_import_csv
from jiceng.hall.travel import estimated_minutes, haversine_km
from tests.registry_factories import make_person

TODAY = date(2026, 3, 9)
QINGFENG, HUXIAO = "330483001001", "330483001201"  # 梧桐: ~0.7 km and ~1.5 km from its centre
NANMEN, XINLIAN = "330483101001", "330483101201"  # 濮院: ~0.8 km and ~1.9 km from its centre


@pytest.fixture
def circle(network):
    # Walking: straight line at 6 km/h, so the ten-minute circle is one kilometre.
    travel_model_set(
        actor=None,
        valid_from=date(2026, 1, 1),
        detour_factor=1.0,
        speed_kmh=6.0,
        threshold_minutes=10,
    )
    for i in range(2):
        make_person(f"庆丰居民{i}", "330483001001001", 100 + i)
    for i in range(3):
        make_person(f"虎啸村民{i}", HUXIAO, 200 + i)
    return network


def test_distances_and_minutes_from_coordinates():
    assert haversine_km([(30.0, 120.0)], [(31.0, 120.0)])[0, 0] == pytest.approx(111.195, abs=0.01)
    minutes = estimated_minutes(
        [(30.0, 120.0)], [(30.0, 120.0), (31.0, 120.0)], detour_factor=1.5, speed_kmh=30
    )
    assert minutes.shape == (1, 2) and minutes[0, 0] == 0
    assert minutes[0, 1] == pytest.approx(111.195 * 1.5 / 30 * 60, rel=1e-4)


def test_an_item_covers_the_villages_near_its_points_and_lists_the_gaps(circle, users):
    item = ServiceItem.objects.get(code="YB15")
    coverage = item_coverage(travel_matrix(users["admin"], as_of=TODAY), item)
    covered = {v["code"]: v["covered"] for v in coverage["list"]}
    assert covered == {QINGFENG: True, HUXIAO: False, NANMEN: True, XINLIAN: False}
    assert [g["code"] for g in coverage["gaps"]] == [HUXIAO, XINLIAN]  # most people first
    assert (coverage["villages"], coverage["covered"]) == (4, 2)
    assert (coverage["population"], coverage["uncovered_population"]) == (5, 3)
    nearest = next(v for v in coverage["list"] if v["code"] == QINGFENG)
    assert nearest["nearest"]["code"] == "330483001-TC" and 6 < nearest["minutes"] < 7.5


def test_a_town_officer_sees_the_villages_of_the_town(circle, users):
    matrix = travel_matrix(users["wutong"], as_of=TODAY)
    assert [v.code for v in matrix.villages] == [QINGFENG, HUXIAO]
    assert {p.code for p in matrix.points} == {
        "330483001-TC",
        "330483101-TC",
    }  # any point may serve


def test_a_new_point_closes_a_gap_only_for_the_items_delegated_to_it(circle, users):
    point_create(
        actor=None,
        code="330483001201-VS",
        name="虎啸村便民服务站",
        kind="village_station",
        region_code=HUXIAO,
        lat=30.64,
        lon=120.57,
    )
    matrix = travel_matrix(users["admin"], as_of=TODAY)
    overview = {
        row["item"]["code"]: row
        for row in coverage_overview(matrix, list(ServiceItem.objects.all()))
    }
    assert overview["YB15"]["covered"] == 3  # 异地就医备案 is delegated to village stations
    assert overview["YB14"]["covered"] == 2  # 医保关系转移接续 is not
    assert (
        overview["YB21"]["covered"] == 0 and overview["YB21"]["uncovered_population"] == 5
    )  # county centre only


def test_imported_routing_times_override_the_estimate(circle, users):
    csv = f"village,point,minutes\n{HUXIAO},330483001-TC,8.5\n"
    assert travel_times_import_csv(actor=users["admin"], text=csv) == 1
    matrix = travel_matrix(users["admin"], as_of=TODAY)
    assert matrix.imported == 1
    coverage = item_coverage(matrix, ServiceItem.objects.get(code="YB15"))
    huxiao = next(v for v in coverage["list"] if v["code"] == HUXIAO)
    assert huxiao["covered"] and huxiao["minutes"] == 8.5


def test_a_bad_matrix_is_refused_whole_and_only_administrators_import(circle, users):
    bad = (
        "village,point,minutes\n"
        f"{HUXIAO},330483001-TC,8\n"
        "999999999999,330483001-TC,3\n"  # no such village
        f"{NANMEN},nope,-1\n"  # no such point, negative minutes
    )
    with pytest.raises(ValidationError) as refused:
        travel_times_import_csv(actor=users["admin"], text=bad)
    assert len(refused.value.message_dict["file"]) == 2
    assert not TravelTime.objects.exists()
    with pytest.raises(PermissionDenied):
        travel_times_import_csv(actor=users["wutong"], text="village,point,minutes\n")


def test_the_model_in_force_is_the_latest_by_its_date(circle, users):
    travel_model_set(
        actor=None,
        valid_from=date(2026, 3, 1),
        detour_factor=1.0,
        speed_kmh=12.0,
        threshold_minutes=10,
    )
    before = item_coverage(
        travel_matrix(users["admin"], as_of=date(2026, 2, 1)), ServiceItem.objects.get(code="YB15")
    )
    after = item_coverage(
        travel_matrix(users["admin"], as_of=TODAY), ServiceItem.objects.get(code="YB15")
    )
    assert (before["covered"], after["covered"]) == (2, 4)  # by e-bike, two kilometres
