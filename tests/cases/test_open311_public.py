"""Open311 as a stock GeoReport v2 client reads it: the `georeport` package from PyPI, against a
live server. The client sends no api_key on reads, as the spec allows; it gets the public view."""

from __future__ import annotations

import json

import pytest
import requests
from django.utils import timezone
from georeport import GeoReport

from tests.cases.test_case_loop import report

REPORTER = {
    "reporter_name": "张晓梅",
    "reporter_phone": "13912345678",
    "reporter_email": "xiaomei@example.cn",
}
PRIVATE_WORDS = ("张晓梅", "13912345678", "xiaomei@example.cn", "王建国", "photo-of-a-face")


@pytest.fixture
def reported(case_setup):
    """Three cases in 梧桐 (one of them a dispute between neighbours) and one in 濮院, reported
    now (a list without dates covers the last 90 days)."""
    now = timezone.now()
    charging = report(
        case_setup["grid"],
        at=now,
        description="王建国家门口飞线充电",
        media_url="https://photos.example.cn/photo-of-a-face.jpg",
        **REPORTER,
    )
    dispute = report(
        case_setup["grid"],
        category="dispute",
        attributes={},
        at=now,
        description="王建国与邻居因漏水争执",
        **REPORTER,
    )
    project = report(
        case_setup["wutong"],
        category="project_problem",
        region_code="330483001",
        attributes={},
        at=now,
        description="王建国反映工地停工",
    )
    puyuan = report(
        case_setup["puyuan"],
        category="sanitation",
        region_code="330483101001",
        attributes={},
        at=now,
        description="南门社区垃圾堆放",
    )
    return {"charging": charging, "dispute": dispute, "project": project, "puyuan": puyuan}


def client_for(live_server, output_format: str = "json") -> GeoReport:
    return GeoReport(
        f"{live_server.url}/open311/v2", jurisdiction="330483", output_format=output_format
    )


def test_a_stock_client_lists_services_and_reads_requests_without_a_key(live_server, reported):
    client = client_for(live_server)
    services = client.get_service_list()
    assert "ebike_charging" in {s["service_code"] for s in services}
    assert client.get_service_definition("ebike_charging")["attributes"][0]["code"] == "place"

    listed = client.get_service_requests()
    numbers = {r["service_request_id"] for r in listed}
    assert numbers == {reported[k].number for k in ("charging", "project", "puyuan")}
    one = client.get_service_request(reported["charging"].number)
    assert one["service_code"] == "ebike_charging" and one["status"] == "open"
    assert one["description"] == one["service_name"] == "电动自行车违规充电"
    assert one["agency_responsible"] == "梧桐街道消防工作站"
    assert one["lat"] == reported["charging"].lat and one["requested_datetime"]
    assert "media_url" not in one
    # Filters work as on a keyed read.
    only = client.get_service_requests(service_code="sanitation", status="open")
    assert [r["service_request_id"] for r in only] == [reported["puyuan"].number]


def test_the_public_view_carries_no_personal_data_in_json_or_xml(live_server, reported):
    for output_format in ("json", "xml"):
        client = client_for(live_server, output_format)
        text = json.dumps(client.get_service_requests(), ensure_ascii=False)
        text += json.dumps(
            client.get_service_request(reported["charging"].number), ensure_ascii=False
        )
        assert reported["charging"].number in text
        for word in PRIVATE_WORDS:
            assert word not in text, (output_format, word)
    raw = requests.get(f"{live_server.url}/open311/v2/requests.xml", timeout=10).text
    assert "<media_url" not in raw and "王建国" not in raw


def test_a_case_about_ones_own_affairs_is_not_public(live_server, reported):
    client = client_for(live_server)
    with pytest.raises(requests.HTTPError) as refused:
        client.get_service_request(reported["dispute"].number)
    assert refused.value.response.status_code == 404
    found = client.get_service_requests(service_request_id=reported["dispute"].number)
    assert found == []


def test_a_key_reads_its_users_region_in_full(live_server, reported, token_for):
    url = f"{live_server.url}/open311/v2/requests.json"
    mine = requests.get(url, params={"api_key": token_for("wutong")}, timeout=10).json()
    by_number = {r["service_request_id"]: r for r in mine}
    assert set(by_number) == {reported[k].number for k in ("charging", "dispute", "project")}
    charging = by_number[reported["charging"].number]
    assert charging["description"] == "王建国家门口飞线充电"
    assert charging["media_url"] == "https://photos.example.cn/photo-of-a-face.jpg"
    assert by_number[reported["dispute"].number]["agency_responsible"] == "梧桐街道社会治理中心"
    # A county-level category is answered for by the county's bureau from the start.
    assert by_number[reported["project"].number]["agency_responsible"] == "桐乡市发展和改革局"
    theirs = requests.get(url, params={"api_key": token_for("puyuan")}, timeout=10).json()
    assert [r["service_request_id"] for r in theirs] == [reported["puyuan"].number]
    wrong = requests.get(url, params={"api_key": "jc_wrong"}, timeout=10)
    assert wrong.status_code == 403


def test_a_deployment_can_turn_public_reads_off(live_server, reported, settings, token_for):
    settings.OPEN311_PUBLIC_READ = False
    client = client_for(live_server)
    assert client.get_service_list()  # services stay public
    for read in (
        client.get_service_requests,
        lambda: client.get_service_request(reported["charging"].number),
    ):
        with pytest.raises(requests.HTTPError) as refused:
            read()
        assert refused.value.response.status_code == 403
        assert refused.value.response.json()[0]["description"] == "api_key is required."
    keyed = requests.get(
        f"{live_server.url}/open311/v2/requests/{reported['charging'].number}.json",
        params={"api_key": token_for("wutong")},
        timeout=10,
    )
    assert keyed.status_code == 200


def test_a_request_placed_through_open311_names_its_towns_office_at_once(
    client, case_setup, token_for
):
    key = token_for("wutong")
    placed = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": key,
            "service_code": "sanitation",
            "address_string": "桐乡市梧桐街道庆丰社区3幢",
            "description": "垃圾堆放",
        },
    )
    assert placed.status_code == 201, placed.content
    number = placed.json()[0]["service_request_id"]
    public = client.get(f"/open311/v2/requests/{number}.json").json()[0]
    assert public["agency_responsible"] == "梧桐街道环境卫生管理所"
    english = client.get(f"/open311/v2/requests/{number}.json", {"locale": "en"}).json()[0]
    assert english["agency_responsible"] == "Sanitation office"


def test_a_category_marked_not_public_is_hidden_without_a_key_and_shown_with_one(
    client, reported, token_for
):
    from jiceng.cases.models import Category

    assert set(Category.objects.filter(public=False).values_list("code", flat=True)) >= {
        "ltc_care",
        "insurance_service",
        "dispute",
        "elderly_care",
    }
    number = reported["puyuan"].number
    url = "/open311/v2/requests.json"
    assert number in {r["service_request_id"] for r in client.get(url).json()}

    Category.objects.filter(code="sanitation").update(public=False)
    keyless = {r["service_request_id"] for r in client.get(url).json()}
    assert number not in keyless
    assert reported["charging"].number in keyless
    assert client.get(f"/open311/v2/requests/{number}.json").status_code == 404
    keyed = client.get(url, {"api_key": token_for("puyuan")}).json()
    assert [r["service_request_id"] for r in keyed] == [number]
