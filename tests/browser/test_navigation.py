"""In a real browser, for one user of each role and at a desk (1280×800), a wall screen
(1920×1080) and a phone (390×844): no two elements of the header overlap (the module menus or the
phone's menu button, notifications, language, user menu), every menu opens without its entries
overlapping or leaving the screen, and every link the navigation offers answers 200 for that
user. The county administrator is checked once more with the ten modules the platform plans for,
under their Chinese names, and the header is photographed at the three sizes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from jiceng.core.models import Role
from jiceng.web import navigation
from jiceng.web.navigation import Entry
from tests.test_navigation import CORE, EXPECTED_GROUPS, people  # noqa: F401 - the users fixture

pytestmark = pytest.mark.browser

SCREENSHOTS = Path("/tmp")  # noqa: S108 - screenshots for a person to look at
SIZES = {
    "desk": {"width": 1280, "height": 800},
    "wall": {"width": 1920, "height": 1080},
    "phone": {"width": 390, "height": 844},
}
# The modules still to come, as they will register (labels in Chinese, the longest first).
COMING = [
    ("ebike", "电动车安全"),
    ("power", "迎峰度夏"),
    ("projects", "项目管理"),
    ("youth", "青苗计划"),
    ("lottery", "福彩责任报告"),
]
# The tools' cluster and the brand: apart from the menus and from each other.
TOOLS = [".brand", ".notification-bell", ".language-switch button", ".user-menu summary"]

Box = dict[str, float]


def _overlap(a: Box, b: Box) -> bool:
    return (
        min(a["x"] + a["width"], b["x"] + b["width"]) - max(a["x"], b["x"]) > 0.5
        and min(a["y"] + a["height"], b["y"] + b["height"]) - max(a["y"], b["y"]) > 0.5
    )


def _boxes(page: Any, selectors: list[str]) -> list[tuple[str, Box]]:
    found = []
    for selector in selectors:
        for element in page.locator(selector).all():
            if element.is_visible():
                box = element.bounding_box()
                assert box is not None, selector
                found.append((f"{selector} {element.inner_text().strip()!r}", box))
    return found


def _assert_apart(boxes: list[tuple[str, Box]], width: int, where: str) -> None:
    for index, (name, box) in enumerate(boxes):
        assert box["x"] >= -0.5 and box["x"] + box["width"] <= width + 0.5, (where, name, box)
        for other, other_box in boxes[index + 1 :]:
            assert not _overlap(box, other_box), (where, name, other)


def _sign_in(page: Any, base: str, username: str) -> None:
    page.set_default_timeout(30_000)  # the machine is shared: a slow answer is not a failure
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", f"pw-{username}-2026")
    page.click("form.form button[type=submit]")
    page.wait_for_url(base + "/")


def _check_header(page: Any, base: str, size: str, shot: str | None = None) -> set[str]:
    """Check the header at one size; return the links its menus offer."""
    viewport = SIZES[size]
    width = viewport["width"]
    page.set_viewport_size(viewport)
    page.goto(base + "/")
    page.wait_for_selector(".modules")
    where = f"{size} {page.url}"
    assert page.evaluate("document.documentElement.scrollWidth") <= width, where
    folded = page.locator(".modules.is-folded").count() == 1
    if size == "phone":
        assert folded, "a phone gets the menu button"
    controls = [".nav-toggle"] if folded else [".nav-group-button"]
    bar = _boxes(page, TOOLS + controls)
    assert len(bar) >= len(TOOLS), where
    # The header is one line: nothing sits below the bar's first row.
    top = min(box["y"] for _name, box in bar)
    assert all(box["y"] < top + 48 for _name, box in bar), (where, bar)
    _assert_apart(bar, width, where)
    links: set[str] = set()
    if folded:
        page.click(".nav-toggle")
        page.wait_for_selector(".modules.is-open .nav-menu a")
        items = _boxes(page, [".modules .nav-menu a", ".modules .nav-group-button"])
        _assert_apart(items, width, where + " panel")
        toggle = page.locator(".nav-toggle").bounding_box()
        assert all(not _overlap(toggle, box) for _n, box in items), where
        links |= {a.get_attribute("href") for a in page.locator(".modules .nav-menu a").all()}
        if shot:
            page.screenshot(path=str(SCREENSHOTS / f"{shot}-open.png"))
        page.keyboard.press("Escape")
        assert page.locator(".modules.is-open").count() == 0, "Escape closes the panel"
    else:
        groups = page.locator(".nav-group-button")
        for index in range(groups.count()):
            groups.nth(index).click()
            menu = page.locator(".nav-group.is-open .nav-menu")
            assert menu.count() == 1, "one menu open at a time"
            menu.wait_for(state="visible")
            items = _boxes(page, [".nav-group.is-open .nav-menu a"])
            assert items, where
            _assert_apart(items, width, where + " menu")
            links |= {a.get_attribute("href") for a in menu.locator("a").all()}
            if shot and index == 1:
                page.screenshot(path=str(SCREENSHOTS / f"{shot}-open.png"))
        page.keyboard.press("Escape")
        assert page.locator(".nav-group.is-open").count() == 0, "Escape closes the menu"
    # The user menu: its administration entries.
    page.click(".user-menu summary")
    links |= {a.get_attribute("href") for a in page.locator(".user-menu-section a").all()}
    page.click(".user-menu summary")
    if shot:
        page.screenshot(path=str(SCREENSHOTS / f"{shot}.png"), clip={"x": 0, "y": 0, **viewport})
    return links


def _check_role(page: Any, base: str, username: str, shots: str | None = None) -> set[str]:
    _sign_in(page, base, username)
    links: set[str] = set()
    for size in SIZES:
        links |= _check_header(page, base, size, f"{shots}-{size}" if shots else None)
    assert links, username
    for href in sorted(links):
        response = page.request.get(base + href, max_redirects=0)
        assert response.status == 200, (username, href, response.status)
    return links


@pytest.mark.usefixtures("people")
@pytest.mark.parametrize("username", sorted(EXPECTED_GROUPS))
def test_the_header_holds_each_roles_modules_at_every_size(
    page,
    page_problems,
    live_server,
    username,
):
    shots = "jiceng-nav-admin" if username == "admin" else None
    _check_role(page, live_server.url, username, shots=shots)
    shown = page.locator(".nav-group").evaluate_all("groups => groups.map(g => g.dataset.group)")
    assert [key for key in shown if key in CORE] == EXPECTED_GROUPS[username]
    assert page_problems == []


@pytest.fixture
def ten_modules(monkeypatch):
    """The five modules to come registered beside the five there are, for everybody."""
    registry = navigation.REGISTRY.copy()
    pages = ["home", "cases-map", "hall-kpis", "ltc-statement", "gas-sites"]
    for (key, label), url_name in zip(COMING, pages, strict=True):
        registry.register_group(
            key,
            label,
            roles=set(Role),
            entries=[Entry(url_name, f"{label}总览"), Entry("cases-scorecards", "月度晾晒")],
        )
    # The two group names still waiting for their Chinese translation, as they will read.
    for key, label in (("hall", "医保服务"), ("gas", "燃气")):
        group = registry.groups[key]
        registry.register_group(key, label, roles=group.roles, placement=group.placement)
    monkeypatch.setattr(navigation, "REGISTRY", registry)


@pytest.mark.usefixtures("people")
def test_ten_modules_fit_the_header_of_the_county_administrator(
    page,
    page_problems,
    live_server,
    ten_modules,
):
    _check_role(page, live_server.url, "admin", shots="jiceng-nav-ten")
    page.set_viewport_size(SIZES["desk"])
    page.goto(live_server.url + "/")
    labels = page.locator(".nav-group-label").all_inner_texts()
    assert labels[-5:] == [label for _key, label in COMING]
    # Between the three sizes too: a small window, a tablet, a wide desk.
    for width in (601, 760, 1024, 1440):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(live_server.url + "/")
        folded = page.locator(".modules.is-folded").count() == 1
        bar = _boxes(page, [*TOOLS, ".nav-toggle" if folded else ".nav-group-button"])
        top = min(box["y"] for _name, box in bar)
        assert all(box["y"] < top + 48 for _name, box in bar), (width, bar)
        _assert_apart(bar, width, f"{width} px")
    assert page_problems == []


@pytest.mark.usefixtures("people")
def test_the_menus_work_from_the_keyboard(page, page_problems, live_server):
    _sign_in(page, live_server.url, "wutong")
    page.set_viewport_size(SIZES["desk"])
    page.focus(".nav-group[data-group=cases] .nav-group-button")
    page.keyboard.press("Enter")
    assert page.is_visible(".nav-group[data-group=cases] .nav-menu")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('.nav-menu') !== null")
    page.keyboard.press("Escape")
    assert not page.is_visible(".nav-group[data-group=cases] .nav-menu")
    assert page.evaluate("document.activeElement.classList.contains('nav-group-button')")
    # Tab past the last entry closes the menu.
    page.keyboard.press("Enter")
    count = page.locator(".nav-group[data-group=cases] .nav-menu a").count()
    for _ in range(count + 1):
        page.keyboard.press("Tab")
    assert not page.is_visible(".nav-group[data-group=cases] .nav-menu")
    # The arrows: down opens the menu at its first entry and moves on, up goes back.
    page.focus(".nav-group[data-group=cases] .nav-group-button")
    page.keyboard.press("ArrowDown")
    first, second = page.locator(".nav-group[data-group=cases] .nav-menu a").all()[:2]
    assert first.evaluate("a => a === document.activeElement")
    page.keyboard.press("ArrowDown")
    assert second.evaluate("a => a === document.activeElement")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.classList.contains('nav-group-button')")
    assert page_problems == []


@pytest.mark.usefixtures("people")
def test_without_script_the_menus_open_on_hover_and_the_groups_wrap(browser, live_server):
    context = browser.new_context(locale="zh-CN", viewport=SIZES["desk"], java_script_enabled=False)
    page = context.new_page()
    try:
        _sign_in(page, live_server.url, "admin")
        assert page.locator(".modules.is-folded").count() == 0
        assert not page.is_visible(".nav-group[data-group=cases] .nav-menu")
        page.hover(".nav-group[data-group=cases] .nav-group-button")
        assert page.is_visible(".nav-group[data-group=cases] .nav-menu a")
        page.hover(".nav-group[data-group=cases] .nav-menu a >> nth=1")  # across the gap
        assert page.is_visible(".nav-group[data-group=cases] .nav-menu")
        # On a phone the groups take a line of their own, apart from the tools.
        page.set_viewport_size(SIZES["phone"])
        page.goto(live_server.url + "/")
        bar = _boxes(page, [*TOOLS, ".nav-group-button"])
        _assert_apart(bar, SIZES["phone"]["width"], "phone without script")
        assert page.evaluate("document.documentElement.scrollWidth") <= SIZES["phone"]["width"]
    finally:
        context.close()
