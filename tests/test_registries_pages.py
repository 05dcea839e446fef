"""The registry pages: lists, search, record pages, forms and the ID-number reveal, each seen by
users of different towns and roles."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import translation

from jiceng.core.models import Organisation, Person, Site
from tests.registry_factories import (
    PUYUAN,
    PUYUAN_VILLAGE,
    WUTONG,
    WUTONG_VILLAGE,
    credit_code,
    id_number,
    make_organisation,
    make_person,
    make_site,
)

HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def _pages_in_english(settings):
    """Messages are asserted in English, whatever catalogues the default language has."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def records(users):
    """One person, organisation and site in 梧桐 and one of each in 濮院."""
    return {
        "wutong_person": make_person("王小梧", WUTONG_VILLAGE, 1, phone="13800000001"),
        "puyuan_person": make_person("李小濮", PUYUAN_VILLAGE, 2, phone="13800000002"),
        "wutong_org": make_organisation("梧桐织造有限公司", WUTONG, 11, industry="纺织"),
        "puyuan_org": make_organisation("濮院毛衫有限公司", PUYUAN, 12, industry="毛衫"),
        "wutong_site": make_site("梧桐文化礼堂", WUTONG_VILLAGE, kind="public"),
        "puyuan_site": make_site("濮院羊毛衫市场", PUYUAN, kind="premises"),
    }


def _text(response) -> str:
    return response.content.decode()


# --- Access ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["people-list", "organisations-list", "sites-list"])
def test_lists_ask_anonymous_visitors_to_sign_in(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    ("name", "own", "other"),
    [
        ("people-list", "王小梧", "李小濮"),
        ("organisations-list", "梧桐织造有限公司", "濮院毛衫有限公司"),
        ("sites-list", "梧桐文化礼堂", "濮院羊毛衫市场"),
    ],
)
def test_a_town_officer_lists_only_their_own_town(client, users, records, name, own, other):
    client.force_login(users["wutong"])
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert own in _text(response)
    assert other not in _text(response)


def test_the_county_administrator_lists_every_town(client, users, records):
    client.force_login(users["admin"])
    text = _text(client.get(reverse("people-list")))
    assert "王小梧" in text and "李小濮" in text


@pytest.mark.parametrize(
    ("name", "record"),
    [
        ("person-detail", "puyuan_person"),
        ("organisation-detail", "puyuan_org"),
        ("site-detail", "puyuan_site"),
        ("person-edit", "puyuan_person"),
        ("organisation-edit", "puyuan_org"),
        ("site-edit", "puyuan_site"),
    ],
)
def test_another_towns_record_is_not_found(client, users, records, name, record):
    client.force_login(users["wutong"])
    response = client.get(reverse(name, args=[records[record].pk]))
    assert response.status_code == 404


def test_a_grid_worker_does_not_see_the_rest_of_the_town(client, users, records):
    elsewhere = make_person("赵虎啸", "330483001201", 3)
    client.force_login(users["grid"])
    assert client.get(reverse("person-detail", args=[elsewhere.pk])).status_code == 404
    assert "赵虎啸" not in _text(client.get(reverse("people-list")))


@pytest.mark.parametrize(
    ("name", "record"),
    [("person-detail", "wutong_person"), ("organisation-detail", "wutong_org")],
)
def test_own_town_records_open(client, users, records, name, record):
    client.force_login(users["wutong"])
    response = client.get(reverse(name, args=[records[record].pk]))
    assert response.status_code == 200
    assert records[record].name in _text(response)


# --- Search, filters, paging ----------------------------------------------------------------


def test_people_are_found_by_the_start_of_their_name(client, users, records):
    make_person("王大梧", WUTONG, 4)
    client.force_login(users["wutong"])
    text = _text(client.get(reverse("people-list"), {"q": "王小"}))
    assert "王小梧" in text
    assert "王大梧" not in text


def test_a_search_never_finds_another_towns_people(client, users, records):
    client.force_login(users["wutong"])
    response = client.get(reverse("people-list"), {"q": "李小濮"})
    assert reverse("person-detail", args=[records["puyuan_person"].pk]) not in _text(response)
    assert "Nothing found" in _text(response)


def test_finding_a_person_by_id_number_opens_their_page(client, users, records):
    client.force_login(users["wutong"])
    response = client.post(reverse("people-find"), {"id_number": id_number(1)})
    assert response.status_code == 302
    assert response.url == reverse("person-detail", args=[records["wutong_person"].pk])


def test_finding_another_towns_person_by_id_number_finds_nobody(client, users, records):
    client.force_login(users["wutong"])
    response = client.post(reverse("people-find"), {"id_number": id_number(2)})
    assert response.status_code == 400
    assert "Nobody with this ID number" in _text(response)
    assert "李小濮" not in _text(response)


def test_finding_by_a_malformed_id_number_says_which_check_failed(client, users, records):
    client.force_login(users["wutong"])
    wrong = id_number(1)[:17] + ("0" if id_number(1)[17] != "0" else "1")
    response = client.post(reverse("people-find"), {"id_number": wrong})
    assert response.status_code == 400
    assert "check character" in _text(response)


def test_organisations_are_found_by_credit_code_and_filtered_by_kind(client, users, records):
    make_organisation("梧桐街道办事处", WUTONG, 13, kind="department")
    client.force_login(users["wutong"])
    text = _text(client.get(reverse("organisations-list"), {"q": credit_code(11)}))
    assert "梧桐织造有限公司" in text
    assert "梧桐街道办事处" not in text
    text = _text(client.get(reverse("organisations-list"), {"kind": "department"}))
    assert "梧桐街道办事处" in text
    assert "梧桐织造有限公司" not in text


def test_the_region_filter_narrows_within_scope_and_cannot_widen_it(client, users, records):
    make_person("钱社区", WUTONG_VILLAGE, 5)
    make_person("孙街道", WUTONG, 6)
    client.force_login(users["wutong"])
    text = _text(client.get(reverse("people-list"), {"region": WUTONG_VILLAGE}))
    assert "钱社区" in text and "孙街道" not in text
    text = _text(client.get(reverse("people-list"), {"region": PUYUAN}))
    assert reverse("person-detail", args=[records["puyuan_person"].pk]) not in text


def test_a_live_search_answers_with_the_results_only(client, users, records):
    client.force_login(users["wutong"])
    response = client.get(reverse("sites-list"), {"q": "礼堂"}, headers=HTMX)
    assert response.status_code == 200
    text = _text(response)
    assert "梧桐文化礼堂" in text
    assert "<html" not in text
    assert "HX-Request" in response["Vary"]


def test_long_lists_page_with_a_more_link_without_counting(
    client, users, django_assert_max_num_queries
):
    for sequence in range(55):
        region = (WUTONG, WUTONG_VILLAGE, "330483001201")[sequence % 3]
        make_person(f"周{sequence:02d}", region, 100 + sequence)
    client.force_login(users["wutong"])
    first = client.get(reverse("people-list"))
    first_names = {f"周{n:02d}" for n in range(55) if f"周{n:02d}" in _text(first)}
    assert len(first_names) == 50
    assert first.context["page"].next_cursor is not None
    more = client.get(
        reverse("people-list"),
        {"cursor": first.context["page"].next_cursor, "fragment": "rows"},
        headers=HTMX,
    )
    rest = {f"周{n:02d}" for n in range(55) if f"周{n:02d}" in _text(more)}
    assert len(rest) == 5
    assert not rest & first_names
    assert "<table" not in _text(more)
    with django_assert_max_num_queries(12) as captured:
        client.get(reverse("people-list"))
    assert not any(
        "COUNT(" in q["sql"].upper() and "core_person" in q["sql"]
        for q in captured.captured_queries
    )


# --- ID numbers -----------------------------------------------------------------------------


def test_pages_show_id_numbers_masked(client, users, records):
    person = records["wutong_person"]
    client.force_login(users["clerk"])
    for url in (reverse("people-list"), reverse("person-detail", args=[person.pk])):
        text = _text(client.get(url))
        assert person.id_masked in text
        assert id_number(1) not in text


def test_a_person_page_hides_the_birth_date_from_roles_that_do_not_read_id_numbers(
    client, users, records
):
    person = records["wutong_person"]
    client.force_login(users["wutong"])
    text = _text(client.get(reverse("person-detail", args=[person.pk])))
    assert "1980-05-17" not in text
    assert "Reveal" not in text


def test_a_window_clerk_reveals_an_id_number_and_the_reveal_is_recorded(client, users, records):
    person = records["wutong_person"]
    client.force_login(users["clerk"])
    page = _text(client.get(reverse("person-detail", args=[person.pk])))
    assert reverse("person-reveal-id", args=[person.pk]) in page
    response = client.post(reverse("person-reveal-id", args=[person.pk]), headers=HTMX)
    assert response.status_code == 200
    assert id_number(1) in _text(response)
    assert "no-store" in response["Cache-Control"]
    entry = LogEntry.objects.get(action=LogEntry.Action.ACCESS, object_id=person.pk)
    assert entry.actor == users["clerk"]
    assert id_number(1) not in str(entry.changes) + entry.object_repr


def test_a_reveal_without_htmx_shows_the_whole_page(client, users, records):
    person = records["wutong_person"]
    client.force_login(users["admin"])
    response = client.post(reverse("person-reveal-id", args=[person.pk]))
    assert response.status_code == 200
    assert id_number(1) in _text(response)
    assert "<html" in _text(response)


def test_a_town_officer_may_not_reveal_id_numbers(client, users, records):
    person = records["wutong_person"]
    client.force_login(users["wutong"])
    response = client.post(reverse("person-reveal-id", args=[person.pk]))
    assert response.status_code == 403
    assert id_number(1) not in _text(response)
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()


def test_a_clerk_cannot_reveal_another_towns_person(client, users, records):
    client.force_login(users["clerk"])
    response = client.post(reverse("person-reveal-id", args=[records["puyuan_person"].pk]))
    assert response.status_code == 404


def test_revealing_needs_a_post(client, users, records):
    client.force_login(users["clerk"])
    response = client.get(reverse("person-reveal-id", args=[records["wutong_person"].pk]))
    assert response.status_code == 405


# --- Create and edit ------------------------------------------------------------------------


def test_a_town_officer_registers_a_person(client, users, regions):
    client.force_login(users["wutong"])
    assert client.get(reverse("person-create")).status_code == 200
    response = client.post(
        reverse("person-create"),
        {"name": "陈新", "id_number": id_number(7), "region": WUTONG_VILLAGE, "phone": ""},
    )
    person = Person.objects.get(name="陈新")
    assert response.status_code == 302
    assert response.url == reverse("person-detail", args=[person.pk])
    assert person.region_id == WUTONG_VILLAGE
    assert person.id_masked == id_number(7)[:6] + "********" + id_number(7)[14:]


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("33048319800517001", "18 characters"),
        ("3304831980051700AX", "17 digits"),
        ("990483198005170011", "no province code"),
        ("330483198002300011", "impossible birth date"),
    ],
)
def test_a_bad_id_number_is_refused_with_the_check_that_failed(
    client, users, regions, bad, message
):
    client.force_login(users["wutong"])
    response = client.post(
        reverse("person-create"), {"name": "陈新", "id_number": bad, "region": WUTONG}
    )
    assert response.status_code == 400
    assert message in _text(response)
    assert not Person.objects.exists()


def test_a_wrong_check_character_is_named(client, users, regions):
    good = id_number(8)
    wrong = good[:17] + ("1" if good[17] != "1" else "2")
    client.force_login(users["wutong"])
    response = client.post(
        reverse("person-create"), {"name": "陈新", "id_number": wrong, "region": WUTONG}
    )
    assert response.status_code == 400
    assert f"should be {good[17]}" in _text(response)


def test_registering_into_another_town_is_refused(client, users, regions):
    client.force_login(users["wutong"])
    response = client.post(
        reverse("person-create"), {"name": "陈新", "id_number": id_number(9), "region": PUYUAN}
    )
    assert response.status_code == 400
    assert not Person.objects.exists()
    assert f'value="{PUYUAN}"' not in _text(client.get(reverse("person-create")))


def test_a_person_registered_twice_is_refused(client, users, records):
    client.force_login(users["wutong"])
    response = client.post(
        reverse("person-create"), {"name": "重复", "id_number": id_number(2), "region": WUTONG}
    )
    assert response.status_code == 400
    assert "is registered" in _text(response)


def test_a_regulator_reads_but_cannot_write(client, users, records):
    client.force_login(users["regulator"])
    listing = _text(client.get(reverse("people-list")))
    assert "王小梧" in listing
    assert reverse("person-create") not in listing
    assert reverse("people-import") not in listing
    detail = client.get(reverse("organisation-detail", args=[records["wutong_org"].pk]))
    assert reverse("organisation-edit", args=[records["wutong_org"].pk]) not in _text(detail)
    for url in (
        reverse("person-create"),
        reverse("organisation-create"),
        reverse("site-create"),
        reverse("person-edit", args=[records["wutong_person"].pk]),
        reverse("site-edit", args=[records["wutong_site"].pk]),
    ):
        assert client.get(url).status_code == 403, url
    response = client.post(
        reverse("organisation-edit", args=[records["wutong_org"].pk]),
        {"name": "改名", "kind": "enterprise", "region": WUTONG, "credit_code": credit_code(11)},
    )
    assert response.status_code == 403
    assert Organisation.objects.get(pk=records["wutong_org"].pk).name == "梧桐织造有限公司"


def test_an_organisation_is_edited(client, users, records):
    org = records["wutong_org"]
    client.force_login(users["wutong"])
    form = client.get(reverse("organisation-edit", args=[org.pk]))
    assert credit_code(11) in _text(form)
    response = client.post(
        reverse("organisation-edit", args=[org.pk]),
        {
            "name": "梧桐织造股份有限公司",
            "kind": "enterprise",
            "credit_code": credit_code(11),
            "region": WUTONG_VILLAGE,
            "employees": "120",
        },
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert (org.name, org.region_id, org.employees) == ("梧桐织造股份有限公司", WUTONG_VILLAGE, 120)


def test_a_bad_credit_code_is_refused_with_the_check_that_failed(client, users, records):
    org = records["wutong_org"]
    good = credit_code(11)
    client.force_login(users["wutong"])
    response = client.post(
        reverse("organisation-edit", args=[org.pk]),
        {"name": org.name, "kind": "enterprise", "credit_code": good[:-1] + "I", "region": WUTONG},
    )
    assert response.status_code == 400
    assert "may not use: I" in _text(response)
    org.refresh_from_db()
    assert org.credit_code == good


def test_an_organisation_is_registered_with_an_n_prefixed_credit_code(client, users, regions):
    code = credit_code(21, authority="N", kind="2")
    client.force_login(users["wutong"])
    response = client.post(
        reverse("organisation-create"),
        {
            "name": "庆丰股份经济合作社",
            "kind": "rural_collective",
            "credit_code": code,
            "region": WUTONG_VILLAGE,
        },
    )
    assert response.status_code == 302
    assert Organisation.objects.get(credit_code=code).kind == "rural_collective"


def test_a_site_is_registered_and_moved(client, users, records):
    client.force_login(users["wutong"])
    response = client.post(
        reverse("site-create"),
        {
            "name": "庆丰充电棚",
            "kind": "public",
            "region": WUTONG_VILLAGE,
            "lat": "30.63",
            "lon": "120.56",
            "organisation_credit_code": credit_code(11),
        },
    )
    assert response.status_code == 302
    site = Site.objects.get(name="庆丰充电棚")
    assert site.organisation == records["wutong_org"]
    response = client.post(
        reverse("site-edit", args=[site.pk]),
        {"name": "庆丰充电棚", "kind": "public", "region": "330483001201"},
    )
    assert response.status_code == 302
    site.refresh_from_db()
    assert (site.region_id, site.lat, site.organisation) == ("330483001201", None, None)


def test_a_site_cannot_belong_to_another_towns_organisation(client, users, records):
    client.force_login(users["wutong"])
    response = client.post(
        reverse("site-create"),
        {
            "name": "借名场所",
            "kind": "premises",
            "region": WUTONG,
            "organisation_credit_code": credit_code(12),
        },
    )
    assert response.status_code == 400
    assert "No organisation with credit code" in _text(response)
    assert not Site.objects.filter(name="借名场所").exists()


def test_half_a_coordinate_pair_is_refused(client, users, regions):
    client.force_login(users["wutong"])
    response = client.post(
        reverse("site-create"), {"name": "半坐标", "kind": "public", "region": WUTONG, "lat": "30"}
    )
    assert response.status_code == 400
    assert "both latitude and longitude" in _text(response)


def test_moving_a_record_into_another_town_is_refused(client, users, records):
    org = records["wutong_org"]
    client.force_login(users["wutong"])
    response = client.post(
        reverse("organisation-edit", args=[org.pk]),
        {"name": org.name, "kind": "enterprise", "credit_code": credit_code(11), "region": PUYUAN},
    )
    assert response.status_code == 400
    org.refresh_from_db()
    assert org.region_id == WUTONG
