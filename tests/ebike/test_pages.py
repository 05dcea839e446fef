"""The e-bike pages: each renders for the roles that use it and refuses the others; a user of
one town never sees another town's buildings; the live count on a phone, a lift blocker's key
shown once, the buildings import all or nothing, the figures page and its Excel export."""

from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import unquote

import pytest
from django.utils import timezone

from jiceng.core.models import Role
from jiceng.core.services.accounts import user_create
from jiceng.ebike.models import (
    Battery,
    Building,
    ChargingPlace,
    Ebike,
    GroundFloorSpace,
    LiftAlert,
    LiftBlocker,
    Shop,
)
from jiceng.ebike.reference_data import BUILDING_SCHEME
from jiceng.ebike.services.registry import lift_blocker_authenticate
from jiceng.risk.services import colours_store

WUTONG_GRID, PUYUAN_GRID = "330483001001001", "330483101001001"


@pytest.fixture
def place(users):
    """A building with a bike, a charging place, a converted ground floor, a lift blocker and
    an alert in 梧桐's grid; another building in 濮院's."""
    today = timezone.localdate()
    home = Building.objects.create(
        name="庆丰苑1幢", region_id=WUTONG_GRID, floors=18, households=72, high_rise=True
    )
    other = Building.objects.create(name="南门苑2幢", region_id=PUYUAN_GRID, floors=6)
    shop = Shop.objects.create(
        name="梧桐电动车行", kind="sale", credit_code="91330483MA2B000017", region_id=WUTONG_GRID
    )
    bike = Ebike.objects.create(
        identifier="urn:jiceng:ebike:桐乡A00001",
        plate="桐乡A00001",
        frame_number="TX2025A00000001",
        standard="GB17761-2024",
        building=home,
        region_id=WUTONG_GRID,
        shop=shop,
        bought_on=date(2025, 10, 1),
    )
    Battery.objects.create(
        code="BAT-TX-00000001", chemistry="lithium", voltage_v=48, capacity_ah=20, ebike=bike
    )
    ChargingPlace.objects.create(
        name="庆丰苑充电车棚",
        building=home,
        region_id=WUTONG_GRID,
        ports=12,
        upgraded_on=today - timedelta(days=3),
    )
    GroundFloorSpace.objects.create(building=home, ports=4, converted_on=today)
    device = LiftBlocker.objects.create(
        name="1号梯阻车",
        building=home,
        installed_on=today,
        key_prefix="lb_abcdef",
        key_digest="0" * 64,
    )
    LiftAlert.objects.create(
        building=home, kind="lift_entry", lift="1号梯", at=timezone.now(), device=device
    )
    return {"home": home, "other": other, "bike": bike, "shop": shop}


def _as(client, user):
    client.force_login(user)
    return client


LISTS = [
    "/ebike/",
    "/ebike/map.geojson",
    "/ebike/buildings/",
    "/ebike/bikes/",
    "/ebike/shops/",
    "/ebike/facilities/",
    "/ebike/alerts/",
    "/ebike/patrols/",
    "/ebike/figures/",
    "/ebike/figures/?wall=1",
    "/ebike/buildings/import/",
    "/ebike/bikes/import/",
]


@pytest.mark.parametrize("who", ["admin", "wutong", "grid", "regulator", "handler"])
def test_every_page_renders_for_the_roles_that_use_it(place, users, client, who):
    _as(client, users[who])
    for path in LISTS:
        if who == "regulator" and "import" in path:
            assert client.get(path).status_code == 403, path
            continue
        assert client.get(path).status_code == 200, path
    home = place["home"].pk
    assert client.get(f"/ebike/buildings/{home}/").status_code == 200
    assert client.get(f"/ebike/buildings/{home}/count/").status_code == 200
    assert client.get("/ebike/bikes/桐乡A00001/").status_code == 200


def test_the_anonymous_are_sent_to_sign_in(place, client):
    for path in [*LISTS, f"/ebike/buildings/{place['home'].pk}/"]:
        answer = client.get(path)
        assert answer.status_code == 302 and "/login/" in answer["Location"], path


def test_a_user_of_one_town_never_sees_another_towns_buildings(place, users, client):
    _as(client, users["puyuan"])
    listing = client.get("/ebike/buildings/").content.decode()
    assert "南门苑2幢" in listing and "庆丰苑1幢" not in listing
    assert client.get(f"/ebike/buildings/{place['home'].pk}/").status_code == 404
    assert client.get(f"/ebike/buildings/{place['home'].pk}/count/").status_code == 404
    assert client.get("/ebike/bikes/桐乡A00001/").status_code == 404
    assert "梧桐电动车行" not in client.get("/ebike/shops/").content.decode()
    assert "庆丰苑充电车棚" not in client.get("/ebike/facilities/").content.decode()
    geo = client.get("/ebike/map.geojson").json()
    codes = {f["properties"].get("code") for f in geo["features"]}
    assert codes == {"330483101001"}
    figures = client.get("/ebike/figures/").content.decode()
    assert 'data-town="330483101"' in figures and 'data-town="330483001"' not in figures


def test_the_map_shades_each_community_and_draws_its_red_buildings_as_points(place, users, client):
    home, other = place["home"], place["other"]
    Building.objects.filter(pk=home.pk).update(lat=30.63, lon=120.56)
    Building.objects.filter(pk=other.pk).update(lat=30.7, lon=120.5)
    colours_store(
        scheme=BUILDING_SCHEME, results={home.pk: ("red", []), other.pk: ("red", [])},
        at=timezone.now(),
    )  # fmt: skip
    geo = _as(client, users["wutong"]).get("/ebike/map.geojson").json()
    communities = [f for f in geo["features"] if f["properties"]["role"] == "community"]
    points = [f for f in geo["features"] if f["properties"]["role"] == "point"]
    assert [c["properties"]["code"] for c in communities] == ["330483001001"]
    assert communities[0]["properties"]["red"] == 1
    assert communities[0]["properties"]["colour"] == "red"
    assert [p["properties"]["url"] for p in points] == [f"/ebike/buildings/{home.pk}/"]
    assert points[0]["geometry"]["coordinates"] == [120.56, 30.63]


def test_the_building_page_shows_registered_against_counted_and_the_inspect_link(
    place, users, client
):
    _as(client, users["admin"])
    page = client.get(f"/ebike/buildings/{place['home'].pk}/").content.decode()
    assert "data-registered>1<" in page
    assert "庆丰苑充电车棚" in page and "lb_abcdef" in page
    assert "0" * 64 not in page


def test_a_grid_worker_enters_a_live_count_on_a_phone(place, users, client):
    _as(client, users["grid"])
    home = place["home"]
    answer = client.post(f"/ebike/buildings/{home.pk}/count/", {"counted": "7", "note": "夜查"})
    assert answer.status_code == 302
    home.refresh_from_db()
    assert home.counted == 7
    bad = client.post(f"/ebike/buildings/{home.pk}/count/", {"counted": "-1"})
    assert bad.status_code == 400
    home.refresh_from_db()
    assert home.counted == 7


def test_the_regulator_reads_but_may_not_count(place, users, client):
    _as(client, users["regulator"])
    answer = client.post(f"/ebike/buildings/{place['home'].pk}/count/", {"counted": "3"})
    assert answer.status_code == 403
    place["home"].refresh_from_db()
    assert place["home"].counted is None


def test_a_lift_blockers_key_is_shown_once_to_who_manages_the_building(place, users, client):
    home = place["home"]
    _as(client, users["wutong"])
    refused = client.post(f"/ebike/buildings/{home.pk}/", {"name": "2号梯", "lifts": "1"})
    assert refused.status_code == 403
    _as(client, users["admin"])
    answer = client.post(f"/ebike/buildings/{home.pk}/", {"name": "2号梯", "lifts": "1"})
    assert answer.status_code == 201
    assert answer["Cache-Control"] == "no-store"
    device = LiftBlocker.objects.get(name="2号梯")
    text = answer.content.decode()
    assert "data-device-key" in text
    again = client.get(f"/ebike/buildings/{home.pk}/").content.decode()
    assert "data-device-key" not in again and device.key_prefix in again


def test_who_manages_the_building_revokes_a_lift_blockers_key_and_its_alerts_are_refused(
    place, users, client
):
    home = place["home"]
    _as(client, users["admin"])
    made = client.post(f"/ebike/buildings/{home.pk}/", {"name": "2号梯", "lifts": "1"})
    key = re.search(r'<p class="code">(jce_[\w-]+)</p>', made.content.decode()).group(1)
    device = LiftBlocker.objects.get(name="2号梯")
    assert lift_blocker_authenticate(key) == device
    revoke = f"/ebike/buildings/{home.pk}/blockers/{device.pk}/revoke/"
    assert (
        f'data-revoke="{device.pk}"' in client.get(f"/ebike/buildings/{home.pk}/").content.decode()
    )
    _as(client, users["puyuan"])
    assert client.post(revoke).status_code == 404  # another town's building
    _as(client, users["wutong"])
    assert client.post(revoke).status_code == 403  # reads the building, does not manage it
    assert client.get(revoke).status_code == 405
    device.refresh_from_db()
    assert device.revoked_at is None
    _as(client, users["admin"])
    answer = client.post(revoke)
    assert answer.status_code == 302 and answer["Location"] == f"/ebike/buildings/{home.pk}/"
    device.refresh_from_db()
    assert device.revoked_at is not None
    assert lift_blocker_authenticate(key) is None
    page = client.get(f"/ebike/buildings/{home.pk}/").content.decode()
    assert f'data-revoke="{device.pk}"' not in page
    # a blocker named under another building's address is not found
    first = home.lift_blockers.exclude(pk=device.pk).get()
    wrong = f"/ebike/buildings/{place['other'].pk}/blockers/{first.pk}/revoke/"
    assert client.post(wrong).status_code == 404
    first.refresh_from_db()
    assert first.revoked_at is None


def test_a_property_manager_manages_their_own_building(place, users, client):
    manager = user_create(
        username="wuye-t", password=None, region_code=WUTONG_GRID, roles=[Role.PROPERTY_MANAGER]
    )
    Building.objects.filter(pk=place["home"].pk).update(property_manager=manager)
    _as(client, manager)
    answer = client.post(f"/ebike/buildings/{place['home'].pk}/", {"name": "3号梯", "lifts": "2"})
    assert answer.status_code == 201


def test_the_buildings_import_is_all_or_nothing_with_a_report_by_row(place, users, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    _as(client, users["wutong"])
    header = "name,region,kind,floors,households\n"
    good = header + f"梧桐苑1幢,{WUTONG_GRID},compound,18,60\n梧桐苑2幢,{WUTONG_GRID},,6,24\n"
    bad = header + f"梧桐苑3幢,{WUTONG_GRID},compound,18,60\n外镇楼,{PUYUAN_GRID},compound,x,1\n"
    before = Building.objects.count()
    refused = client.post(
        "/ebike/buildings/import/",
        {"file": SimpleUploadedFile("b.csv", bad.encode(), content_type="text/csv")},
    )
    assert refused.status_code == 400
    assert Building.objects.count() == before
    assert "floors" in refused.content.decode()
    answer = client.post(
        "/ebike/buildings/import/",
        {"file": SimpleUploadedFile("b.csv", good.encode(), content_type="text/csv")},
    )
    assert answer.status_code == 200 and "data-imported" in answer.content.decode()
    assert Building.objects.count() == before + 2
    template = client.get("/ebike/templates/buildings.xlsx")
    assert template.status_code == 200


def test_searching_a_plate_opens_the_bike_with_its_battery(place, users, client):
    _as(client, users["wutong"])
    answer = client.get("/ebike/bikes/?q=桐乡a00001")
    assert answer.status_code == 302
    assert unquote(answer["Location"]).endswith("/ebike/bikes/桐乡A00001/")
    page = client.get("/ebike/bikes/桐乡A00001/").content.decode()
    assert "BAT-TX-00000001" in page


def test_the_figures_read_this_months_facilities_and_export_to_excel(place, users, client):
    _as(client, users["admin"])
    page = client.get("/ebike/figures/").content.decode()
    assert 'data-town="330483001"' in page
    row = page.split('data-town="330483001"', 1)[1].split("</tr>", 1)[0]
    assert 'data-key="places_upgraded">1<' in row
    assert 'data-key="blockers_installed">1<' in row
    assert 'data-key="spaces_converted">1<' in row
    assert 'data-key="alerts">1<' in row
    export = client.get("/ebike/figures/export.xlsx")
    assert export.status_code == 200
    assert export["Content-Disposition"].endswith('.xlsx"')
