"""The audit trail: every record's history on its page, and the administrators' audit log with its
filters and CSV export. ID numbers never appear in clear."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone, translation

from jiceng.core.models import Person
from tests.registry_factories import (
    PUYUAN,
    WUTONG,
    WUTONG_VILLAGE,
    id_number,
    make_organisation,
    make_person,
)


@pytest.fixture(autouse=True)
def _pages_in_english(settings):
    """Messages are asserted in English, whatever catalogues the default language has."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def _text(response) -> str:
    return response.content.decode()


def _register_through_the_page(client, users) -> Person:
    client.force_login(users["wutong"])
    client.post(
        reverse("person-create"),
        {"name": "审计人", "id_number": id_number(31), "region": WUTONG, "phone": "13700000000"},
    )
    return Person.objects.get(name="审计人")


# --- A record's history ---------------------------------------------------------------------


def test_a_change_made_on_a_page_records_who_made_it(client, users):
    person = _register_through_the_page(client, users)
    client.post(
        reverse("person-edit", args=[person.pk]),
        {"name": "审计人", "region": WUTONG_VILLAGE, "phone": "13711111111"},
    )
    entries = LogEntry.objects.get_for_object(person).order_by("pk")
    assert [e.action for e in entries] == [LogEntry.Action.CREATE, LogEntry.Action.UPDATE]
    assert {e.actor for e in entries} == {users["wutong"]}
    assert entries[1].changes_dict["phone"] == ["13700000000", "13711111111"]


def test_a_record_page_shows_who_changed_what_and_when(client, users):
    person = _register_through_the_page(client, users)
    client.post(
        reverse("person-edit", args=[person.pk]),
        {"name": "审计人", "region": WUTONG, "phone": "13722222222"},
    )
    text = _text(client.get(reverse("person-detail", args=[person.pk])))
    assert "History" in text
    assert "wutong" in text
    assert "changed" in text
    assert "13700000000 → 13722222222" in text
    assert timezone.localdate().isoformat() in text


def test_a_history_never_shows_an_id_number_in_clear(client, users):
    person = _register_through_the_page(client, users)
    for username in ("wutong", "clerk", "admin"):
        client.force_login(users[username])
        text = _text(client.get(reverse("person-detail", args=[person.pk])))
        assert person.id_masked in text
        assert id_number(31) not in text


def test_a_history_hides_the_birth_date_from_roles_that_do_not_read_id_numbers(client, users):
    person = _register_through_the_page(client, users)
    text = _text(client.get(reverse("person-detail", args=[person.pk])))
    assert person.birth_date.isoformat() not in text
    assert "(hidden)" in text
    client.force_login(users["clerk"])
    assert person.birth_date.isoformat() in _text(
        client.get(reverse("person-detail", args=[person.pk]))
    )


def test_an_organisation_and_a_site_show_their_history(client, users):
    org = make_organisation("历史企业", WUTONG, 32)
    client.force_login(users["wutong"])
    client.post(
        reverse("site-create"),
        {"name": "历史场所", "kind": "premises", "region": WUTONG, "lat": "", "lon": ""},
    )
    text = _text(client.get(reverse("organisation-detail", args=[org.pk])))
    assert "History" in text and "created" in text and "system" in text
    from jiceng.core.models import Site

    site = Site.objects.get(name="历史场所")
    text = _text(client.get(reverse("site-detail", args=[site.pk])))
    assert "wutong" in text and "created" in text


def test_a_reveal_appears_in_the_persons_history(client, users):
    person = make_person("被查看", WUTONG, 33)
    client.force_login(users["clerk"])
    client.post(reverse("person-reveal-id", args=[person.pk]))
    text = _text(client.get(reverse("person-detail", args=[person.pk])))
    assert "Viewed the ID number in clear" in text
    assert "clerk" in text


# --- The audit log --------------------------------------------------------------------------


@pytest.fixture
def logged(users):
    """Entries by two users on two models, one of them backdated three days."""
    from auditlog.context import set_actor

    with set_actor(users["wutong"]):
        wutong_person = make_person("日志甲", WUTONG, 41)
    with set_actor(users["puyuan"]):
        puyuan_org = make_organisation("日志乙厂", PUYUAN, 42)
    old = LogEntry.objects.get_for_object(puyuan_org).get()
    LogEntry.objects.filter(pk=old.pk).update(timestamp=timezone.now() - timedelta(days=3))
    return {"person": wutong_person, "org": puyuan_org}


@pytest.mark.parametrize("username", ["wutong", "clerk", "regulator", "puyuan"])
def test_the_audit_log_is_for_administrators_only(client, users, username):
    client.force_login(users[username])
    assert client.get(reverse("audit-log")).status_code == 403
    assert client.get(reverse("audit-log-export")).status_code == 403


def test_an_administrator_sees_the_audit_log(client, users, logged):
    client.force_login(users["admin"])
    response = client.get(reverse("audit-log"))
    assert response.status_code == 200
    text = _text(response)
    assert "日志甲" in text and "日志乙厂" in text
    assert id_number(41) not in text


def test_the_audit_log_is_queried_by_model_user_dates_and_record(client, users, logged):
    client.force_login(users["admin"])
    url = reverse("audit-log")
    by_model = _text(client.get(url, {"model": "organisation"}))
    assert "日志乙厂" in by_model and "日志甲" not in by_model
    by_user = _text(client.get(url, {"user": "wutong"}))
    assert "日志甲" in by_user and "日志乙厂" not in by_user
    today = timezone.localdate()
    recent = _text(client.get(url, {"date_from": today.isoformat()}))
    assert "日志甲" in recent and "日志乙厂" not in recent
    earlier = (today - timedelta(days=3)).isoformat()
    old = _text(client.get(url, {"date_from": earlier, "date_to": earlier}))
    assert "日志乙厂" in old and "日志甲" not in old
    by_record = _text(client.get(url, {"model": "person", "object": logged["person"].pk}))
    assert "日志甲" in by_record and "日志乙厂" not in by_record


def test_a_reversed_date_range_is_refused(client, users, logged):
    client.force_login(users["admin"])
    response = client.get(
        reverse("audit-log"), {"date_from": "2026-02-02", "date_to": "2026-02-01"}
    )
    assert response.status_code == 400
    assert "start date is after the end date" in _text(response)


def test_the_audit_log_pages_with_a_more_link(client, users):
    from auditlog.context import set_actor

    with set_actor(users["admin"]):
        for n in range(60):
            make_person(f"翻页{n:02d}", WUTONG, 200 + n)
    client.force_login(users["admin"])
    first = client.get(reverse("audit-log"), {"model": "person"})
    assert len(first.context["lines"]) == 50
    cursor = first.context["page"].next_cursor
    more = client.get(
        reverse("audit-log"),
        {"model": "person", "cursor": cursor, "fragment": "rows"},
        headers={"HX-Request": "true"},
    )
    assert len(more.context["lines"]) == 10
    assert "<html" not in _text(more)


def test_the_audit_log_exports_its_query_as_csv(client, users, logged):
    client.force_login(users["admin"])
    response = client.get(reverse("audit-log-export"), {"user": "wutong"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:4] == ["entry", "timestamp", "actor", "action"]
    assert [row[2] for row in rows[1:]] == ["wutong"]
    assert "日志甲" in body
    assert id_number(41) not in body


def test_imports_and_exports_are_in_the_audit_log(client, users):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(users["admin"])
    upload = SimpleUploadedFile(
        "batch.csv", f"name,id_number,region_code\n批量,{id_number(51)},{WUTONG}\n".encode()
    )
    client.post(reverse("people-import"), {"file": upload})
    b"".join(client.get(reverse("people-export"), {"format": "csv"}).streaming_content)
    text = _text(client.get(reverse("audit-log"), {"user": "admin"}))
    assert "Imported from batch.csv" in text
    assert "Exported as CSV" in text
