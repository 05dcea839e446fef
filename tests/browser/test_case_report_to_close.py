"""In a real browser, a case from report to close (问题销号): a grid worker reports it from a phone
with a photo and the phone's location, the town dispatches it, the fire-safety station starts and
resolves it with a photo, the town verifies and closes it, and the month's scorecard counts it.
Screenshots of the pages at phone and desk width go to /tmp."""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from PIL import Image

from jiceng.cases.models import Case, Department, Status
from jiceng.cases.reference_data import categories_load, departments_create
from jiceng.core.models import Region

pytestmark = pytest.mark.browser

SCREENSHOTS = Path("/tmp")  # noqa: S108 - screenshots for a person to look at
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1366, "height": 900}
GRID = "330483001001001"
# Inside the grid's boundary (drawn below around its centre).
HERE = {"latitude": 30.6312, "longitude": 120.5613}


def _square(lat: float, lon: float, size: float) -> dict[str, Any]:
    ring = [
        [
            round(lon + size * math.cos(math.pi / 4 + math.pi / 2 * k), 5),
            round(lat + size * math.sin(math.pi / 4 + math.pi / 2 * k) * 0.86, 5),
        ]
        for k in range(4)
    ]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


@pytest.fixture
def town(users, settings, tmp_path) -> dict[str, Any]:
    """桐乡市's categories and departments; 梧桐's handler in its fire-safety station; boundaries
    for 梧桐, its two villages and the grid, so that the maps have something to draw."""
    settings.MEDIA_ROOT = tmp_path
    categories_load()
    departments_create(county_code="330483")
    Department.objects.get(region_id="330483001", kind="fire_station").members.add(users["handler"])
    for code, size in (
        ("330483001", 0.05),
        ("330483001001", 0.012),
        ("330483001201", 0.012),
        (GRID, 0.004),
    ):
        region = Region.objects.get(code=code)
        Region.objects.filter(code=code).update(boundary=_square(region.lat, region.lon, size))
    return users


def _jpeg(colour: tuple[int, int, int]) -> dict[str, Any]:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), colour).save(buffer, format="JPEG")
    return {"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


@pytest.fixture
def open_context(browser, page_problems) -> Iterator[Any]:
    """Opens browser contexts (phone or desk, with or without a location) that log problems."""
    contexts: list[Any] = []

    def open_page(viewport: dict[str, int], **options: Any) -> Any:
        context = browser.new_context(locale="zh-CN", viewport=viewport, **options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on("pageerror", lambda error: page_problems.append(f"page error: {error}"))
        page.on(
            "console",
            lambda m: page_problems.append(f"console: {m.text}") if m.type == "error" else None,
        )
        return page

    yield open_page
    for context in contexts:
        context.close()


def _sign_in(page: Any, base: str, username: str, then: str) -> None:
    page.goto(f"{base}/accounts/login/?next={then}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", f"pw-{username}-2026")
    page.click("form.form button[type=submit]")
    page.wait_for_url(base + then)


def _wait_until(page: Any, expression: str, seconds: float = 10) -> None:
    """Poll a condition (wait_for_function would evaluate a string, which the CSP forbids)."""
    for _ in range(int(seconds * 10)):
        if page.evaluate(expression):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"still false after {seconds} s: {expression}")


def _unfold(page: Any, action: str) -> None:
    """Open an action's form (the first main action comes open already)."""
    if page.get_attribute(f"details.action-{action}", "open") is None:
        page.click(f"details.action-{action} > summary")


def _act(page: Any, action: str, status: str) -> None:
    """Take an action with a one-click button and wait for the case's new status."""
    page.click(f"form.action-simple button[value={action}]")
    page.wait_for_selector(f"#case-body .case-head .status-{status}")


def test_a_case_from_report_to_close(live_server, town, open_context, page_problems):
    base = live_server.url

    # 1. The grid worker reports from a phone, with a photo and the phone's location.
    phone = open_context(PHONE, geolocation=HERE, permissions=["geolocation"])
    _sign_in(phone, base, "grid", "/cases/new/")
    phone.wait_for_selector(".report-map[data-drawn='1']")
    phone.select_option("select[name=category]", "ebike_charging")
    phone.wait_for_selector("select[name=attr_place]")  # the category's questions, by htmx
    phone.select_option("select[name=attr_place]", "corridor")
    phone.fill("input[name=attr_count]", "2")
    phone.fill("textarea[name=description]", "庆丰一网格3号楼楼道内电动自行车飞线充电")
    phone.set_input_files("input[name=photos]", [_jpeg((190, 40, 40))])
    phone.click("[data-locate]")
    phone.wait_for_selector(".report-map[data-picked='1']")
    assert float(phone.input_value("input[name=lat]")) == pytest.approx(HERE["latitude"])
    assert phone.input_value("select[name=region]") == GRID
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    phone.screenshot(path=str(SCREENSHOTS / "jiceng-cases-phone-report-filled.png"), full_page=True)
    phone.click("[data-submit-once]")
    phone.wait_for_url(re.compile(r".*/cases/\d+/$"))
    case = Case.objects.get()
    assert case.status == Status.REPORTED and case.lat == pytest.approx(HERE["latitude"])
    assert case.photos.filter(kind="before").count() == 1
    assert case.number in phone.inner_text("h1")
    phone.wait_for_selector(".case-map[data-drawn='1']")
    _wait_until(phone, "document.querySelector('.photo-grid img').naturalWidth > 0")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    phone.screenshot(path=str(SCREENSHOTS / "jiceng-cases-phone-case-reported.png"), full_page=True)

    # 2. The town (wutong) finds it in the inbox and dispatches it to the default department.
    desk = open_context(DESK)
    _sign_in(desk, base, "wutong", "/cases/")
    assert desk.locator(".notification-count").inner_text() == "1"
    desk.wait_for_selector(f"a:text-is('{case.number}')")
    # A filter change goes through htmx and keeps the page.
    desk.evaluate("window.stillTheSamePage = true")
    desk.select_option("select[name=status]", "reported")
    desk.wait_for_url(re.compile(r".*status=reported.*"))
    desk.wait_for_selector(f"a:text-is('{case.number}')")
    assert desk.evaluate("window.stillTheSamePage === true")
    desk.screenshot(path=str(SCREENSHOTS / "jiceng-cases-desk-inbox.png"), full_page=True)
    desk.click(f"a:text-is('{case.number}')")
    desk.wait_for_selector(".case-map[data-drawn='1']")
    desk.screenshot(path=str(SCREENSHOTS / "jiceng-cases-desk-case-reported.png"), full_page=True)
    _unfold(desk, "dispatch")
    default = Department.objects.get(region_id="330483001", kind="fire_station")
    assert desk.input_value("details.action-dispatch select[name=department]") == str(default.pk)
    desk.click("details.action-dispatch button[type=submit]")
    desk.wait_for_selector("#case-body .case-head .status-dispatched")
    case.refresh_from_db()
    assert case.department == default

    # 3. The fire-safety station's handler starts and resolves it from a phone, with a photo.
    handler = open_context(PHONE)
    _sign_in(handler, base, "handler", "/cases/")
    handler.screenshot(path=str(SCREENSHOTS / "jiceng-cases-phone-inbox.png"), full_page=True)
    handler.click(f"a:text-is('{case.number}')")
    _act(handler, "start", "in_progress")
    _unfold(handler, "resolve")
    handler.fill("details.action-resolve textarea[name=note]", "已拆除飞线，车辆移至集中充电棚")
    handler.set_input_files("details.action-resolve input[name=photos]", [_jpeg((40, 140, 70))])
    handler.click("details.action-resolve button[type=submit]")
    handler.wait_for_selector("#case-body .case-head .status-resolved")
    handler.wait_for_selector("figcaption:below(.photo-set)")  # before and after
    assert case.photos.filter(kind="after").count() == 1

    # 4. The town verifies and closes it (销号).
    desk.reload()
    _act(desk, "verify", "closed")
    case.refresh_from_db()
    assert case.status == Status.CLOSED and case.outcome == "resolved"
    desk.screenshot(path=str(SCREENSHOTS / "jiceng-cases-desk-case-closed.png"), full_page=True)

    # 5. The month's scorecard counts it as closed, on time.
    month = timezone.localdate().strftime("%Y-%m")
    desk.goto(f"{base}/cases/scorecards/?month={month}&by=town")
    row = desk.locator("table.scorecard-table tbody tr", has_text="梧桐街道")
    cells = row.locator("td").all_inner_texts()
    assert cells[1:4] == ["1", "1", "1"]  # received, closed, closed on time
    desk.wait_for_selector(".trend-chart[data-drawn='1'] canvas")
    desk.wait_for_timeout(600)  # the bars grow in
    desk.screenshot(path=str(SCREENSHOTS / "jiceng-cases-desk-scorecards.png"), full_page=True)

    assert page_problems == []


def test_the_pages_at_phone_and_desk_width(live_server, town, open_context, page_problems):
    """Screenshots of the inbox, a case, the report form, the map and the wall screen."""
    from jiceng.cases.services import case_act
    from jiceng.cases.services.intake import case_report

    users = town
    base = live_server.url
    now = timezone.now()
    for i, (category, attributes) in enumerate(
        [
            ("ebike_charging", {"place": "flying_lead"}),
            ("sanitation", {}),
            ("streetlight", {}),
            ("noise", {}),
            ("road_damage", {"area": 3}),
        ]
        * 3
    ):
        case = case_report(
            actor=users["grid"],
            category=category,
            attributes=attributes,
            description=f"第{i + 1}个问题：<b>楼道</b>堆放杂物，影响通行",
            region_code=GRID,
            lat=HERE["latitude"] + (i % 5) * 0.0004,
            lon=HERE["longitude"] + (i // 5) * 0.0005,
            reporter_name="王大妈",
            reporter_phone="13812341234",
            at=now - timezone.timedelta(hours=30 * (i % 4)),
        )
        if i % 3 == 1:
            case_act(case_id=case.pk, actor=users["wutong"], action="dispatch")
    for viewport, width in ((PHONE, "phone"), (DESK, "desk")):
        page = open_context(viewport)
        _sign_in(page, base, "wutong", "/cases/")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.screenshot(
            path=str(SCREENSHOTS / f"jiceng-cases-{width}-inbox-busy.png"), full_page=True
        )
        page.click("a.colour-badge.colour-red")
        page.wait_for_url(re.compile(r".*colour=red.*"))
        page.wait_for_selector("a.colour-badge.colour-red.is-current")
        assert page.locator("tr.case-row").count() == page.locator("tr.case-row-red").count() > 0
        page.goto(f"{base}/cases/{case.pk}/")
        page.wait_for_selector(".case-map[data-drawn='1']")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.screenshot(path=str(SCREENSHOTS / f"jiceng-cases-{width}-case.png"), full_page=True)
        page.goto(f"{base}/cases/new/")
        page.wait_for_selector(".report-map[data-drawn='1']")
        page.screenshot(path=str(SCREENSHOTS / f"jiceng-cases-{width}-report.png"), full_page=True)
        page.goto(f"{base}/cases/map/")
        page.wait_for_selector("#cases-map[data-drawn='1']")
        assert int(page.get_attribute("#cases-map", "data-markers")) == 15
        page.wait_for_selector(".case-cluster, .case-pin")
        page.wait_for_timeout(600)  # clusters split with an animation
        page.screenshot(path=str(SCREENSHOTS / f"jiceng-cases-{width}-map.png"), full_page=True)
        # Zoomed out the cases cluster, each cluster in the worst colour inside it.
        for _ in range(3):
            page.click(".leaflet-control-zoom-out")
            page.wait_for_timeout(350)
        page.wait_for_selector(".case-cluster.case-cluster-red")
        assert page.locator(".case-cluster").count() < 15
        page.screenshot(path=str(SCREENSHOTS / f"jiceng-cases-{width}-map-clustered.png"))
        # A click on a case opens it.
        for _ in range(3):
            page.click(".leaflet-control-zoom-in")
            page.wait_for_timeout(350)
        page.locator(".case-pin").first.click()
        page.wait_for_url(re.compile(r".*/cases/\d+/$"))
    wall = open_context({"width": 1920, "height": 1080})
    _sign_in(wall, base, "admin", "/cases/scorecards/?screen=1")
    wall.wait_for_selector(".trend-chart[data-drawn='1'] canvas")
    wall.wait_for_timeout(600)  # the bars grow in
    wall.screenshot(path=str(SCREENSHOTS / "jiceng-cases-wall-screen.png"))
    assert page_problems == []
