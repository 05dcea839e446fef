"""Headless Chromium (Debian's, not a Playwright download) for the browser tests."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM = os.environ.get("JICENG_CHROMIUM", "/usr/bin/chromium")
DESK = {"width": 1366, "height": 900}
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def vendor_assets() -> None:
    """The pages load htmx, ECharts and Leaflet from static/vendor: install them if missing."""
    from jiceng.web import assets

    assets.install()


@pytest.fixture(scope="session")
def browser(vendor_assets: None) -> Iterator[Any]:
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium is missing at {CHROMIUM}: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run inside
    # one unless told it is safe, which it is here: the test drives the browser and waits for it.
    # Only while the browser runs, so the other tests keep Django's check.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page_problems() -> list[str]:
    """Script errors, console errors (CSP violations among them) and failed requests."""
    return []


@pytest.fixture
def page(browser: Any, live_server: Any, page_problems: list[str]) -> Iterator[Any]:
    """A fresh browser context with a Chinese locale at desk width, against the live server."""
    context = browser.new_context(locale="zh-CN", viewport=DESK)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on("pageerror", lambda error: page_problems.append(f"page error: {error}"))
    page.on(
        "console",
        lambda message: (
            page_problems.append(f"console: {message.text}") if message.type == "error" else None
        ),
    )
    page.on(
        "requestfailed",
        lambda request: (
            # A request cut short by the next navigation is not a problem.
            None
            if request.failure == "net::ERR_ABORTED"
            else page_problems.append(f"failed: {request.url} ({request.failure})")
        ),
    )
    yield page
    context.close()
