"""At phone width, in a real browser: the delivery worker scans the cylinders' QR labels with the
camera. Chromium's fake camera plays a Y4M video of two labels, one after the other and over
and over: the public page's URL (what printed labels hold) and a bare serial. Headless Chromium
has no BarcodeDetector, so this runs the jsQR path. Without a camera the Scan button says why."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import segno
from PIL import Image

from jiceng.gas.models import Order
from jiceng.gas.services.orders import order_take
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
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

PHONE = {"width": 390, "height": 844}
WIDTH, HEIGHT = 480, 360
FRAMES_PER_CODE = 15  # 1.5 s at 10 frames a second


def _frame(payload: str) -> bytes:
    """One 4:2:0 frame: the QR code, black on white, centred; chroma planes neutral."""
    code = segno.make_qr(payload, error="m")  # not a Micro QR, which labels never are
    modules = code.symbol_size(scale=1, border=4)[0]
    scale = min(WIDTH, HEIGHT) // modules
    png = io.BytesIO()
    code.save(png, kind="png", scale=scale, border=4)
    png.seek(0)
    qr = Image.open(png).convert("L")
    canvas = Image.new("L", (WIDTH, HEIGHT), 255)
    canvas.paste(qr, ((WIDTH - qr.width) // 2, (HEIGHT - qr.height) // 2))
    chroma = bytes([128]) * ((WIDTH // 2) * (HEIGHT // 2))
    return b"FRAME\n" + canvas.tobytes() + chroma + chroma


def _y4m(path: Path, payloads: list[str]) -> Path:
    header = f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode()
    with path.open("wb") as out:
        out.write(header)
        for payload in payloads:
            frame = _frame(payload)
            for _ in range(FRAMES_PER_CODE):
                out.write(frame)
    return path


@pytest.fixture
def network(users) -> Network:
    return network_build()


@pytest.fixture
def camera_phone(browser: Any, live_server: Any, tmp_path: Path) -> Iterator[tuple[Any, list[str]]]:
    """A second Chromium whose camera films the two labels; the session's browser is left as
    it is (its launch arguments cannot change)."""
    video = _y4m(tmp_path / "labels.y4m", [f"{live_server.url}/gas/q/c/SC-1/", "SC-2"])
    camera_browser = browser.browser_type.launch(
        executable_path=CHROMIUM,
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    context = camera_browser.new_context(locale="zh-CN", viewport=PHONE, permissions=["camera"])
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "console",
        lambda message: (
            problems.append(f"console: {message.text}") if message.type == "error" else None
        ),
    )
    try:
        yield page, problems
    finally:
        context.close()
        camera_browser.close()


def _order_page(page: Any, base: str, order: Order) -> None:
    page.goto(f"{base}/accounts/login/?next=/gas/delivery/")
    page.fill("input[name=username]", COURIER[0])
    page.fill("input[name=password]", COURIER[1])
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{base}/gas/delivery/")
    page.click(f"[data-order='{order.number}']")
    page.wait_for_selector("[data-delivery-form]")


def _two_full_cylinders_ordered(users: dict[str, Any], network: Network) -> Order:
    for serial in ("SC-1", "SC-2"):
        make_cylinder(serial)
    capture(
        users["admin"],
        event(
            "urn:jiceng:bizstep:filling", ["SC-1", "SC-2"], biz_location="urn:jiceng:station:TX-S01"
        ),
    )
    courier_create(network)  # the station's delivery worker delivers (a town officer may not)
    return order_take(actor=users["admin"], site_id=network.site.pk, nominal_kg=15, count=2)


def test_a_delivery_worker_scans_the_labels_with_the_camera_and_completes_the_order(
    camera_phone, live_server, network, users
):
    page, problems = camera_phone
    order = _two_full_cylinders_ordered(users, network)
    base = live_server.url
    _order_page(page, base, order)

    page.click("[data-scan-for='delivered']")
    page.wait_for_selector("[data-scan-overlay]", state="visible")
    # The video loops: each label is seen many times, and is listed once.
    page.wait_for_function(
        "() => ['SC-1', 'SC-2'].every("
        "(serial) => document.getElementById('delivered').value.includes(serial))",
        timeout=30_000,
    )
    page.wait_for_timeout(2_000)  # both labels pass the camera again
    lines = page.input_value("#delivered").split()
    assert sorted(lines) == ["SC-1", "SC-2"]
    count_of = page.get_attribute("[data-delivery-form]", "data-msg-count-of")
    assert page.inner_text("[data-scan-count]") == count_of.replace("%(count)s", "2").replace(
        "%(total)s", "2"
    )
    page.screenshot(path="/tmp/gas-scan-phone.png")  # noqa: S108 - for a person to look at
    page.click("[data-scan-done]")
    page.wait_for_selector("[data-scan-overlay]", state="hidden")
    assert page.input_value("#collected") == ""
    assert page.evaluate("document.querySelector('[data-scan-video]').srcObject") is None

    page.click("[data-delivery-form] button[type=submit]")
    page.wait_for_url(f"{base}/gas/delivery/")
    assert Order.objects.get(pk=order.pk).state == Order.State.DELIVERED
    assert problems == []


def test_without_a_camera_the_scan_button_says_why_and_typing_still_works(
    page, live_server, network, users, page_problems
):
    page.set_viewport_size(PHONE)
    order = _two_full_cylinders_ordered(users, network)
    base = live_server.url
    _order_page(page, base, order)

    page.click("[data-scan-for='delivered']")
    note = page.locator("[data-scan-note='delivered']")
    note.wait_for(state="visible")
    # Headless Chromium has no camera; on a machine with one, the test browser refuses it.
    reasons = {
        page.get_attribute("[data-delivery-form]", f"data-msg-{reason}")
        for reason in ("not-found", "denied")
    }
    assert note.inner_text() in reasons
    assert page.locator("[data-scan-overlay]").is_hidden()

    page.fill("#delivered", "SC-1\nSC-2")
    page.click("[data-delivery-form] button[type=submit]")
    page.wait_for_url(f"{base}/gas/delivery/")
    assert Order.objects.get(pk=order.pk).state == Order.State.DELIVERED
    assert page_problems == []
