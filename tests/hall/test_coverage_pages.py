"""The service-circle page on a small network: four villages, two town centres, walking speed
(a one-kilometre circle), 虎啸村 and 新联村 out of reach."""

from __future__ import annotations

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import NoReverseMatch, reverse

from jiceng.hall.models import TravelModel, TravelTime
from tests.hall.test_coverage import HUXIAO, NANMEN, QINGFENG, XINLIAN, circle  # noqa: F401


def test_the_page_lists_a_known_gap_with_the_residents_not_covered(client, circle, users):  # noqa: F811
    client.force_login(users["admin"])
    page = client.get(reverse("hall-coverage"), {"item": "YB15"})
    assert page.status_code == 200
    assert [g["code"] for g in page.context["gaps"]] == [HUXIAO, XINLIAN]
    chosen = page.context["chosen"]
    assert (chosen["covered"], chosen["villages"], chosen["uncovered_population"]) == (2, 4, 3)
    text = page.content.decode()
    assert "虎啸村" in text and "新联村" in text
    assert "Straight-line distance × 1.0 at 6.0 km/h" in text
    try:
        planning = reverse("planning-circle")
    except NoReverseMatch:
        planning = None
    assert (planning in text) if planning else page.context["planning_url"] is None


def test_a_town_officer_sees_the_villages_of_the_town_only(client, circle, users):  # noqa: F811
    client.force_login(users["wutong"])
    page = client.get(reverse("hall-coverage"), {"item": "YB15"})
    assert [g["code"] for g in page.context["gaps"]] == [HUXIAO]
    assert "新联村" not in page.content.decode()
    collection = client.get(reverse("hall-coverage-map"), {"item": "YB15"}).json()
    villages = {
        f["properties"]["code"]: f["properties"]["covered"]
        for f in collection["features"]
        if f["properties"]["role"] == "village"
    }
    assert villages == {QINGFENG: True, HUXIAO: False}
    points = [f for f in collection["features"] if f["properties"]["role"] == "point"]
    assert points and all(f["properties"]["offers"] for f in points)


def test_a_wider_circle_chosen_on_the_page_closes_the_gaps_without_changing_the_model(
    client,
    circle,  # noqa: F811
    users,
):
    client.force_login(users["admin"])
    page = client.get(reverse("hall-coverage"), {"item": "YB15", "minutes": "30"})
    assert page.context["gaps"] == [] and page.context["threshold"] == 30
    assert TravelModel.objects.get().threshold_minutes == 10
    bad = client.get(reverse("hall-coverage"), {"item": "YB15", "minutes": "-3"})
    assert bad.status_code == 200 and bad.context["threshold"] == 10  # ignored


def test_an_administrator_changes_the_travel_model_and_a_town_officer_may_not(
    client,
    circle,  # noqa: F811
    users,
):
    data = {
        "valid_from": "2026-02-01",
        "detour_factor": "1.0",
        "speed_kmh": "12",
        "threshold_minutes": "10",
        "note": "电动车",
    }
    client.force_login(users["wutong"])
    assert client.post(reverse("hall-coverage-travel-model"), data).status_code == 403
    assert TravelModel.objects.count() == 1
    client.force_login(users["admin"])
    bad = client.post(reverse("hall-coverage-travel-model"), data | {"detour_factor": "0.5"})
    assert bad.status_code == 400 and "detour_factor" in bad.context["model_form"].errors
    assert TravelModel.objects.count() == 1
    assert client.post(reverse("hall-coverage-travel-model"), data).status_code == 302
    assert TravelModel.objects.get(valid_from=date(2026, 2, 1)).speed_kmh == 12
    page = client.get(reverse("hall-coverage"), {"item": "YB15"})
    assert [g["code"] for g in page.context["gaps"]] == []  # two kilometres at 12 km/h


def test_imported_travel_times_replace_the_estimate(client, circle, users):  # noqa: F811
    client.force_login(users["admin"])
    good = SimpleUploadedFile(
        "times.csv", f"village,point,minutes\n{HUXIAO},330483001-TC,4.5\n".encode()
    )
    response = client.post(reverse("hall-coverage-travel-times"), {"file": good, "replace": "on"})
    assert response.status_code == 302
    page = client.get(reverse("hall-coverage"), {"item": "YB15"})
    assert [g["code"] for g in page.context["gaps"]] == [XINLIAN]
    assert page.context["source"]["imported_pairs"] == 1
    bad = SimpleUploadedFile("times.csv", f"village,point,minutes\n{NANMEN},NOPE,x\n".encode())
    response = client.post(reverse("hall-coverage-travel-times"), {"file": bad, "replace": "on"})
    assert response.status_code == 400
    assert "unknown service point" in response.content.decode()
    assert TravelTime.objects.count() == 1  # the earlier import is kept
    client.force_login(users["wutong"])
    other = SimpleUploadedFile("t.csv", b"village,point,minutes\n")
    assert client.post(reverse("hall-coverage-travel-times"), {"file": other}).status_code == 403
