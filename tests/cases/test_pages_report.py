"""The report form: validation that writes nothing, idempotent submits, questions per category."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jiceng.cases.models import Case, CaseEvent
from tests.cases.page_helpers import HTMX, WUTONG_GRID, html, jpeg

NEW = "/cases/new/"


@pytest.fixture(autouse=True)
def _english(client, settings):
    """The pages in English, so that the messages the tests look for do not depend on catalogues."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def grid_worker(client, case_setup, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(case_setup["grid"])
    return case_setup["grid"]


def _key(response) -> str:
    return re.search(r'name="idempotency_key" value="([^"]+)"', html(response)).group(1)


def _fields(key: str, **overrides) -> dict:
    fields = {
        "category": "ebike_charging",
        "attr_place": "corridor",
        "attr_count": "3",
        "description": "5号楼楼道停放电动车充电",
        "region": WUTONG_GRID,
        "address": "庆丰路 5 号",
        "priority": "normal",
        "source": "grid",
        "idempotency_key": key,
    }
    fields.update(overrides)
    return {k: v for k, v in fields.items() if v is not None}


def test_the_form_is_phone_first_with_a_fresh_key_per_render(client, grid_worker):
    first = client.get(NEW)
    assert first.status_code == 200
    text = html(first)
    assert 'accept="image/*"' in text and 'capture="environment"' in text and "multiple" in text
    assert "data-locate" in text and "data-report-map" in text
    assert '<optgroup label="E-bike safety">' in text
    assert "no-cache" in first["Cache-Control"] or "max-age=0" in first["Cache-Control"]
    assert _key(first) != _key(client.get(NEW))
    # A grid worker's one place is chosen already.
    assert re.search(rf'<option value="{WUTONG_GRID}" selected>', text)


def test_the_questions_of_a_category_come_with_htmx(client, grid_worker):
    response = client.get(reverse("case-report-attributes") + "?category=ebike_charging", **HTMX)
    text = html(response)
    assert 'name="attr_place"' in text and 'value="flying_lead"' in text
    assert 'name="attr_count"' in text and 'type="number"' in text
    empty = html(client.get(reverse("case-report-attributes") + "?category=nope", **HTMX))
    assert "attr_" not in empty


def test_a_report_with_a_photo_goes_to_its_case_page(client, grid_worker):
    key = _key(client.get(NEW))
    response = client.post(NEW, {**_fields(key), "photos": [jpeg("a.jpg"), jpeg("b.jpg")]})
    assert response.status_code == 302
    case = Case.objects.get()
    assert response["Location"] == reverse("case-detail", args=[case.pk])
    assert case.attributes == {"place": "corridor", "count": 3.0}
    assert case.region_id == WUTONG_GRID and case.reporter == grid_worker
    assert case.photos.filter(kind="before").count() == 2
    page = html(client.get(response["Location"]))
    assert case.number in page and "reported" in page


def test_a_double_submit_makes_one_case(client, grid_worker):
    key = _key(client.get(NEW))
    first = client.post(NEW, _fields(key))
    second = client.post(NEW, _fields(key))
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Case.objects.count() == 1


def test_a_point_from_the_browser_is_kept_with_the_region(client, grid_worker):
    key = _key(client.get(NEW))
    client.post(NEW, _fields(key, lat="30.6312", lon="120.5611"))
    case = Case.objects.get()
    assert (case.lat, case.lon, case.region_id) == (30.6312, 120.5611, WUTONG_GRID)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"category": "no_such_category"}, "Select a valid choice"),
        ({"region": "", "lat": None, "lon": None}, "Say where"),
        ({"region": "", "lat": "31.9", "lon": "121.9"}, "outside the county"),
        ({"region": "330483101001001"}, "Select a valid choice"),  # another town's grid
        ({"description": "   "}, "This field is required"),
        ({"attr_place": ""}, "Attribute place is required"),
        ({"attr_place": "roof"}, "has no value roof"),
        ({"lat": "95", "lon": "120"}, "less than or equal to 90"),
    ],
)
def test_a_bad_report_is_shown_again_with_its_errors_and_writes_nothing(
    client, grid_worker, overrides, message
):
    key = _key(client.get(NEW))
    fields = _fields(key, **{"description": "楼道<b>飞线</b>", **overrides})
    response = client.post(NEW, fields)
    assert response.status_code == 400
    text = html(response)
    assert message in text, text[text.find("alert") :][:2000]
    assert not Case.objects.exists() and not CaseEvent.objects.exists()
    # What was typed is kept (escaped), and so is the idempotency key.
    if overrides.get("description") is None:
        assert "楼道&lt;b&gt;飞线&lt;/b&gt;" in text
    assert "庆丰路 5 号" in text
    assert _key(response) == key


def test_a_photo_that_is_no_image_is_refused_and_nothing_is_written(client, grid_worker):
    key = _key(client.get(NEW))
    fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 not an image", content_type="image/jpeg")
    response = client.post(NEW, {**_fields(key), "photos": [jpeg(), fake]})
    assert response.status_code == 400
    assert "photo.jpg is not a readable image" in html(response)
    assert not Case.objects.exists()
    assert "choose them once more" in html(response)


def test_html_in_a_description_stays_text_on_the_case_page(client, grid_worker):
    key = _key(client.get(NEW))
    evil = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    response = client.post(NEW, _fields(key, description=evil))
    text = html(client.get(response["Location"]))
    assert "<img src=x" not in text and "<script>alert(2)" not in text
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in text


def test_a_read_only_role_may_not_report(client, case_setup):
    client.force_login(case_setup["regulator"])
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, _fields("k")).status_code == 403
    assert not Case.objects.exists()


def test_an_officer_chooses_among_the_villages_and_grids_of_the_town(client, case_setup):
    client.force_login(case_setup["wutong"])
    text = html(client.get(NEW))
    for code in ("330483001001", "330483001201", WUTONG_GRID):
        assert f'value="{code}"' in text
    assert 'value="330483101001"' not in text
