"""Open311 GeoReport v2, as a client of the published spec uses it."""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

import pytest

from jiceng.core.services.regions import region_import_boundaries
from tests.cases.test_case_loop import report


def square(lon: float, lat: float, d: float = 0.01) -> dict:
    ring = [
        [lon - d, lat - d],
        [lon + d, lat - d],
        [lon + d, lat + d],
        [lon - d, lat + d],
        [lon - d, lat - d],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.fixture
def open311(case_setup):
    region_import_boundaries(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"code": "330483001001"},
                        "geometry": square(120.56, 30.63),
                    },
                    {
                        "type": "Feature",
                        "properties": {"code": "330483101001"},
                        "geometry": square(120.63, 30.69),
                    },
                ],
            }
        )
    )
    return case_setup


def test_services_list_in_json_and_xml(client, open311):
    services = client.get("/open311/v2/services.json").json()
    charging = next(s for s in services if s["service_code"] == "ebike_charging")
    assert charging == {
        "service_code": "ebike_charging",
        "service_name": "电动自行车违规充电",
        "description": "飞线充电、楼道或室内充电、私拉电线",
        "metadata": True,
        "type": "realtime",
        "keywords": "",
        "group": "电动自行车安全",
    }
    xml = client.get("/open311/v2/services.xml")
    assert xml["Content-Type"].startswith("text/xml")
    root = ET.fromstring(xml.content)
    assert root.tag == "services" and len(root.findall("service")) == len(services)
    english = client.get("/open311/v2/services.json?locale=en").json()
    assert any(s["service_name"] == "E-bike charging violation" for s in english)


def test_a_service_definition_lists_its_attributes(client, open311):
    definition = client.get("/open311/v2/services/ebike_charging.json").json()
    place = definition["attributes"][0]
    assert place["code"] == "place" and place["datatype"] == "singlevaluelist" and place["required"]
    assert {"key": "corridor", "name": "楼道"} in place["values"]
    root = ET.fromstring(client.get("/open311/v2/services/ebike_charging.xml").content)
    assert root.tag == "service_definition"
    assert root.find("attributes/attribute/values/value/key").text == "flying_lead"
    missing = client.get("/open311/v2/services/nope.json")
    assert missing.status_code == 404 and missing.json()[0]["code"] == 404


def test_post_a_request_by_point_and_follow_its_status(client, open311, token_for):
    key = token_for("wutong")
    response = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": key,
            "service_code": "ebike_charging",
            "lat": "30.631",
            "long": "120.561",
            "description": "楼道<b>飞线</b>充电",
            "attribute[place]": "corridor",
            "first_name": "三",
            "last_name": "张",
            "phone": "13800000000",
        },
    )
    assert response.status_code == 201, response.content
    number = response.json()[0]["service_request_id"]
    detail = client.get(f"/open311/v2/requests/{number}.json", {"api_key": key}).json()[0]
    assert detail["status"] == "open" and detail["service_code"] == "ebike_charging"
    assert detail["description"] == "楼道<b>飞线</b>充电"
    assert detail["requested_datetime"].endswith("+08:00")
    listed = client.get("/open311/v2/requests.json", {"api_key": key, "status": "open"}).json()
    assert [r["service_request_id"] for r in listed] == [number]
    assert (
        client.get("/open311/v2/requests.json", {"api_key": key, "status": "closed"}).json() == []
    )
    xml = ET.fromstring(client.get(f"/open311/v2/requests/{number}.xml", {"api_key": key}).content)
    assert xml.find("request/service_request_id").text == number


def test_post_by_address_string_finds_the_village(client, open311, token_for):
    response = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": token_for("wutong"),
            "service_code": "sanitation",
            "address_string": "桐乡市梧桐街道庆丰社区3幢",
            "description": "垃圾堆放",
        },
    )
    assert response.status_code == 201, response.content


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({"service_code": "nope", "lat": "30.631", "long": "120.561", "description": "x"}, 400),
        ({"service_code": "sanitation", "description": "x"}, 400),
        ({"service_code": "sanitation", "lat": "10", "long": "10", "description": "x"}, 400),
        ({"service_code": "sanitation", "lat": "north", "long": "120", "description": "x"}, 400),
        (
            {
                "service_code": "ebike_charging",
                "lat": "30.631",
                "long": "120.561",
                "description": "x",
            },
            400,
        ),
        ({"service_code": "sanitation", "lat": "30.69", "long": "120.63", "description": "x"}, 403),
    ],
)
def test_bad_posts_get_the_specs_error_list(client, open311, token_for, fields, status):
    response = client.post("/open311/v2/requests.json", {"api_key": token_for("wutong"), **fields})
    assert response.status_code == status
    body = response.json()
    assert body[0]["code"] == status and body[0]["description"]


def test_requests_need_an_api_key_and_show_only_the_keys_region(
    client, open311, token_for, settings
):
    settings.OPEN311_PUBLIC_READ = False  # the public view: test_open311_public.py
    case = report(open311["grid"])
    assert client.get("/open311/v2/requests.json").status_code == 403
    assert (
        client.post("/open311/v2/requests.json", {"service_code": "sanitation"}).status_code == 403
    )
    xml = client.get("/open311/v2/requests.xml", {"api_key": "jc_wrong"})
    assert xml.status_code == 403 and ET.fromstring(xml.content).find("error/code").text == "403"
    other = token_for("puyuan")
    assert client.get("/open311/v2/requests.json", {"api_key": other}).json() == []
    assert (
        client.get(f"/open311/v2/requests/{case.number}.json", {"api_key": other}).status_code
        == 404
    )
    mine = client.get(f"/open311/v2/requests/{case.number}.json", {"api_key": token_for("wutong")})
    assert mine.status_code == 200


def test_filters_by_service_code_dates_and_id(client, open311, token_for):
    case = report(open311["grid"])
    key = token_for("wutong")
    found = client.get(
        "/open311/v2/requests.json", {"api_key": key, "service_request_id": case.number}
    ).json()
    assert [r["service_request_id"] for r in found] == [case.number]
    by_code = client.get(
        "/open311/v2/requests.json",
        {
            "api_key": key,
            "service_code": "sanitation",
            "start_date": "2026-01-01T00:00:00+08:00",
        },
    ).json()
    assert by_code == []
    dated = client.get(
        "/open311/v2/requests.json",
        {
            "api_key": key,
            "start_date": "2026-03-01T00:00:00+08:00",
            "end_date": "2026-03-31T00:00:00+08:00",
        },
    ).json()
    assert [r["service_request_id"] for r in dated] == [case.number]
    bad = client.get("/open311/v2/requests.json", {"api_key": key, "start_date": "yesterday"})
    assert bad.status_code == 400
