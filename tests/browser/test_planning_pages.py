"""In a real browser: a town officer opens the tidal plan of the town's hall, switches the chart's
day, applies the plan, then plans the service circle of an item on the map. Screenshots go to
/tmp."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from jiceng.hall.models import SessionPlan
from jiceng.hall.services.travel import travel_model_set
from tests.hall.conftest import Network, network  # noqa: F401 - the fixture, reused
from tests.planning.conftest import HISTORY_FROM, WEEK, add_history
from tests.registry_factories import make_person

pytestmark = pytest.mark.browser

SCREENSHOTS = Path("/tmp")  # noqa: S108 - screenshots for a person to look at
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def planned_network(network: Network) -> Network:  # noqa: F811 - the fixture imported above
    add_history(network.wutong, first=HISTORY_FROM, last=date(2026, 3, 13))
    return network


def _wait_until(page: Any, expression: str, seconds: float = 15) -> None:
    """Poll a condition (wait_for_function would evaluate a string, which the CSP forbids)."""
    for _ in range(int(seconds * 10)):
        if page.evaluate(expression):
            return
        page.wait_for_timeout(100)
    state = page.evaluate("JSON.stringify(document.querySelector('[data-circle-map]')?.dataset)")
    raise AssertionError(f"never true: {expression} {state} {page.url}")


def test_a_town_officer_plans_and_applies_the_tidal_week_and_plans_the_circle(
    planned_network, live_server, page, page_problems
):
    base = live_server.url
    hall = planned_network.wutong
    travel_model_set(
        actor=None,
        valid_from=date(2026, 1, 1),
        detour_factor=1.0,
        speed_kmh=6.0,
        threshold_minutes=10,
    )
    for i in range(3):
        make_person(f"虎啸村民{i}", "330483001201", 200 + i)

    tidal = f"/planning/?hall={hall.pk}&week={WEEK:%Y-%m-%d}"
    page.set_default_timeout(60_000)  # the first request of the live server loads everything
    page.goto(f"{base}/accounts/login/?{urlencode({'next': tidal})}")
    page.fill("input[name=username]", "wutong")
    page.fill("input[name=password]", "pw-wutong-2026")
    page.click("form.form button[type=submit]")
    page.wait_for_url(base + tidal)
    _wait_until(page, "document.querySelector('[data-tidal-chart]').dataset.drawn === '1'")
    assert page.locator("[data-tidal-chart] canvas").count() >= 1
    page.click(".planning-day[data-day='2']")
    _wait_until(page, "document.querySelector('[data-tidal-chart]').dataset.day === '2'")
    assert page.get_attribute(".planning-day[data-day='2']", "aria-pressed") == "true"
    page.screenshot(path=str(SCREENSHOTS / "jiceng-planning-tidal.png"), full_page=True)

    page.click(".planning-apply button[type=submit]")
    page.wait_for_url(base + tidal)
    assert page.locator(".planning-messages .alert-success").count() >= 1
    assert SessionPlan.objects.filter(window__hall=hall, valid_from=WEEK).exists()

    page.set_viewport_size(PHONE)
    page.goto(f"{base}/planning/circle/?item=YB15")
    _wait_until(page, "document.querySelector('[data-circle-map]').dataset.drawn === '1'", 5)
    assert page.locator("[data-status='gained']").count() == 1  # 虎啸村
    assert page.locator("[data-role='proposed']").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.screenshot(path=str(SCREENSHOTS / "jiceng-planning-circle-phone.png"), full_page=True)
    assert page_problems == []
