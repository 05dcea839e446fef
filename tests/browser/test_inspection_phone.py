"""At phone width (390×844), in a real browser: a town officer answers a gas site's safety
checklist on the inspections engine's generic page, item by item, one item not fine with a
note; the htmx post lands on the inspection's page with the finding and its case. Screenshots
go to /tmp."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from jiceng.inspections.models import Finding, Inspection
from jiceng.inspections.reference_data import checklists_load
from tests.gas.conftest import Network, network_build

pytestmark = pytest.mark.browser

SCREENSHOTS = Path("/tmp")  # noqa: S108 - screenshots for a person to look at
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def network(users) -> Network:
    checklists_load("gas-checklist.json")  # in the migrated database; again after a flush
    return network_build()


def _fits_the_screen(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def test_a_checklist_answered_item_by_item_on_a_phone(
    page, live_server, network, users, page_problems
):
    page.set_viewport_size(PHONE)
    base = live_server.url
    url = f"/inspections/new/gas_site/gas_site:{network.site.pk}/"
    page.goto(f"{base}/accounts/login/?next={url}")
    page.fill("input[name=username]", "wutong")
    page.fill("input[name=password]", "pw-wutong-2026")
    page.click("form.form button[type=submit]")
    page.wait_for_selector("#inspection-form")
    assert _fits_the_screen(page)
    items = page.eval_on_selector_all("fieldset[data-item]", "els => els.map(e => e.dataset.item)")
    assert "hose" in items and len(items) == 8
    for code in items:
        verdict = "fail" if code == "hose" else "ok"
        page.check(f"input[name='item-{code}'][value='{verdict}']")
    page.fill("input[name='note-hose']", "软管老化龟裂")
    page.select_option("select[name='severity-hose']", "major")
    page.screenshot(path=str(SCREENSHOTS / "inspection-phone-form.png"), full_page=True)
    page.click("#inspection-form button[type=submit]")
    page.wait_for_url("**/inspections/*/")
    inspection = Inspection.objects.get()
    finding = Finding.objects.get(inspection=inspection, ok=False)
    assert finding.item.code == "hose" and finding.case is not None
    text = page.inner_text("main")
    assert finding.case.number in text and "软管老化龟裂" in text
    assert _fits_the_screen(page)
    page.screenshot(path=str(SCREENSHOTS / "inspection-phone-detail.png"), full_page=True)
    assert page_problems == []
