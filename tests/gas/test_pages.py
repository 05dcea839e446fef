"""The gas pages: the map and lists in scope, the public QR pages without personal data, the
delivery worker's scan page, the safety check page, label sheets and the Excel export."""

from __future__ import annotations

from jiceng.cases.models import Case
from jiceng.core.models import Role
from jiceng.core.services.accounts import user_create
from jiceng.gas.models import Cylinder, CylinderState, Order
from jiceng.gas.services.colours import site_colours_refresh
from jiceng.gas.services.orders import order_take
from jiceng.gas.services.registry import delivery_worker_create
from jiceng.inspections.models import Finding

from .conftest import capture, event, make_cylinder


def _login(client, users, name="admin"):
    client.force_login(users[name])
    return client


def test_the_overview_and_its_map_show_the_sites_by_colour(network, users, client):
    site_colours_refresh()
    _login(client, users)
    page = client.get("/gas/")
    assert page.status_code == 200
    data = client.get("/gas/map.geojson").json()
    communities = [f for f in data["features"] if f["properties"]["role"] == "community"]
    assert {f["properties"]["code"] for f in communities} == {
        "330483001001",
        "330483001201",
        "330483101001",
    }
    assert all(f["properties"]["yellow"] == 1 for f in communities)


def test_lists_mask_phones_and_stay_in_the_users_town(network, users, client):
    site_colours_refresh()
    _login(client, users, "wutong")
    page = client.get("/gas/sites/").content.decode()
    assert "庆丰小吃店" in page
    assert "南门饭店" not in page
    assert "13800001111" not in page
    assert "138****1111" in page
    assert client.get(f"/gas/sites/{network.puyuan_site.pk}/").status_code == 404
    detail = client.get(f"/gas/sites/{network.site.pk}/").content.decode()
    assert "13800001111" not in detail
    export = client.get("/gas/sites/export.xlsx?colour=yellow")
    assert export.status_code == 200
    assert export["Content-Disposition"].endswith('.xlsx"')


def test_the_public_site_page_shows_the_colour_and_no_personal_data(network, users, client):
    make_cylinder("PUB-1")
    capture(
        users["admin"],
        event("urn:jiceng:bizstep:delivering", ["PUB-1"], biz_location=network.site.identifier),
    )
    page = client.get(f"/gas/q/s/{network.site.site.qr_token}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "data-public-site" in text
    for private in ("庆丰小吃店", "王小明", "13800001111", "1111", "庆丰路"):
        assert private not in text
    assert client.get("/gas/q/s/not-a-token/").status_code == 404


def test_the_public_cylinder_page_says_whether_it_may_be_filled(network, client):
    make_cylinder("PUB-2")
    page = client.get("/gas/q/c/PUB-2/")
    assert page.status_code == 200
    assert "data-public-cylinder" in page.content.decode()
    assert client.get("/gas/q/c/NOPE/").status_code == 404


def test_a_delivery_worker_completes_an_order_by_scanning(network, users, client):
    for serial in ("D-1", "D-2"):
        make_cylinder(serial)
    capture(
        users["admin"],
        event(
            "urn:jiceng:bizstep:filling", ["D-1", "D-2"], biz_location="urn:jiceng:station:TX-S01"
        ),
    )
    order = order_take(actor=users["admin"], site_id=network.site.pk, nominal_kg=15, count=2)
    courier = user_create(
        username="courier", password=None, region_code="330483001", roles=[Role.DELIVERY_WORKER]
    )
    delivery_worker_create(name="李师傅", station=network.wutong, user=courier)
    client.force_login(courier)
    listing = client.get("/gas/delivery/").content.decode()
    assert order.number in listing
    bad = client.post(f"/gas/delivery/{order.pk}/", {"delivered": "D-1", "collected": ""})
    assert bad.status_code == 200
    assert Order.objects.get(pk=order.pk).state == Order.State.OPEN
    done = client.post(
        f"/gas/delivery/{order.pk}/",
        {"delivered": "http://testserver/gas/q/c/D-1/\nurn:jiceng:cylinder:D-2", "collected": ""},
    )
    assert done.status_code == 302
    assert Order.objects.get(pk=order.pk).state == Order.State.DELIVERED
    assert (
        Cylinder.objects.filter(location_site=network.site, state=CylinderState.AT_USER).count()
        == 2
    )


def test_the_safety_check_page_records_hazards_as_cases(network, users, client):
    _login(client, users, "wutong")
    form = {
        f"item-{item}": "ok"
        for item in (
            "hose",
            "regulator",
            "valve",
            "ventilation",
            "gas_alarm",
            "cylinders",
            "storage",
            "kitchen",
        )
    }
    form["item-hose"] = "major"
    form["note-hose"] = "软管老化"
    answer = client.post(f"/gas/sites/{network.site.pk}/check/", form)
    assert answer.status_code == 302
    hazard = Finding.objects.get(ok=False)  # a hazard: a failed finding of the engine
    assert hazard.severity == "major"
    assert Case.objects.filter(pk=hazard.case_id, category__code="gas_hazard").exists()


def test_label_sheets_are_svg_with_one_qr_code_per_label(network, users, client):
    make_cylinder("L-1")
    _login(client, users)
    sheet = client.get("/gas/labels/cylinders.svg?station=TX-S01")
    assert sheet["Content-Type"].startswith("image/svg+xml")
    assert sheet.content.decode().count('class="segno"') == 1
    sites = client.get("/gas/labels/sites.svg")
    assert sites.content.decode().count('class="segno"') == 3


def test_the_call_centre_finds_the_site_by_the_callers_number_and_takes_the_order(
    network, users, client
):
    make_cylinder("CC-1")
    capture(
        users["admin"],
        event("urn:jiceng:bizstep:filling", ["CC-1"], biz_location="urn:jiceng:station:TX-S01"),
    )
    # The gas company's call centre: station staff (a town officer has no business in orders).
    operator = user_create(
        username="operator", password=None, region_code="330483001", roles=[Role.STATION_STAFF]
    )
    client.force_login(operator)
    found = client.get("/gas/orders/?phone=13800001111").content.decode()
    assert "庆丰小吃店" in found
    answer = client.post(
        "/gas/orders/",
        {"site": network.site.pk, "nominal_kg": 15, "count": 1, "phone": "13800001111"},
    )
    assert answer.status_code == 302
    order = Order.objects.get()
    assert order.station == network.wutong
    site_page = client.get(f"/gas/sites/{network.site.pk}/").content.decode()
    assert order.number in site_page
