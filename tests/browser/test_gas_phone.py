"""At phone width, in a real browser: the public page behind a site's QR code (no login, no
personal data) and a cylinder's, and the delivery worker's page, where scanning (here: typing
the labels' payloads) the full cylinders handed over completes the order. Screenshots go to
/tmp."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from jiceng.gas.models import Order
from jiceng.gas.services.orders import order_take
from tests.gas.conftest import (
    COURIER,
    Network,
    capture,
    courier_create,
    event,
    make_cylinder,
    network_build,
)

pytestmark = pytest.mark.browser

SCREENSHOTS = Path("/tmp")  # noqa: S108 - screenshots for a person to look at
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def network(users) -> Network:
    return network_build()


@pytest.fixture
def phone(page: Any) -> Any:
    page.set_viewport_size(PHONE)
    return page


def _fits_the_screen(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def test_the_qr_pages_work_on_a_phone_without_login(
    phone,
    live_server,
    network,
    users,
    page_problems,
):
    make_cylinder("QR-1")
    capture(
        users["admin"],
        event("urn:jiceng:bizstep:delivering", ["QR-1"], biz_location=network.site.identifier),
    )
    phone.goto(f"{live_server.url}/gas/q/s/{network.site.site.qr_token}/")
    phone.wait_for_selector("[data-public-site]")
    text = phone.inner_text("main")
    assert "13800001111" not in text and "王小明" not in text and "庆丰小吃店" not in text
    assert _fits_the_screen(phone)
    phone.screenshot(path=str(SCREENSHOTS / "gas-public-site-phone.png"), full_page=True)
    phone.goto(f"{live_server.url}/gas/q/c/QR-1/")
    phone.wait_for_selector("[data-public-cylinder]")
    assert _fits_the_screen(phone)
    phone.screenshot(path=str(SCREENSHOTS / "gas-public-cylinder-phone.png"), full_page=True)
    assert page_problems == []


def test_a_delivery_worker_completes_an_order_by_scanning_on_a_phone(
    phone,
    live_server,
    network,
    users,
    page_problems,
):
    for serial in ("PH-1", "PH-2"):
        make_cylinder(serial)
    capture(
        users["admin"],
        event(
            "urn:jiceng:bizstep:filling", ["PH-1", "PH-2"], biz_location="urn:jiceng:station:TX-S01"
        ),
    )
    order = order_take(actor=users["admin"], site_id=network.site.pk, nominal_kg=15, count=2)
    courier_create(network)  # the station's delivery worker delivers (a town officer may not)
    base = live_server.url
    phone.goto(f"{base}/accounts/login/?next=/gas/delivery/")
    phone.fill("input[name=username]", COURIER[0])
    phone.fill("input[name=password]", COURIER[1])
    phone.click("form.form button[type=submit]")
    phone.wait_for_url(f"{base}/gas/delivery/")
    assert _fits_the_screen(phone)
    phone.click(f"[data-order='{order.number}']")
    phone.wait_for_selector("[data-delivery-form]")
    phone.fill("#delivered", f"{base}/gas/q/c/PH-1/\n{base}/gas/q/c/PH-2/")
    phone.screenshot(path=str(SCREENSHOTS / "gas-delivery-phone.png"), full_page=True)
    phone.click("[data-delivery-form] button[type=submit]")
    phone.wait_for_url(f"{base}/gas/delivery/")
    assert Order.objects.get(pk=order.pk).state == Order.State.DELIVERED
    assert order.number not in phone.inner_text("main .gas-order-list")
    assert page_problems == []


def test_the_regulators_map_draws_the_communities_without_errors(
    phone, live_server, network, users, page_problems
):
    from jiceng.gas.services.colours import site_colours_refresh

    site_colours_refresh()
    base = live_server.url
    phone.goto(f"{base}/accounts/login/?next=/gas/")
    phone.fill("input[name=username]", "admin")
    phone.fill("input[name=password]", "pw-admin-2026")
    phone.click("form.form button[type=submit]")
    phone.wait_for_url(f"{base}/gas/")
    for _ in range(100):
        if phone.evaluate("document.querySelector('[data-colour-map]').dataset.ready || ''"):
            break
        phone.wait_for_timeout(100)
    assert phone.evaluate("document.querySelector('[data-colour-map]').dataset.ready") == "1"
    # Three communities drawn (on a canvas), no red site among them.
    assert phone.inner_text("[data-map-status]").startswith("3 ")
    assert " · 0 " in phone.inner_text("[data-map-status]")
    assert _fits_the_screen(phone)
    phone.screenshot(path=str(SCREENSHOTS / "gas-map-phone.png"), full_page=True)
    assert page_problems == []
