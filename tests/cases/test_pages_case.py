"""The case page: what it shows to whom, and the actions taken through it."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jiceng.cases.models import Case, CaseEvent, Department, Status
from jiceng.cases.services import case_act
from tests.cases.page_helpers import HTMX, html, jpeg, report_now


@pytest.fixture(autouse=True)
def _english(client, settings):
    """The pages in English, so that the messages the tests look for do not depend on catalogues."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def case(case_setup, media):
    return report_now(
        case_setup["grid"],
        description='<script>alert("x")</script> 楼道里有<b>飞线</b>',
        reporter_name="王大妈",
        reporter_phone="13812341234",
        photos=[jpeg()],
        address="庆丰路 3 号",
    )


def _page(client, case):
    return client.get(reverse("case-detail", args=[case.pk]))


def _act(client, case, htmx=True, **data):
    return client.post(reverse("case-act", args=[case.pk]), data, **(HTMX if htmx else {}))


def test_the_case_page_shows_the_case_and_escapes_its_description(client, case_setup, case):
    client.force_login(case_setup["wutong"])
    response = _page(client, case)
    assert response.status_code == 200
    text = html(response)
    assert case.number in text
    assert "E-bike charging violation" in text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in text
    assert "<b>飞线</b>" not in text and "&lt;b&gt;飞线&lt;/b&gt;" in text
    assert '<script>alert("x")</script>' not in text
    assert "Where it charges" in text and "Flying lead" in text  # the question and its answer
    assert "庆丰路 3 号" in text
    photo = case.photos.get()
    assert reverse("case-photo", args=[photo.token]) in text
    assert 'id="case-map-data"' in text
    assert "Timeline" in text
    # In Chinese, the Chinese names.
    client.cookies["django_language"] = "zh-hans"
    text = html(_page(client, case))
    assert "电动自行车违规充电" in text and "充电位置" in text and "飞线充电" in text


def test_the_reporters_phone_is_clear_only_to_the_dispatchers(client, case_setup, case):
    client.force_login(case_setup["wutong"])
    assert "13812341234" in html(_page(client, case))
    for name in ("handler", "village", "grid", "clerk"):
        client.force_login(case_setup[name])
        text = html(_page(client, case))
        assert "13812341234" not in text, name
        assert "138****1234" in text, name


def test_photos_are_served_to_those_who_see_the_case(client, case_setup, case):
    photo = case.photos.get()
    client.force_login(case_setup["village"])
    response = client.get(reverse("case-photo", args=[photo.token]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" in response["Cache-Control"]
    assert b"".join(response.streaming_content).startswith(b"\xff\xd8")
    assert client.get(reverse("case-photo", args=["no-such-token"])).status_code == 404


def test_dispatch_through_the_page_preselects_the_default_department(client, case_setup, case):
    client.force_login(case_setup["wutong"])
    text = html(_page(client, case))
    default = Department.objects.get(region_id="330483001", kind="fire_station")
    assert re.search(rf'<option value="{default.pk}" selected>', text)
    # Departments of the county serve the case too; another town's do not.
    county = Department.objects.get(region_id="330483", kind="fire")
    other = Department.objects.get(region_id="330483101", kind="fire_station")
    assert f'<option value="{county.pk}"' in text
    assert f'<option value="{other.pk}"' not in text
    response = _act(client, case, action="dispatch", expected_version=1, department=default.pk)
    assert response.status_code == 200
    assert html(response).lstrip().startswith('<div id="case-body"')
    case.refresh_from_db()
    assert case.status == Status.DISPATCHED and case.department == default


def test_a_stale_version_is_a_conflict_that_shows_the_current_state(client, case_setup, case):
    case_act(case_id=case.pk, actor=case_setup["admin"], action="accept")
    client.force_login(case_setup["wutong"])
    response = _act(client, case, action="dispatch", expected_version=1, note="我先派")
    assert response.status_code == 409
    text = html(response)
    assert "changed by someone else" in text
    assert 'name="expected_version" value="2"' in text  # the state now, to act on again
    assert "我先派" in text  # what was typed is kept
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED
    # Without htmx: the whole page, with the same answer.
    response = _act(client, case, htmx=False, action="dispatch", expected_version=1)
    assert response.status_code == 409
    assert "<html" in html(response) and "changed by someone else" in html(response)


def test_refusals_show_their_reason(client, case_setup, case):
    client.force_login(case_setup["wutong"])
    response = _act(client, case, action="verify", expected_version=1)
    assert response.status_code == 409
    assert "Cannot verify and close a case that is Reported" in html(response)
    response = _act(client, case, action="dismiss", expected_version=1, note="")
    assert response.status_code == 400
    assert "This field is required." in html(response)
    response = _act(client, case, action="rate", expected_version=1)
    assert response.status_code == 400
    response = _act(client, case, action="nonsense", expected_version=1)
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.status == Status.REPORTED and case.version == 1


def test_an_action_the_user_may_not_take_is_403(client, case_setup, case):
    client.force_login(case_setup["handler"])
    response = _act(client, case, action="dispatch", expected_version=1)
    assert response.status_code == 403
    client.force_login(case_setup["regulator"])
    assert _act(client, case, action="comment", expected_version=1, note="看看").status_code == 403
    case.refresh_from_db()
    assert case.status == Status.REPORTED


def test_the_handler_starts_and_resolves_with_photos_and_the_dispatcher_closes(
    client, case_setup, case
):
    users = case_setup
    case_act(case_id=case.pk, actor=users["wutong"], action="dispatch")
    client.force_login(users["handler"])
    text = html(_page(client, case))
    assert "Start handling" in text and 'capture="environment"' in text
    assert _act(client, case, action="start", expected_version=2).status_code == 200
    response = _act(
        client,
        case,
        action="resolve",
        expected_version=3,
        note="已拆除飞线",
        photos=[jpeg("after1.jpg"), jpeg("after2.jpg")],
    )
    assert response.status_code == 200, html(response)
    case.refresh_from_db()
    assert case.status == Status.RESOLVED
    assert sorted(case.photos.values_list("kind", flat=True)) == ["after", "after", "before"]
    assert "After handling" in html(response)
    client.force_login(users["wutong"])
    response = _act(client, case, htmx=False, action="verify", expected_version=4)
    assert response.status_code == 302
    assert response["Location"] == reverse("case-detail", args=[case.pk])
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    # The reporter rates it with stars.
    client.force_login(users["grid"])
    text = html(_page(client, case))
    assert 'name="score" value="5"' in text
    assert _act(client, case, action="rate", expected_version=5, score=4).status_code == 200
    case.refresh_from_db()
    assert case.satisfaction == 4


def test_a_resolution_photo_that_is_no_image_is_refused(client, case_setup, case):
    case_act(case_id=case.pk, actor=case_setup["wutong"], action="dispatch")
    client.force_login(case_setup["handler"])
    fake = SimpleUploadedFile("after.jpg", b"<html>not a photo</html>", content_type="image/jpeg")
    response = _act(client, case, action="resolve", expected_version=2, note="好了", photos=[fake])
    assert response.status_code == 400
    assert "not a readable image" in html(response) or "is not a JPEG" in html(response)
    case.refresh_from_db()
    assert case.status == Status.DISPATCHED
    assert case.photos.count() == 1


def test_merge_by_case_number(client, case_setup, case):
    original = report_now(case_setup["grid"])
    client.force_login(case_setup["wutong"])
    response = _act(
        client, case, action="merge", expected_version=1, duplicate_of=str(original.sequence)
    )
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.status == Status.MERGED and case.duplicate_of == original
    assert CaseEvent.objects.filter(case=case, kind="merged").get().data == {
        "duplicate_of": original.number
    }
    response = _act(client, original, action="merge", expected_version=1, duplicate_of="")
    assert response.status_code == 400
    assert "number of the case this one duplicates" in html(response)


def test_comments_are_open_to_every_writer_who_sees_the_case(client, case_setup, case):
    client.force_login(case_setup["village"])
    text = html(_page(client, case))
    assert 'value="comment"' in text
    assert (
        _act(client, case, action="comment", expected_version=1, note="居民又来电").status_code
        == 200
    )
    assert Case.objects.get(pk=case.pk).events.filter(kind="commented").exists()
