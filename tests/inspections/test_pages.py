"""The engine's pages: answering a checklist on a phone (plain and htmx posts), an inspection's
page and photos, the checklist editor for county administrators, patrol rounds."""

from __future__ import annotations

from django.urls import reverse

from jiceng.inspections.models import ChecklistItem, Inspection, InspectionPhoto, Round

from .conftest import ITEMS, jpeg

VILLAGE = "330483001001"
URL = f"/inspections/new/test-community/place:{VILLAGE}/"


def _form(**failed: str) -> dict:
    form: dict = {}
    for item in ITEMS:
        code = item["code"]
        form[f"item-{code}"] = "fail" if code in failed else "ok"
        form[f"note-{code}"] = failed.get(code, "")
    return form


def test_the_phone_page_records_an_inspection_with_a_photo_per_item(
    users, checklist, client, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(users["wutong"])
    page = client.get(URL)
    assert page.status_code == 200
    assert 'name="item-exits"' in page.content.decode()
    form = _form(charging="飞线充电")
    form["severity-charging"] = "major"
    form["photo-charging"] = jpeg()
    answer = client.post(URL, form)
    assert answer.status_code == 302
    inspection = Inspection.objects.get()
    assert answer["Location"] == reverse("inspection-detail", args=[inspection.pk])
    finding = inspection.findings.get(ok=False)
    assert finding.severity == "major" and finding.case is not None
    photo = InspectionPhoto.objects.get()
    assert photo.finding_id == finding.pk
    detail = client.get(answer["Location"]).content.decode()
    assert finding.case.number in detail
    assert reverse("inspection-photo", args=[photo.token]) in detail
    assert client.get(reverse("inspection-photo", args=[photo.token])).status_code == 200
    client.force_login(users["puyuan"])
    assert client.get(answer["Location"]).status_code == 404
    assert client.get(reverse("inspection-photo", args=[photo.token])).status_code == 404


def test_an_unanswered_item_is_named_and_nothing_is_stored_htmx_too(users, checklist, client):
    client.force_login(users["wutong"])
    form = _form()
    del form["item-licence"]
    answer = client.post(URL, form)
    assert answer.status_code == 400
    assert "licence" in answer.content.decode()
    htmx = client.post(URL, form, headers={"HX-Request": "true"})
    assert htmx.status_code == 400
    assert "<html" not in htmx.content.decode() and 'id="inspection-form"' in htmx.content.decode()
    ok = client.post(URL, _form(), headers={"HX-Request": "true"})
    assert ok.status_code == 204 and ok["HX-Redirect"].startswith("/inspections/")
    assert Inspection.objects.count() == 1


def test_another_towns_target_is_not_found(users, checklist, client):
    client.force_login(users["puyuan"])
    assert client.get(URL).status_code == 404
    assert client.post(URL, _form()).status_code == 404


def test_the_checklist_editor_is_the_county_administrators(users, checklist, client):
    url = reverse("inspection-checklist", args=["test-community"])
    client.force_login(users["wutong"])
    assert client.get(url).status_code == 403
    client.force_login(users["admin"])
    assert "test-community" in client.get("/inspections/checklists/").content.decode()
    assert client.get(url).status_code == 200
    form = {
        "name": "社区检查",
        "days-major": "2",
        "days-minor": "5",
        "is_active": "1",
        "rows": "4",
        "code-0": "exits",
        "text-0": "安全出口畅通无堵塞",
        "severity-0": "major",
        "active-0": "1",
        "code-1": "charging",
        "text-1": "无飞线充电",
        "severity-1": "minor",
        "active-1": "1",
        "code-2": "licence",
        "text-2": "证照齐全",
        "remove-2": "1",
        "code-3": "",
        "text-3": "",
    }
    assert client.post(url, form).status_code == 302
    assert list(
        ChecklistItem.objects.filter(checklist=checklist).values_list("code", flat=True)
    ) == ["exits", "charging"]
    checklist.refresh_from_db()
    assert checklist.deadline_days == {"major": 2, "minor": 5}
    form["text-0"] = ""
    assert client.post(url, form).status_code == 400


def test_a_night_patrol_started_and_finished_on_the_pages(users, checklist, client):
    client.force_login(users["wutong"])
    answer = client.post(
        "/inspections/rounds/",
        {"region": "330483001", "members": "张三、李四", "route": "庆丰社区\n虎啸村"},
    )
    assert answer.status_code == 302
    patrol = Round.objects.get()
    assert patrol.route == ["庆丰社区", "虎啸村"] and patrol.leader == users["wutong"]
    page = client.get(answer["Location"]).content.decode()
    assert reverse("inspection-round-finish", args=[patrol.pk]) in page
    done = client.post(
        reverse("inspection-round-finish", args=[patrol.pk]), {"note": "发现1处飞线充电"}
    )
    assert done.status_code == 302
    patrol.refresh_from_db()
    assert patrol.ended_at is not None and patrol.note == "发现1处飞线充电"
    client.force_login(users["puyuan"])
    assert client.get(answer["Location"]).status_code == 404
