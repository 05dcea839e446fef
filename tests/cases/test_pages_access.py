"""Every case page keeps to the user's region: another town's cases are as absent as missing."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from jiceng.cases.models import Case
from jiceng.cases.services import case_act
from tests.cases.page_helpers import HTMX, PUYUAN_GRID, html, jpeg, report_now


@pytest.fixture(autouse=True)
def _english(client, settings):
    """The pages in English, so that the messages the tests look for do not depend on catalogues."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture(autouse=True)
def _no_cached_trends():
    """The trend is cached per scope and month: no test may see another test's database."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def wutong_case(case_setup, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return report_now(case_setup["grid"], photos=[jpeg()], description="梧桐的案件")


@pytest.fixture
def puyuan_case(case_setup):
    return report_now(case_setup["puyuan"], region_code=PUYUAN_GRID, description="濮院的案件")


def test_anonymous_visitors_are_sent_to_sign_in(client, wutong_case):
    photo = wutong_case.photos.get()
    for url in (
        reverse("cases-inbox"),
        reverse("case-detail", args=[wutong_case.pk]),
        reverse("case-photo", args=[photo.token]),
        reverse("case-report"),
        reverse("cases-map"),
        reverse("cases-map-geojson"),
        reverse("cases-scorecards"),
        reverse("notifications"),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


def test_another_town_gets_404_on_the_case_its_photos_and_its_actions(
    client, case_setup, wutong_case
):
    client.force_login(case_setup["puyuan"])
    photo = wutong_case.photos.get()
    assert client.get(reverse("case-detail", args=[wutong_case.pk])).status_code == 404
    assert client.get(reverse("case-photo", args=[photo.token])).status_code == 404
    for headers in ({}, HTMX):
        response = client.post(
            reverse("case-act", args=[wutong_case.pk]),
            {"action": "dispatch", "expected_version": 1},
            **headers,
        )
        assert response.status_code == 404
    wutong_case.refresh_from_db()
    assert wutong_case.status == "reported" and wutong_case.version == 1
    # Nor can it merge its own case into 梧桐's by number.
    own = report_now(case_setup["puyuan"], region_code=PUYUAN_GRID)
    response = client.post(
        reverse("case-act", args=[own.pk]),
        {"action": "merge", "expected_version": 1, "duplicate_of": wutong_case.number},
        **HTMX,
    )
    assert response.status_code == 400
    assert "No case numbered" in html(response)
    own.refresh_from_db()
    assert own.status == "reported"


def test_lists_and_the_map_never_show_another_towns_cases(
    client, case_setup, wutong_case, puyuan_case
):
    Case.objects.filter(pk__in=[wutong_case.pk, puyuan_case.pk]).update(lat=30.63, lon=120.56)
    client.force_login(case_setup["puyuan"])
    wutong_link = f'href="{reverse("case-detail", args=[wutong_case.pk])}"'
    for query in ("", "?view=all", "?view=all&status=all", f"?q={wutong_case.number}"):
        text = html(client.get(reverse("cases-inbox") + query))
        assert wutong_link not in text, query
    assert puyuan_case.number in html(client.get(reverse("cases-inbox") + "?view=all"))
    features = client.get(reverse("cases-map-geojson")).json()["features"]
    assert [f["properties"]["number"] for f in features] == [puyuan_case.number]
    # A town in the filter that is not the user's is ignored, not obeyed.
    text = html(client.get(reverse("cases-inbox") + "?view=all&town=330483001"))
    assert wutong_link not in text


def test_scorecards_show_a_town_officer_only_their_town(
    client, case_setup, wutong_case, puyuan_case
):
    month = timezone.localdate().strftime("%Y-%m")
    client.force_login(case_setup["puyuan"])
    text = html(client.get(reverse("cases-scorecards") + f"?month={month}&by=town"))
    assert "濮院镇" in text and "梧桐街道" not in text
    response = client.get(reverse("cases-scorecards") + f"?month={month}&by=town&format=xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["濮院镇"]
    trend = client.get(reverse("cases-scorecards-trend") + f"?month={month}").json()
    assert trend["received"][-1] == 1  # its own case, not 梧桐's


def test_a_department_handler_sees_only_cases_in_their_region(client, case_setup, wutong_case):
    case_act(case_id=wutong_case.pk, actor=case_setup["wutong"], action="dispatch")
    client.force_login(case_setup["puyuan_handler"])
    assert client.get(reverse("case-detail", args=[wutong_case.pk])).status_code == 404
    assert wutong_case.number not in html(client.get(reverse("cases-inbox")))


def _assert_no_inline_code(text: str) -> None:
    for tag in re.findall(r"<script[^>]*>", text):
        assert " src=" in tag or 'type="application/json"' in tag, tag
    assert not re.search(r"\son[a-z]+=", text)


@pytest.mark.parametrize(
    "name", ["cases-inbox", "case-report", "cases-map", "cases-scorecards", "notifications"]
)
def test_case_pages_have_no_inline_scripts_or_event_handlers(client, case_setup, name):
    client.force_login(case_setup["wutong"])
    text = html(client.get(reverse(name))).lower()
    _assert_no_inline_code(text)


def test_the_case_page_has_no_inline_scripts_either(client, case_setup, wutong_case):
    client.force_login(case_setup["wutong"])
    text = html(client.get(reverse("case-detail", args=[wutong_case.pk]))).lower()
    _assert_no_inline_code(text)
    assert client.get(reverse("cases-scorecards") + "?screen=1").status_code == 200


def test_the_scorecard_month_and_grouping_fall_back_when_they_are_bad(client, case_setup):
    client.force_login(case_setup["admin"])
    response = client.get(reverse("cases-scorecards") + "?month=2026-13&by=nonsense")
    assert response.status_code == 200
    assert date.today().strftime("%Y-%m") in html(response)
