"""Pages of the service network: the catalogue and its administration, points, hall set-up and
handling records, each within the user's scope."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from jiceng.hall.models import HallDay, HandlingRecord, ServiceItem, SessionPlan, TidalRule, Window
from jiceng.hall.services.network import point_create, point_staff_set
from tests.registry_factories import id_number, make_organisation, make_person


@pytest.fixture
def bank(network):
    """A bank outlet in a 梧桐 village with the clerk on its staff, and one in 濮院."""
    wutong_bank = point_create(
        actor=None,
        code="330483001-BANK1",
        name="农商银行梧桐支行",
        kind="bank_outlet",
        region_code="330483001001",
        lat=30.63,
        lon=120.57,
        opening_hours="周一至周五 8:30-17:00",
    )
    puyuan_bank = point_create(
        actor=None,
        code="330483101-BANK1",
        name="农商银行濮院支行",
        kind="bank_outlet",
        region_code="330483101001",
        lat=30.69,
        lon=120.63,
    )
    point_staff_set(actor=None, point=wutong_bank, users=[network.users["clerk"]])
    return {"wutong": wutong_bank, "puyuan": puyuan_bank}


def _record_form(item: str = "YB15", **changes: str) -> dict[str, str]:
    ended = timezone.localtime().replace(second=0, microsecond=0) - timedelta(minutes=5)
    started = ended - timedelta(minutes=8)
    data = {
        "item": item,
        "id_number": "",
        "credit_code": "",
        "started_at": started.strftime("%Y-%m-%dT%H:%M"),
        "ended_at": ended.strftime("%Y-%m-%dT%H:%M"),
        "outcome": "done",
        "note": "",
        "idempotency_key": "key-" + item + changes.get("id_number", "") + str(len(changes)),
    }
    data.update(changes)
    return data


# --- the catalogue ----------------------------------------------------------------------------


def test_the_catalogue_lists_the_items_with_filters(client, network, users):
    client.force_login(users["wutong"])
    page = client.get(reverse("hall-network"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "YB15" in text and "Edit" not in text  # a town officer does not edit the catalogue
    enterprise = client.get(reverse("hall-network"), {"audience": "enterprise"}).content.decode()
    persons = ServiceItem.objects.filter(audience="person").values_list("code", flat=True)
    assert not any(f'<td class="code">{code}</td>' in enterprise for code in persons)


def test_an_administrator_edits_an_item(client, network, users):
    client.force_login(users["admin"])
    url = reverse("hall-item-edit", args=["YB15"])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "name": "新名称",
            "name_en": "",
            "high_frequency": "on",
            "standard_minutes": "9",
            "promised_workdays": "0",
            "materials": "身份证\n社保卡\n",
            "point_kinds": ["county_center", "town_center"],
            "group": "A",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    item = ServiceItem.objects.get(code="YB15")
    assert (item.name, item.standard_minutes, item.materials) == ("新名称", 9, ["身份证", "社保卡"])
    assert item.point_kinds == ["county_center", "town_center"]


def test_a_catalogue_edit_by_a_town_officer_is_refused_and_changes_nothing(client, network, users):
    before = ServiceItem.objects.get(code="YB15")
    client.force_login(users["wutong"])
    url = reverse("hall-item-edit", args=["YB15"])
    assert client.get(url).status_code == 403
    response = client.post(
        url,
        {
            "name": "改掉",
            "standard_minutes": "1",
            "promised_workdays": "0",
            "point_kinds": ["town_center"],
            "group": "A",
        },
    )
    assert response.status_code == 403
    after = ServiceItem.objects.get(code="YB15")
    assert (after.name, after.standard_minutes) == (before.name, before.standard_minutes)
    assert client.post(reverse("hall-catalogue-reload")).status_code == 403


def test_a_bad_item_edit_is_a_form_error(client, network, users):
    client.force_login(users["admin"])
    response = client.post(
        reverse("hall-item-edit", args=["YB15"]),
        {"name": "x", "standard_minutes": "0", "promised_workdays": "0", "group": "A"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors.keys() >= {"standard_minutes", "point_kinds"}
    assert ServiceItem.objects.get(code="YB15").name != "x"


def test_an_administrator_reloads_the_catalogue_from_the_reference_file(client, network, users):
    ServiceItem.objects.filter(code="YB15").update(standard_minutes=99)
    client.force_login(users["admin"])
    response = client.post(reverse("hall-catalogue-reload"))
    assert response.status_code == 302
    assert ServiceItem.objects.get(code="YB15").standard_minutes != 99


def test_a_bad_catalogue_file_is_refused_with_the_reason_and_changes_nothing(
    client, network, users
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(users["admin"])
    upload = SimpleUploadedFile("items.csv", b"code,name\nYB15,x\n", content_type="text/csv")
    response = client.post(reverse("hall-catalogue-reload"), {"file": upload})
    assert response.status_code == 400
    assert "Missing columns" in response.content.decode()
    assert ServiceItem.objects.get(code="YB15").name != "x"


# --- points -----------------------------------------------------------------------------------


def test_a_wutong_officer_sees_the_points_of_wutong_only(client, network, bank, users):
    client.force_login(users["wutong"])
    page = client.get(reverse("hall-points")).content.decode()
    assert "农商银行梧桐支行" in page and "梧桐街道便民服务中心" in page
    assert "濮院" not in page
    banks = client.get(reverse("hall-points"), {"kind": "bank_outlet"}).content.decode()
    assert "农商银行梧桐支行" in banks and "梧桐街道便民服务中心" not in banks
    assert client.get(reverse("hall-point", args=[bank["puyuan"].pk])).status_code == 404
    assert client.get(reverse("hall-setup", args=[network.puyuan.pk])).status_code == 404
    window = network.puyuan_windows[1]
    assert client.get(reverse("hall-window-sessions", args=[window.pk])).status_code == 404


def test_the_point_page_shows_hours_items_staff_and_map_data(client, network, bank, users):
    client.force_login(users["wutong"])
    page = client.get(reverse("hall-point", args=[bank["wutong"].pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "周一至周五 8:30-17:00" in text and "YB15" in text and "clerk" in text
    assert page.context["map_data"]["point"] == [30.63, 120.57]
    assert 'id="point-map-data"' in text
    assert "<script>" not in text.replace('<script type="application/json"', "")  # CSP


def test_a_manager_sets_the_items_and_staff_of_a_point(client, network, bank, users):
    point = bank["wutong"]
    url = reverse("hall-point", args=[point.pk])
    client.force_login(users["wutong"])
    page = client.get(url)
    offered = [code for code, _label in page.context["items_form"].fields["items"].choices]
    assert offered and all(
        "bank_outlet" in ServiceItem.objects.get(code=code).point_kinds for code in offered
    )
    response = client.post(url, {"action": "items", "items": offered[:2]})
    assert response.status_code == 302
    assert sorted(point.items.values_list("code", flat=True)) == sorted(offered[:2])
    county_only = next(
        (i for i in ServiceItem.objects.all() if "bank_outlet" not in i.point_kinds), None
    )
    if county_only is not None:
        refused = client.post(url, {"action": "items", "items": [county_only.code]})
        assert refused.status_code == 400
        assert sorted(point.items.values_list("code", flat=True)) == sorted(offered[:2])
    candidates = dict(page.context["staff_form"].fields["staff"].choices)
    assert users["clerk"].pk in candidates and users["puyuan"].pk not in candidates
    clerk2 = network.users["clerk2"]
    response = client.post(url, {"action": "staff", "staff": [clerk2.pk]})
    assert response.status_code == 302
    assert list(point.staff.all()) == [clerk2]


def test_only_managers_of_the_place_change_a_point(client, network, bank, users):
    client.force_login(users["clerk"])
    url = reverse("hall-point", args=[bank["wutong"].pk])
    assert "items_form" not in client.get(url).context
    assert client.post(url, {"action": "items", "items": []}).status_code == 403
    client.force_login(users["wutong"])
    other = reverse("hall-point", args=[bank["puyuan"].pk])
    assert client.post(other, {"action": "items", "items": []}).status_code == 404
    assert bank["wutong"].items.exists() and bank["puyuan"].items.exists()


# --- handling records ---------------------------------------------------------------------------


def test_a_bank_clerk_records_an_item_and_sees_it_listed_with_the_id_masked(
    client, network, bank, users
):
    person = make_person("张三", "330483001001001", 7)
    client.force_login(users["clerk"])
    url = reverse("hall-point-records", args=[bank["wutong"].pk])
    form = client.get(url)
    assert form.status_code == 200 and form.context["form"] is not None
    response = client.post(url, _record_form(id_number=id_number(7)))
    assert response.status_code == 302
    record = HandlingRecord.objects.get()
    assert (record.point_id, record.item.code, record.person_id) == (
        bank["wutong"].pk,
        "YB15",
        person.pk,
    )
    assert record.seconds == 8 * 60 and record.clerk == users["clerk"]
    listing = client.get(url).content.decode()
    assert person.id_masked in listing and id_number(7) not in listing


def test_an_enterprise_is_recorded_by_its_credit_code(client, network, bank, users):
    organisation = make_organisation("桐乡某纺织有限公司", "330483001", 11)
    client.force_login(users["clerk"])
    url = reverse("hall-point-records", args=[bank["wutong"].pk])
    response = client.post(url, _record_form(credit_code=organisation.credit_code or ""))
    assert response.status_code == 302
    assert HandlingRecord.objects.get().organisation_id == organisation.pk


def test_a_bad_id_number_is_a_form_error_and_nothing_is_stored(client, network, bank, users):
    client.force_login(users["clerk"])
    url = reverse("hall-point-records", args=[bank["wutong"].pk])
    bad = id_number(7)[:-1] + ("0" if id_number(7)[-1] != "0" else "1")
    response = client.post(url, _record_form(id_number=bad))
    assert response.status_code == 400
    assert "check character" in " ".join(response.context["form"].errors["id_number"])
    response = client.post(url, _record_form(id_number="12345"))
    assert response.status_code == 400 and "id_number" in response.context["form"].errors
    unknown = client.post(url, _record_form(id_number=id_number(99)))  # valid, not registered
    assert unknown.status_code == 400 and "id_number" in unknown.context["form"].errors
    assert HandlingRecord.objects.count() == 0


def test_times_the_wrong_way_round_are_refused(client, network, bank, users):
    client.force_login(users["clerk"])
    url = reverse("hall-point-records", args=[bank["wutong"].pk])
    data = _record_form()
    data["started_at"], data["ended_at"] = data["ended_at"], data["started_at"]
    response = client.post(url, data)
    assert response.status_code == 400 and "ended_at" in response.context["form"].errors
    future = (timezone.localtime() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(url, _record_form(ended_at=future))
    assert response.status_code == 400 and "ended_at" in response.context["form"].errors
    assert HandlingRecord.objects.count() == 0


def test_the_same_record_form_sent_twice_is_recorded_once(client, network, bank, users):
    client.force_login(users["clerk"])
    url = reverse("hall-point-records", args=[bank["wutong"].pk])
    data = _record_form(idempotency_key="same-key-twice")
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    assert HandlingRecord.objects.count() == 1
    cache.clear()  # as if the second request reached another app process
    assert client.post(url, data).status_code == 302
    assert HandlingRecord.objects.count() == 1
    assert client.post(url, data | {"idempotency_key": "another", "outcome": "referred"})
    assert HandlingRecord.objects.count() == 1  # same clerk, item and times: the same record


def test_a_wutong_user_cannot_see_or_record_at_a_puyuan_point(client, network, bank, users):
    HandlingRecord.objects.create(
        point=bank["puyuan"],
        channel="counter",
        item=ServiceItem.objects.get(code="YB15"),
        day=timezone.localdate(),
        hour=9,
        started_at=timezone.now() - timedelta(minutes=10),
        ended_at=timezone.now(),
        seconds=600,
        outcome="done",
    )
    url = reverse("hall-point-records", args=[bank["puyuan"].pk])
    for name in ("wutong", "clerk"):
        client.force_login(users[name])
        assert client.get(url).status_code == 404
        assert client.post(url, _record_form()).status_code == 404
    assert HandlingRecord.objects.count() == 1


def test_a_user_who_may_not_record_sees_the_list_without_the_form(client, network, bank, users):
    client.force_login(users["regulator"])
    url = reverse("hall-point-records", args=[bank["wutong"].pk])
    page = client.get(url)
    assert page.status_code == 200 and page.context["form"] is None
    assert client.post(url, _record_form()).status_code == 403
    assert HandlingRecord.objects.count() == 0


# --- hall set-up ------------------------------------------------------------------------------


def test_a_manager_adds_a_window_a_tidal_rule_and_a_day_of_exception(client, network, users):
    hall = network.wutong
    url = reverse("hall-setup", args=[hall.pk])
    client.force_login(users["wutong"])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"action": "window_add", "number": "5", "name": "潮汐二号", "groups": ["A", "C"]}
    )
    assert response.status_code == 302
    window = Window.objects.get(hall=hall, number=5)
    assert window.default_groups == ["A", "C"] and not window.is_tidal
    duplicate = client.post(url, {"action": "window_add", "number": "5", "groups": ["A"]})
    assert duplicate.status_code == 400 and "number" in duplicate.context["window_form"].errors
    response = client.post(
        url,
        {
            "action": "window_edit",
            "window_id": str(window.pk),
            f"w{window.pk}-window": str(window.pk),
            f"w{window.pk}-name": "潮汐二号",
            f"w{window.pk}-groups": ["B"],
            f"w{window.pk}-is_tidal": "on",
        },
    )
    assert response.status_code == 302
    window.refresh_from_db()
    assert window.default_groups == ["B"] and window.is_tidal
    response = client.post(
        url, {"action": "rule", "group": "A", "waiting_more_than": "8", "is_active": "on"}
    )
    assert response.status_code == 302
    assert TidalRule.objects.get(hall=hall).waiting_more_than == 8
    response = client.post(
        url, {"action": "day", "date": "2026-10-08", "is_open": "0", "note": "内部培训"}
    )
    assert response.status_code == 302
    assert HallDay.objects.get(hall=hall).is_open is False


def test_a_clerk_sees_the_set_up_but_may_not_change_it(client, network, users):
    client.force_login(users["clerk"])
    url = reverse("hall-setup", args=[network.wutong.pk])
    page = client.get(url)
    assert page.status_code == 200 and not page.context["manages"]
    response = client.post(url, {"action": "rule", "group": "A", "waiting_more_than": "3"})
    assert response.status_code == 403
    assert not TidalRule.objects.exists()


def test_a_manager_sets_a_windows_weekly_plan_with_tidal_sessions(client, network, users):
    window = network.windows[4]
    url = reverse("hall-window-sessions", args=[window.pk])
    client.force_login(users["wutong"])
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["formset"].initial_form_count() == 10  # the regular week
    rows = [
        (0, "early", "07:30", "08:30"),
        (0, "regular", "08:30", "12:00"),
        (0, "noon", "12:00", "13:30"),
        (5, "saturday", "09:00", "12:00"),
    ]
    data = {"s-TOTAL_FORMS": "6", "s-INITIAL_FORMS": "0", "valid_from": ""}
    for i, (day, kind, starts, ends) in enumerate(rows):
        data |= {
            f"s-{i}-weekday": str(day),
            f"s-{i}-kind": kind,
            f"s-{i}-starts": starts,
            f"s-{i}-ends": ends,
        }
    for i in (4, 5):  # rows left blank
        data |= {f"s-{i}-weekday": "", f"s-{i}-kind": "", f"s-{i}-starts": "", f"s-{i}-ends": ""}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["formset"].errors
    plan = list(SessionPlan.objects.filter(window=window).values_list("weekday", "kind"))
    assert sorted(plan) == sorted((d, k) for d, k, _s, _e in rows)


def test_overlapping_sessions_are_refused_and_the_plan_is_kept(client, network, users):
    window = network.windows[4]
    before = SessionPlan.objects.filter(window=window).count()
    client.force_login(users["wutong"])
    data = {"s-TOTAL_FORMS": "2", "s-INITIAL_FORMS": "0", "valid_from": ""}
    for i, (starts, ends) in enumerate((("08:00", "10:00"), ("09:00", "11:00"))):
        data |= {
            f"s-{i}-weekday": "1",
            f"s-{i}-kind": "regular",
            f"s-{i}-starts": starts,
            f"s-{i}-ends": ends,
        }
    response = client.post(reverse("hall-window-sessions", args=[window.pk]), data)
    assert response.status_code == 400
    assert "overlap" in response.content.decode()
    assert SessionPlan.objects.filter(window=window).count() == before


def test_pages_need_a_sign_in(client, network):
    response = client.get(reverse("hall-network"))
    assert response.status_code == 302 and "login" in response["Location"]
