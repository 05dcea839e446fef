"""In a real browser: sign in, switch language and back, drill from the county into a town and a
village by the table and the map, switch the counted registry, and take screenshots."""

from __future__ import annotations

import datetime
import math
import re
from pathlib import Path
from typing import Any

import pytest

from jiceng.core.models import Organisation, Person, Region, Site

pytestmark = pytest.mark.browser

SCREENSHOTS = Path("/tmp")  # noqa: S108 - screenshots for a person to look at
PHONE = {"width": 390, "height": 844}


def _hexagon(lat: float, lon: float, size: float) -> dict[str, Any]:
    ring = [
        [
            round(lon + size * math.cos(math.pi / 3 * k), 5),
            round(lat + size * math.sin(math.pi / 3 * k) * 0.86, 5),
        ]
        for k in range(6)
    ]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


@pytest.fixture
def county(regions) -> None:
    """Counts in every town, and boundaries for half of them (the rest are drawn as circles)."""
    towns = Region.objects.filter(level="town", code__startswith="330483").order_by("code")
    people, organisations, sites = [], [], []
    n = 0
    for index, town in enumerate(towns):
        if index % 2 == 0 and town.lat is not None:
            Region.objects.filter(code=town.code).update(
                boundary=_hexagon(town.lat, town.lon, 0.022)
            )
        for _ in range(3 + index * 2):
            n += 1
            people.append(
                Person(
                    name=f"居民{n}",
                    id_digest=f"digest-{n}",
                    id_sealed="sealed",
                    id_masked="3304**********001X",
                    gender=Person.Gender.MALE,
                    birth_date=datetime.date(1975, 5, 5),
                    region_id=town.code,
                )
            )
        organisations.append(
            Organisation(name=f"{town.name}企业", kind="enterprise", region_id=town.code)
        )
        sites.append(
            Site(name=f"{town.name}服务站", region_id=town.code, qr_token=f"qr-{town.code}")
        )
    for village, count in (("330483001001", 6), ("330483001201", 4), ("330483001001001", 2)):
        for _ in range(count):
            n += 1
            people.append(
                Person(
                    name=f"居民{n}",
                    id_digest=f"digest-{n}",
                    id_sealed="sealed",
                    id_masked="3304**********002X",
                    gender=Person.Gender.FEMALE,
                    birth_date=datetime.date(1990, 1, 1),
                    region_id=village,
                )
            )
    Person.objects.bulk_create(people)
    Organisation.objects.bulk_create(organisations)
    Site.objects.bulk_create(sites)


def _wait_for_dashboard(page) -> None:
    page.wait_for_selector("#dashboard-chart canvas")
    page.wait_for_selector("#dashboard-map[data-drawn='1']")


def _crumbs(page) -> list[str]:
    return [c.strip() for c in page.locator(".breadcrumbs li").all_inner_texts()]


def test_sign_in_switch_language_and_drill_down(page, page_problems, live_server, users, county):
    base = live_server.url

    # Anonymous: the dashboard sends us to sign in.
    page.goto(base + "/")
    assert "/accounts/login/" in page.url
    assert page.get_attribute("html", "lang") == "zh-hans"
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "pw-admin-2026")
    page.click("form.form button[type=submit]")
    page.wait_for_url(base + "/")
    _wait_for_dashboard(page)
    assert page.inner_text("h1") == "桐乡市"
    assert _crumbs(page) == ["桐乡市"]
    assert page.locator("table.data tbody tr").count() == 11
    # Five towns have a boundary (polygons), six are drawn as circles; all are clickable.
    assert page.locator("#dashboard-map path[data-region]").count() == 11
    page.screenshot(path=str(SCREENSHOTS / "jiceng-desk-county.png"), full_page=True)

    # Language: English, then back to Chinese; the page stays where it was.
    page.click(".language-switch button[value=en]")
    page.wait_for_selector("html[lang=en]")
    assert page.url == base + "/"
    assert page.inner_text(".modules [aria-current=page]") == "Overview"
    _wait_for_dashboard(page)
    page.click(".language-switch button[value=zh-hans]")
    page.wait_for_selector("html[lang=zh-hans]")

    # Drill down by the table into a town.
    page.click("table.data tbody a:text-is('梧桐街道')")
    page.wait_for_url(base + "/region/330483001/")
    _wait_for_dashboard(page)
    assert page.inner_text("h1") == "梧桐街道"
    assert _crumbs(page) == ["桐乡市", "梧桐街道"]
    assert page.locator("table.data tbody tr").count() == 2

    # Switch the counted registry with htmx: only the panel changes, the URL follows.
    page.evaluate("window.stillTheSamePage = true")
    page.click(".segmented a[href$='measure=organisations']")
    page.wait_for_url(re.compile(r".*/region/330483001/\?measure=organisations$"))
    page.wait_for_selector("#dashboard-map[data-measure=organisations][data-drawn='1']")
    page.wait_for_selector("#dashboard-chart canvas")
    assert (
        page.locator(".segmented a[aria-current=true]")
        .get_attribute("href")
        .endswith("measure=organisations")
    )
    assert page.evaluate("window.stillTheSamePage === true")  # swapped by htmx, not reloaded
    page.go_back()
    page.wait_for_url(base + "/region/330483001/")
    _wait_for_dashboard(page)

    # Drill down by the map into a village (drawn as a circle: it has no boundary).
    page.click("#dashboard-map path[data-region='330483001001']")
    page.wait_for_url(re.compile(r".*/region/330483001001/(\?measure=people)?$"))
    _wait_for_dashboard(page)
    assert page.inner_text("h1") == "庆丰社区"
    assert _crumbs(page) == ["桐乡市", "梧桐街道", "庆丰社区"]
    assert page.is_visible("#dashboard-map")
    assert page.is_visible("#dashboard-chart canvas")

    # Back up by the breadcrumbs.
    page.click(".breadcrumbs a:text-is('梧桐街道')")
    page.wait_for_url(base + "/region/330483001/")
    _wait_for_dashboard(page)

    # At phone width the same page works, the navigation scrolls sideways.
    page.set_viewport_size(PHONE)
    page.reload()
    _wait_for_dashboard(page)
    assert page.is_visible(".modules")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(SCREENSHOTS / "jiceng-phone-town.png"), full_page=True)

    assert page_problems == []


def test_the_sign_in_page_at_phone_width_and_a_wrong_password(
    page, page_problems, live_server, users
):
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "not-the-password")
    page.click("form.form button[type=submit]")
    page.wait_for_selector(".alert-error")
    assert "/accounts/login/" in page.url
    page.screenshot(path=str(SCREENSHOTS / "jiceng-phone-login.png"), full_page=True)
    assert page_problems == []


def test_the_dashboard_in_english_at_desk_width(page, page_problems, live_server, users, county):
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", "wutong")
    page.fill("input[name=password]", "pw-wutong-2026")
    page.click("form.form button[type=submit]")
    page.wait_for_url(live_server.url + "/")
    _wait_for_dashboard(page)
    assert page.get_attribute("html", "lang") == "en"
    assert page.inner_text("h1") == "梧桐街道"
    page.click("summary")
    page.wait_for_selector(".user-menu-panel")
    page.screenshot(path=str(SCREENSHOTS / "jiceng-desk-town-en.png"), full_page=True)
    assert page_problems == []
