"""The registry API: stations, cylinders (201 / 400 naming the field / 409), sites with their
colour, and region scope across towns."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from jiceng.gas.models import Cylinder
from jiceng.gas.services.colours import site_colours_refresh

from .conftest import make_cylinder


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _payload(**changes):
    today = timezone.localdate()
    body = {
        "identifier": "API-1",
        "manufactured_on": str(today - timedelta(days=400)),
        "nominal_kg": 15,
        "last_inspected_on": str(today - timedelta(days=400)),
        "station": "TX-S01",
    }
    body.update(changes)
    return body


def test_stations_are_listed_with_their_identifiers(network, client, token_for):
    answer = client.get("/api/v1/gas/stations", headers=_auth(token_for("admin"))).json()
    assert {
        "code": "TX-F",
        "name": "桐乡储配站",
        "kind": "filling",
        "identifier": "urn:jiceng:station:TX-F",
    } in answer
    assert len(answer) == 3


def test_a_cylinder_is_registered_once_and_read_back(network, client, token_for):
    headers = _auth(token_for("wutong"))
    created = client.post(
        "/api/v1/gas/cylinders", _payload(), content_type="application/json", headers=headers
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["identifier"] == "urn:jiceng:cylinder:API-1"
    assert body["design_life_years"] == 8
    duplicate = client.post(
        "/api/v1/gas/cylinders", _payload(), content_type="application/json", headers=headers
    )
    assert duplicate.status_code == 409
    read = client.get("/api/v1/gas/cylinders/API-1", headers=headers).json()
    assert read["state"] == "in_stock"
    assert read["location"] == "urn:jiceng:station:TX-S01"
    assert read["next_inspection_due"] and read["end_of_life"]


def test_bad_input_is_refused_with_400_naming_the_field_and_nothing_stored(
    network, client, token_for
):
    headers = _auth(token_for("admin"))
    cases = [
        (_payload(nominal_kg=13), "nominal_kg"),
        (_payload(manufactured_on="yesterday"), "manufactured_on"),
        (_payload(station="NOWHERE"), "station"),
        (_payload(identifier=""), "identifier"),
        (_payload(design_life_years=0), "design_life_years"),
    ]
    for body, field in cases:
        answer = client.post(
            "/api/v1/gas/cylinders", body, content_type="application/json", headers=headers
        )
        assert answer.status_code == 400, (field, answer.content)
        assert field in answer.json()["detail"], (field, answer.json())
    assert Cylinder.objects.count() == 0


def test_the_fill_check_answers_allowed_and_reasons(network, client, token_for):
    make_cylinder("FC-1")
    headers = _auth(token_for("admin"))
    ok = client.get("/api/v1/gas/cylinders/FC-1/fill-check?station=TX-S01", headers=headers)
    assert ok.json() == {"allowed": True, "reasons": [], "codes": []}
    other = client.get("/api/v1/gas/cylinders/FC-1/fill-check?station=TX-S02", headers=headers)
    assert other.json()["codes"] == ["not_owned"]
    unknown = client.get("/api/v1/gas/cylinders/NOPE/fill-check?station=TX-S01", headers=headers)
    assert unknown.json()["allowed"] is False
    assert unknown.json()["codes"] == ["unregistered"]
    no_station = client.get("/api/v1/gas/cylinders/FC-1/fill-check", headers=headers)
    assert no_station.status_code == 400
    assert "station" in no_station.json()["detail"]


def test_sites_are_listed_by_colour_and_read_with_their_reasons(network, client, token_for):
    site_colours_refresh()
    headers = _auth(token_for("admin"))
    yellow = client.get("/api/v1/gas/sites?colour=yellow", headers=headers).json()
    assert {s["id"] for s in yellow} == {
        network.site.pk,
        network.other_site.pk,
        network.puyuan_site.pk,
    }
    assert client.get("/api/v1/gas/sites?colour=red", headers=headers).json() == []
    one = client.get(f"/api/v1/gas/sites/{network.site.pk}", headers=headers).json()
    assert one["identifier"] == f"urn:jiceng:site:{network.site.pk}"
    assert one["colour"] == "yellow"
    assert one["reasons"] == ["12个月内未安检"]
    assert one["kind"] == "restaurant"
    assert "contact_phone" not in one


def test_a_wutong_officer_neither_sees_nor_changes_puyuan_records(network, client, token_for):
    site_colours_refresh()
    make_cylinder("PY-9", station="TX-S02")
    headers = _auth(token_for("wutong"))
    sites = client.get("/api/v1/gas/sites", headers=headers).json()
    assert network.puyuan_site.pk not in {s["id"] for s in sites}
    assert network.site.pk in {s["id"] for s in sites}
    assert (
        client.get(f"/api/v1/gas/sites/{network.puyuan_site.pk}", headers=headers).status_code
        == 404
    )
    assert client.get("/api/v1/gas/cylinders/PY-9", headers=headers).status_code == 404
    codes = {s["code"] for s in client.get("/api/v1/gas/stations", headers=headers).json()}
    assert codes == {"TX-S01"}
    registered = client.post(
        "/api/v1/gas/cylinders",
        _payload(identifier="PY-10", station="TX-S02"),
        content_type="application/json",
        headers=headers,
    )
    assert registered.status_code == 400
    assert "station" in registered.json()["detail"]
    assert not Cylinder.objects.filter(identifier="urn:jiceng:cylinder:PY-10").exists()


def test_the_fill_check_uses_the_callers_own_station_when_none_is_named(
    network, client, token_for, users
):
    make_cylinder("OWN-1", station="TX-S02")
    network.wutong.staff.add(users["wutong"])
    answer = client.get(
        "/api/v1/gas/cylinders/OWN-1/fill-check", headers=_auth(token_for("wutong"))
    ).json()
    assert answer["codes"] == ["not_owned"]


def test_sites_are_filtered_by_region(network, client, token_for):
    headers = _auth(token_for("admin"))
    town = client.get("/api/v1/gas/sites?region=330483101", headers=headers).json()
    assert [s["id"] for s in town] == [network.puyuan_site.pk]
    assert client.get("/api/v1/gas/sites?region=abc", headers=headers).status_code == 400
