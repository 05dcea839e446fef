"""In a real browser: an account manager opens the cotton mill's plan, sees its load chart against
the tariff's periods, recomputes it (htmx redraws the chart) and downloads the advice letter; on a
phone the chart fits the screen; the summer's wall screen draws its chart. Screenshots in /tmp."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from urllib.parse import urlencode

import pytest

from jiceng.core.caching import forget_all
from jiceng.core.models import Organisation, Role
from jiceng.core.services.accounts import user_create
from jiceng.demo.power import MILL_NAME, seed_power
from jiceng.power.reference_data import tariffs_load

pytestmark = pytest.mark.browser

SCREENSHOTS = Path("/tmp")  # noqa: S108 - a screenshot for a person to look at
PHONE = {"width": 390, "height": 844}


def test_an_account_manager_opens_a_plan_sees_the_chart_and_downloads_the_letter(
    regions, live_server, page, page_problems, tmp_path
):
    # A live-server test before this one emptied every table, the migrations' tariffs included,
    # while this process kept them in its caches: load them again and drop the caches.
    tariffs_load()
    forget_all()
    user_create(
        username="kehu", password="pw-kehu-2026", region_code="330483", roles=[Role.ACCOUNT_MANAGER]
    )
    seed_power(seed=5, county="330483", enterprises=1, planned=0, as_of=date(2026, 12, 7))
    mill = Organisation.objects.get(name=MILL_NAME)
    base = live_server.url
    path = f"/power/plans/{mill.pk}/"
    page.set_default_timeout(60_000)  # the first request of the live server loads everything
    page.goto(f"{base}/accounts/login/?{urlencode({'next': path})}")
    page.fill("input[name=username]", "kehu")
    page.fill("input[name=password]", "pw-kehu-2026")
    page.click("form.form button[type=submit]")
    page.wait_for_url(base + path)

    assert MILL_NAME in page.locator("h1").inner_text()
    chart = page.locator("[data-power-chart='plan-chart']")
    chart.locator("canvas").wait_for()
    assert chart.get_attribute("data-drawn") == "true"
    assert page.locator("[data-figure='saved-per-day']").inner_text() != "0.00"

    page.click("button[data-recompute]")
    page.locator(".plan-result .alert[role=status]").wait_for()
    page.locator("[data-power-chart='plan-chart'] canvas").wait_for()
    page.screenshot(path=str(SCREENSHOTS / "jiceng-power-plan.png"), full_page=True)

    with page.expect_download() as download_info:
        page.click("a[data-letter]")
    letter = tmp_path / "letter.pdf"
    download_info.value.save_as(letter)
    assert letter.read_bytes().startswith(b"%PDF-")

    page.set_viewport_size(PHONE)
    page.reload()
    box = page.locator("[data-power-chart='plan-chart']").bounding_box()
    assert box is not None and box["width"] <= PHONE["width"]
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, "the page scrolls sideways on a phone"

    # The county's summer, on the wall screen: peak load by day against the temperature.
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{base}/power/summer/?year=2026&screen=1")
    page.locator("[data-summer-chart] canvas").wait_for()
    page.screenshot(path=str(SCREENSHOTS / "jiceng-power-summer.png"))
    assert page_problems == []
