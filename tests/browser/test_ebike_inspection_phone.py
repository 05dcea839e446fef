"""At phone width (390×844), in a real browser: a town officer opens a building of 梧桐 from the
e-bike buildings list, inspects it on the inspections engine's generic page, finds flying-lead
charging (飞线充电), and the inspection's page shows the case number that the finding opened.
Also the map and the figures page draw and the live count works on the phone. Screenshots go to
/tmp."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from jiceng.ebike.models import Building
from jiceng.inspections.models import Finding
from tests.ebike.conftest import World, world  # noqa: F401 - the fixture

pytestmark = pytest.mark.browser

SCREENSHOTS = Path("/tmp")  # noqa: S108 - screenshots for a person to look at
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(page: Any) -> Any:
    page.set_viewport_size(PHONE)
    return page


def _fits_the_screen(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def _sign_in(phone: Any, base: str, next_path: str, user: str) -> None:
    phone.goto(f"{base}/accounts/login/?next={next_path}", timeout=60_000)
    phone.fill("input[name=username]", user)
    phone.fill("input[name=password]", f"pw-{user}-2026")
    phone.click("form.form button[type=submit]")
    phone.wait_for_url(f"{base}{next_path}")


def test_an_inspection_of_a_building_on_a_phone_ends_with_the_case_number(
    phone: Any,
    live_server: Any,
    world: World,  # noqa: F811 - the fixture of tests/ebike/conftest.py
    page_problems: list[str],
) -> None:
    base = live_server.url
    building = world.building
    _sign_in(phone, base, "/ebike/buildings/", "wutong")
    assert _fits_the_screen(phone)
    phone.click(f"a[href='/ebike/buildings/{building.pk}/']")
    phone.wait_for_selector(f"[data-building='{building.pk}']")
    assert _fits_the_screen(phone)
    phone.click("[data-inspect]")
    phone.wait_for_selector("#inspection-form")
    for item in phone.eval_on_selector_all(
        "[data-item]", "nodes => nodes.map(n => n.dataset.item)"
    ):
        verdict = "fail" if item == "C03" else "ok"
        phone.check(f"input[name='item-{item}'][value='{verdict}']")
    phone.fill("input[name='note-C03']", "3楼楼道飞线充电")
    assert _fits_the_screen(phone)
    phone.screenshot(path=str(SCREENSHOTS / "ebike-inspection-phone.png"), full_page=True)
    phone.click("#inspection-form button[type=submit]")
    phone.wait_for_url(f"{base}/inspections/*/")
    finding = Finding.objects.get(target_kind="building", target_id=str(building.pk), ok=False)
    case = finding.case
    assert case is not None
    phone.wait_for_selector(f"text={case.number}")
    assert case.number in phone.inner_text("main")
    assert _fits_the_screen(phone)
    phone.screenshot(path=str(SCREENSHOTS / "ebike-inspection-done-phone.png"), full_page=True)
    assert page_problems == []


def test_a_live_count_and_the_figures_on_a_phone(
    phone: Any,
    live_server: Any,
    world: World,  # noqa: F811 - the fixture of tests/ebike/conftest.py
    page_problems: list[str],
) -> None:
    base = live_server.url
    building = world.building
    _sign_in(phone, base, f"/ebike/buildings/{building.pk}/count/", "grid")
    phone.fill("input[name=counted]", "9")
    phone.click("[data-count-form] button[type=submit]")
    phone.wait_for_url(f"{base}/ebike/buildings/{building.pk}/")
    assert Building.objects.get(pk=building.pk).counted == 9
    assert phone.inner_text("[data-counted]").startswith("9")
    phone.goto(f"{base}/ebike/")  # the map of the communities (web/colour-map.js)
    for _ in range(100):
        if phone.evaluate("document.querySelector('[data-colour-map]').dataset.ready || ''"):
            break
        phone.wait_for_timeout(100)
    assert phone.evaluate("document.querySelector('[data-colour-map]').dataset.ready") == "1"
    # "N communities · M red buildings", at least the grid worker's own community drawn
    assert re.match(r"^[1-9][0-9]* \S+ · [0-9]+ ", phone.inner_text("[data-map-status]"))
    phone.goto(f"{base}/ebike/figures/")
    for _ in range(100):
        if phone.evaluate("document.querySelector('[data-ebike-chart]').dataset.ready || ''"):
            break
        phone.wait_for_timeout(100)
    assert phone.evaluate("document.querySelector('[data-ebike-chart]').dataset.ready") == "1"
    assert _fits_the_screen(phone)
    phone.screenshot(path=str(SCREENSHOTS / "ebike-figures-phone.png"), full_page=True)
    assert page_problems == []
