"""The page shell, sign-in, the language switch and the home dashboard's region drill-down."""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.urls import reverse

from jiceng.core.models import Organisation, Person, Region, Site

WUTONG, PUYUAN = "330483001", "330483101"
QINGFENG, HUXIAO = "330483001001", "330483001201"
NANMEN = "330483101001"


def _person(region: str, n: int) -> Person:
    return Person(
        name=f"居民{n}",
        id_digest=f"digest-{n}",
        id_sealed="sealed",
        id_masked="3304**********001X",
        gender=Person.Gender.FEMALE,
        birth_date=datetime.date(1980, 1, 1),
        region_id=region,
    )


@pytest.fixture
def records(regions):
    """People, organisations and sites spread over towns, villages and a grid."""
    people = {QINGFENG: 3, "330483001001001": 2, HUXIAO: 1, WUTONG: 1, NANMEN: 4, "330483100": 2}
    n = 0
    batch = []
    for region, count in people.items():
        for _ in range(count):
            n += 1
            batch.append(_person(region, n))
    Person.objects.bulk_create(batch)
    Organisation.objects.bulk_create(
        [
            Organisation(name="梧桐一厂", kind="enterprise", region_id=QINGFENG),
            Organisation(name="梧桐二厂", kind="enterprise", region_id=HUXIAO),
            Organisation(name="濮院毛衫", kind="enterprise", region_id=NANMEN),
        ]
    )
    Site.objects.bulk_create(
        [
            Site(name="庆丰服务站", region_id=QINGFENG, qr_token="t1"),
            Site(name="南门服务站", region_id=NANMEN, qr_token="t2"),
            Site(name="南门二站", region_id=NANMEN, qr_token="t3"),
        ]
    )


def _table_counts(html: str) -> dict[str, list[str]]:
    """Sub-region name → its three counts, read from the dashboard's table."""
    rows = re.findall(
        r'<th scope="row"><a href="[^"]+">([^<]+)</a></th>\s*<td[^>]*>[^<]*</td>'
        r"((?:\s*<td[^>]*>[^<]*</td>){3})",
        html,
    )
    return {name: re.findall(r">([^<]*)</td>", cells) for name, cells in rows}


# ---- Access ---------------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_sign_in(client, regions):
    for url in ("/", f"/region/{WUTONG}/", f"/region/{WUTONG}/map.geojson"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login") + "?next=")


def test_a_town_officer_cannot_see_another_towns_dashboard_or_map(client, users):
    client.force_login(users["wutong"])
    for code in (PUYUAN, NANMEN, "330483101001001", "330483"):
        assert client.get(f"/region/{code}/").status_code == 404, code
        assert client.get(f"/region/{code}/map.geojson").status_code == 404, code
        assert client.get(f"/region/{code}/panel/").status_code == 404, code


def test_a_town_officer_sees_their_own_town_and_its_villages(client, users):
    client.force_login(users["wutong"])
    assert client.get(f"/region/{WUTONG}/").status_code == 200
    assert client.get(f"/region/{QINGFENG}/").status_code == 200
    assert client.get(f"/region/{QINGFENG}/map.geojson").status_code == 200


def test_an_unknown_region_is_404_and_a_malformed_code_does_not_route(client, users):
    client.force_login(users["admin"])
    assert client.get("/region/999999/").status_code == 404
    assert client.get("/region/33048/").status_code == 404


def test_an_unknown_registry_to_count_is_a_bad_request(client, users):
    client.force_login(users["admin"])
    assert client.get("/?measure=cats").status_code == 400
    assert client.get(f"/region/{WUTONG}/panel/?measure=cats").status_code == 400


def test_a_user_without_a_region_is_told_so(client, users):
    user = users["wutong"]
    user.region = None
    user.save(update_fields=["region"])
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    assert "未分配辖区" in response.content.decode()  # "No region assigned", as users see it


# ---- Counts and drill-down --------------------------------------------------------------------


def test_the_county_dashboard_counts_each_town(client, users, records):
    client.force_login(users["admin"])
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    counts = _table_counts(html)
    assert len(counts) == 11
    assert counts["梧桐街道"] == ["7", "2", "1"]
    assert counts["濮院镇"] == ["4", "1", "2"]
    assert counts["乌镇镇"] == ["2", "0", "0"]
    assert counts["崇福镇"] == ["0", "0", "0"]
    overview = response.context["overview"]
    assert overview.totals == {"people": 13, "organisations": 3, "sites": 3}


def test_a_town_dashboard_counts_each_village_and_what_is_registered_in_the_town(
    client, users, records
):
    client.force_login(users["wutong"])
    response = client.get(f"/region/{WUTONG}/")
    counts = _table_counts(response.content.decode())
    assert counts == {"庆丰社区": ["5", "1", "1"], "虎啸村": ["1", "1", "0"]}
    overview = response.context["overview"]
    assert overview.totals == {"people": 7, "organisations": 2, "sites": 1}
    assert overview.unassigned == {"people": 1, "organisations": 0, "sites": 0}


def test_the_home_page_of_a_town_officer_is_their_town(client, users, records):
    client.force_login(users["puyuan"])
    response = client.get("/")
    assert response.context["overview"].region.code == PUYUAN
    assert _table_counts(response.content.decode()) == {
        "南门社区": ["4", "1", "2"],
        "新联村": ["0", "0", "0"],
    }


def test_breadcrumbs_start_at_the_users_own_region(client, users):
    client.force_login(users["admin"])
    crumbs = client.get(f"/region/{QINGFENG}/").context["overview"].breadcrumbs
    assert [r.code for r in crumbs] == ["330483", WUTONG, QINGFENG]
    client.force_login(users["wutong"])
    crumbs = client.get(f"/region/{QINGFENG}/").context["overview"].breadcrumbs
    assert [r.code for r in crumbs] == [WUTONG, QINGFENG]


def test_the_table_links_drill_down_into_each_child(client, users):
    client.force_login(users["admin"])
    html = client.get(f"/region/{WUTONG}/").content.decode()
    assert f'href="/region/{QINGFENG}/"' in html
    assert f'href="/region/{HUXIAO}/"' in html


def test_a_grid_has_no_children_but_shows_its_totals(client, users, records):
    client.force_login(users["grid"])
    response = client.get("/")
    assert response.status_code == 200
    overview = response.context["overview"]
    assert overview.region.level == "grid"
    assert overview.children == []
    assert overview.totals["people"] == 2


def test_the_panel_partial_switches_the_counted_registry(client, users, records):
    client.force_login(users["admin"])
    response = client.get("/region/330483/panel/?measure=sites", headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="dashboard-panel"')
    assert "<html" not in html
    chart = json.loads(
        re.search(
            r'<script id="dashboard-chart-data" type="application/json">(.*?)</script>', html
        ).group(1)
    )
    values = dict(zip(chart["names"], chart["values"], strict=True))
    assert values["濮院镇"] == 2
    assert values["梧桐街道"] == 1
    assert chart["urls"][0] == "/region/330483001/?measure=sites"
    assert 'data-measure="sites"' in html


# ---- The map's GeoJSON ----------------------------------------------------------------------


def test_the_map_geojson_has_each_child_with_counts_and_a_drill_down_url(client, users, records):
    Region.objects.filter(code=PUYUAN).update(
        boundary={
            "type": "Polygon",
            "coordinates": [[[120.6, 30.6], [120.7, 30.6], [120.7, 30.7], [120.6, 30.6]]],
        }
    )
    Region.objects.filter(code="330483100").update(lat=None, lon=None)
    client.force_login(users["admin"])
    response = client.get("/region/330483/map.geojson")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    collection = response.json()
    assert collection["type"] == "FeatureCollection"
    by_code = {f["properties"]["code"]: f for f in collection["features"]}
    own = by_code["330483"]
    assert own["properties"]["role"] == "region"
    assert own["properties"]["people"] == 13
    puyuan = by_code[PUYUAN]
    assert puyuan["geometry"]["type"] == "Polygon"
    expected = {
        "role": "child",
        "name": "濮院镇",
        "people": 4,
        "organisations": 1,
        "sites": 2,
        "url": f"/region/{PUYUAN}/",
    }
    assert expected.items() <= puyuan["properties"].items()
    # No boundary: a point at the region's centre; no centre either: no geometry at all.
    assert by_code[WUTONG]["geometry"] == {"type": "Point", "coordinates": [120.566, 30.632]}
    assert by_code["330483100"]["geometry"] is None
    assert len(collection["features"]) == 12


def test_the_map_geojson_of_a_town_officer_holds_only_their_villages(client, users, records):
    client.force_login(users["wutong"])
    collection = client.get(f"/region/{WUTONG}/map.geojson").json()
    codes = [f["properties"]["code"] for f in collection["features"]]
    assert codes == [WUTONG, QINGFENG, HUXIAO]


# ---- Shell, sign-in and language --------------------------------------------------------------


def test_the_shell_has_navigation_user_region_language_switch_and_logout(client, users):
    client.force_login(users["wutong"])
    html = client.get("/").content.decode()
    assert '<html lang="zh-hans">' in html
    assert 'href="/" aria-current="page"' in html  # the overview is the current module
    assert "梧桐街道" in html
    assert f'action="{reverse("set_language")}"' in html
    assert f'action="{reverse("logout")}"' in html
    assert 'hx-headers=\'{"X-CSRFToken": "' in html
    assert "vendor/htmx/htmx.min.js" in html
    # CSP: no inline script code anywhere, only JSON data blocks and external files.
    for tag in re.findall(r"<script[^>]*>", html):
        assert 'type="application/json"' in tag or "src=" in tag, tag


def test_pages_carry_a_strict_content_security_policy(client, users):
    client.force_login(users["admin"])
    policy = client.get("/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-eval" not in policy


def test_the_language_switch_sets_the_language_cookie_and_the_page_language(client, users):
    client.force_login(users["admin"])
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert response.cookies["django_language"].value == "en"
    english = client.get("/").content.decode()
    assert '<html lang="en">' in english
    assert 'aria-current="page">Overview</a>' in english
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert '<html lang="zh-hans">' in client.get("/").content.decode()


def test_the_sign_in_page_renders_with_the_shell(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="username"' in html
    assert 'name="password"' in html
    assert 'name="language"' in html  # the language switch is there before signing in too


def test_signing_in_with_the_right_password_opens_the_dashboard(client, users):
    response = client.post(
        reverse("login"), {"username": "wutong", "password": "pw-wutong-2026"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("home")
    assert response.context["user"].username == "wutong"
    assert response.context["overview"].region.code == WUTONG


def test_signing_in_with_a_wrong_password_fails(client, users):
    response = client.post(reverse("login"), {"username": "wutong", "password": "wrong"})
    assert response.status_code == 200
    assert not response.context["user"].is_authenticated
    assert response.context["form"].non_field_errors()
    assert 'role="alert"' in response.content.decode()


def test_repeated_failures_lock_the_account_out(client, users, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(2):
        response = client.post(reverse("login"), {"username": "wutong", "password": "wrong"})
    assert response.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in response.templates]
    # Even the right password does not get in during the cool-off.
    response = client.post(reverse("login"), {"username": "wutong", "password": "pw-wutong-2026"})
    assert response.status_code == 429


def test_signing_out_is_a_post(client, users):
    client.force_login(users["admin"])
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert client.get("/").status_code == 302


def test_unknown_pages_get_the_shells_not_found_page(client, users):
    client.force_login(users["wutong"])
    response = client.get(f"/region/{PUYUAN}/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()  # "Not found", as users see it


def test_the_totals_link_to_the_registry_lists_narrowed_to_the_region(client, users):
    client.force_login(users["wutong"])
    stats = client.get("/").context["stats"]
    urls = {stat["key"]: stat["url"] for stat in stats}
    assert urls == {
        "people": f"{reverse('people-list')}?region={WUTONG}",
        "organisations": f"{reverse('organisations-list')}?region={WUTONG}",
        "sites": f"{reverse('sites-list')}?region={WUTONG}",
    }
    # The link opens the list (and the list accepts the region).
    assert client.get(urls["people"]).status_code == 200


def test_a_module_whose_pages_do_not_exist_yet_is_left_out_of_the_navigation(
    client, users, monkeypatch
):
    from jiceng.web import navigation

    registry = navigation.REGISTRY.copy()
    registry.add_entries("overview", navigation.Entry("no-such-page", "Nowhere"))
    monkeypatch.setattr(navigation, "REGISTRY", registry)
    client.force_login(users["admin"])
    response = client.get("/")
    assert response.status_code == 200
    names = [item.url_name for item in response.context["nav_items"]]
    assert "no-such-page" not in names
    assert names[0] == "home"


def test_the_ui_speaks_chinese_even_to_an_english_browser_until_the_user_switches(client, users):
    client.force_login(users["admin"])
    page = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert '<html lang="zh-hans">' in page.content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert '<html lang="en">' in client.get("/").content.decode()
