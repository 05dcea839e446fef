"""In a real browser: a bank clerk records a handled item at phone width (a wrong ID number
first), and an administrator sees the point's map, the KPI charts and the service-circle map."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from jiceng.hall.services.network import point_create, point_staff_set
from jiceng.hall.services.travel import travel_model_set
from tests.hall.conftest import network  # noqa: F401 - the fixture
from tests.registry_factories import id_number, make_person

pytestmark = pytest.mark.browser

SCREENSHOTS = Path("/tmp")  # noqa: S108 - screenshots for a person to look at
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def outlet(network):  # noqa: F811 - the fixture imported above
    bank = point_create(
        actor=None,
        code="330483001-BANK1",
        name="农商银行梧桐支行",
        kind="bank_outlet",
        region_code="330483001001",
        lat=30.63,
        lon=120.57,
    )
    point_staff_set(actor=None, point=bank, users=[network.users["clerk"]])
    travel_model_set(
        actor=None,
        valid_from=date(2026, 1, 1),
        detour_factor=1.0,
        speed_kmh=6.0,
        threshold_minutes=10,
    )
    make_person("张三", "330483001001001", 7)
    return bank


def _sign_in(page: Any, base: str, username: str) -> None:
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", f"pw-{username}-2026")
    page.click("form.form button[type=submit]")
    page.wait_for_url(base + "/")


def _wait_until(page: Any, script: str, seconds: float = 10) -> Any:
    """Poll a script in the page (wait_for_function with a string is blocked by the CSP)."""
    deadline = time.monotonic() + seconds
    while True:
        value = page.evaluate(script)
        if value or time.monotonic() > deadline:
            return value
        page.wait_for_timeout(100)


def test_a_bank_clerk_records_an_item_on_a_phone(
    browser, live_server, outlet, page_problems, vendor_assets
):
    base = live_server.url
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    page.on("pageerror", lambda error: page_problems.append(f"page error: {error}"))
    _sign_in(page, base, "clerk")
    page.goto(f"{base}/hall/network/points/{outlet.pk}/records/")
    wrong = id_number(7)[:-1] + ("0" if id_number(7)[-1] != "0" else "1")
    page.fill("input[name=id_number]", wrong)
    page.click("form.record-form button[type=submit]")
    assert page.locator(".field-error").count() >= 1
    assert page.locator(".record-row").count() == 0
    page.fill("input[name=id_number]", id_number(7))
    page.click("form.record-form button[type=submit]")
    page.wait_for_selector(".record-row")
    row = page.inner_text(".record-row")
    assert "张三" in row and "330483********" in row and id_number(7) not in row
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"]  # nothing wider than the phone
    page.screenshot(path=str(SCREENSHOTS / "jiceng-phone-hall-record.png"), full_page=True)
    context.close()
    assert page_problems == []


def test_maps_and_charts_of_the_network(page, live_server, outlet, users, page_problems):
    base = live_server.url
    _sign_in(page, base, "admin")
    page.goto(f"{base}/hall/network/points/{outlet.pk}/")
    assert _wait_until(page, "() => document.getElementById('point-map').dataset.drawn === '1'")
    page.goto(f"{base}/hall/network/kpis/")
    drawn = _wait_until(
        page,
        "() => document.querySelectorAll('[data-kpi-chart][data-drawn=\"1\"]').length === 3",
    )
    assert drawn
    page.goto(f"{base}/hall/network/coverage/?item=YB15")
    assert _wait_until(page, "() => document.getElementById('coverage-map').dataset.drawn")
    counts = page.evaluate(
        "() => [document.querySelectorAll('#coverage-map [data-covered=\"1\"]').length,"
        " document.querySelectorAll('#coverage-map [data-covered=\"0\"]').length]"
    )
    assert counts == [2, 2]  # 庆丰 and 南门 within a kilometre; 虎啸 and 新联 not
    assert "虎啸村" in page.inner_text("[data-table=gaps]")
    page.screenshot(path=str(SCREENSHOTS / "jiceng-desk-hall-coverage.png"), full_page=True)
    assert page_problems == []
