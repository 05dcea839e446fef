"""In a real browser, a ticket's path through a service hall: a resident takes a ticket on the
kiosk (opened with the hall's key, nobody signed in) and follows it on the phone; the clerk signs
in at a window and calls it with the keyboard; the display board shows the number and reads it
aloud; the clerk completes it; the resident rates it on the phone; the hall's KPIs count the
ticket and the rating. Screenshots go to /tmp."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from jiceng.hall.kpis import hall_kpis
from jiceng.hall.models import Ticket, TicketStatus
from jiceng.hall.selectors import HALL_SESSIONS_CACHE, local_day
from jiceng.hall.services.catalogue import catalogue_load
from jiceng.hall.services.network import point_create, point_staff_set, sessions_set
from tests.hall.conftest import build_hall

pytestmark = pytest.mark.browser

SCREENSHOTS = Path("/tmp")  # noqa: S108 - screenshots for a person to look at
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1366, "height": 900}
KIOSK = {"width": 1080, "height": 1600}
TV = {"width": 1920, "height": 1080}
# Records what the board reads aloud instead of sounding it.
SPEECH_STUB = """
window.__spoken = [];
(function () {
  var record = function (utterance) { window.__spoken.push(utterance.text); };
  if (window.speechSynthesis) {
    window.speechSynthesis.speak = record;
    window.speechSynthesis.getVoices = function () { return []; };
  } else {
    Object.defineProperty(window, "speechSynthesis", {
      configurable: true,
      value: { speak: record, getVoices: function () { return []; }, cancel: function () {} },
    });
  }
})();
"""


@pytest.fixture
def hall(users) -> Any:
    """梧桐's town-centre hall, its window 1 (group A) planned all day so that the hall takes
    tickets whenever the test runs; the town's window clerk on its staff."""
    HALL_SESSIONS_CACHE.forget()
    cache.clear()
    catalogue_load()
    point = point_create(
        actor=None,
        code="330483001-TC",
        name="梧桐街道便民服务中心",
        kind="town_center",
        region_code="330483001",
        lat=30.627,
        lon=120.566,
    )
    hall, windows = build_hall(point)
    all_day = [
        {"weekday": d, "kind": "regular", "starts": "00:00", "ends": "23:59"} for d in range(7)
    ]
    sessions_set(actor=None, window=windows[1], sessions=all_day)
    point_staff_set(actor=None, point=point, users=[users["clerk"]])
    HALL_SESSIONS_CACHE.forget()
    yield hall, windows
    HALL_SESSIONS_CACHE.forget()
    cache.clear()


@pytest.fixture
def open_context(browser, page_problems) -> Iterator[Any]:
    contexts: list[Any] = []

    def open_page(viewport: dict[str, int], *, speech_stub: bool = False) -> Any:
        context = browser.new_context(locale="zh-CN", viewport=viewport)
        contexts.append(context)
        if speech_stub:
            context.add_init_script(SPEECH_STUB)
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


def _wait_until(page: Any, expression: str, seconds: float = 10) -> None:
    """Poll a condition (wait_for_function would evaluate a string, which the CSP forbids)."""
    for _ in range(int(seconds * 10)):
        if page.evaluate(expression):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"still false after {seconds} s: {expression}")


def test_a_ticket_from_the_kiosk_to_the_rating(
    live_server, hall, users, open_context, page_problems
):
    base = live_server.url
    hall, windows = hall
    window = windows[1]

    # 1. The kiosk, set up with the hall's key: the resident touches an item and gets a ticket.
    kiosk = open_context(KIOSK)
    kiosk.goto(f"{base}/hall/{hall.pk}/kiosk/?key={hall.kiosk_key}")
    assert kiosk.url == f"{base}/hall/{hall.pk}/kiosk/"  # the key is kept, not shown
    kiosk.screenshot(path=str(SCREENSHOTS / "jiceng-hall-kiosk.png"), full_page=True)
    kiosk.click("button.kiosk-item[value=YB15]")
    kiosk.wait_for_selector("#kiosk-slip.is-shown [data-ticket-number]")
    assert kiosk.inner_text("#kiosk-slip [data-ticket-number]") == "A001"
    assert kiosk.inner_text("#kiosk-slip [data-waiting-ahead]") == "0"
    ticket_url = kiosk.inner_text("#kiosk-slip .slip-url")
    kiosk.screenshot(path=str(SCREENSHOTS / "jiceng-hall-kiosk-slip.png"))
    ticket = Ticket.objects.get()
    assert ticket.number == "A001" and ticket.source == "kiosk"
    assert "10" in kiosk.inner_text("#kiosk-slip [data-return-label]")  # counting down
    # A few seconds later the kiosk is back at the start for the next resident.
    _wait_until(
        kiosk, "!document.querySelector('#kiosk-slip').classList.contains('is-shown')", seconds=14
    )
    assert kiosk.evaluate("document.querySelector('input[name=green]:checked').value") == ""

    # 2. The resident follows the ticket on the phone (the slip's address, or its QR code).
    phone = open_context(PHONE)
    phone.goto(ticket_url)
    phone.wait_for_selector("#ticket-live [data-waiting-ahead]")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    phone.screenshot(path=str(SCREENSHOTS / "jiceng-hall-phone-ticket.png"), full_page=True)

    # 3. The display board (a TV opened with the kiosk key), reading the calls aloud.
    board = open_context(TV, speech_stub=True)
    board.goto(f"{base}/hall/{hall.pk}/board/?key={hall.kiosk_key}")
    board.wait_for_selector("#board-live")
    assert board.locator(".board-latest").count() == 0

    # 4. The clerk signs in at window 1 and calls with the keyboard.
    desk = open_context(DESK)
    then = f"/hall/windows/{window.pk}/"
    desk.goto(f"{base}/accounts/login/?next={then}")
    desk.fill("input[name=username]", "clerk")
    desk.fill("input[name=password]", "pw-clerk-2026")
    desk.click("form.form button[type=submit]")
    desk.wait_for_url(base + then)
    desk.keyboard.press("o")  # sign in: the window opens
    desk.wait_for_selector("[data-window-state=open]")
    desk.keyboard.press("n")  # call the next ticket
    desk.wait_for_selector('[data-current="A001"]')
    desk.screenshot(path=str(SCREENSHOTS / "jiceng-hall-console-called.png"), full_page=True)

    # 5. The board shows the call within a poll or two and speaks it once.
    board.wait_for_selector('.board-latest[data-latest="A001"]', timeout=5_000)
    _wait_until(board, "window.__spoken.length > 0", seconds=5)
    spoken = board.evaluate("window.__spoken")
    assert len(spoken) == 1 and "A001" in spoken[0] and "1号窗口" in spoken[0]
    board.wait_for_timeout(2_500)  # more polls: the same call is not read again
    assert board.evaluate("window.__spoken.length") == 1
    board.screenshot(path=str(SCREENSHOTS / "jiceng-hall-board.png"))
    phone.wait_for_selector("#ticket-live .ticket-call")  # the phone says where to go

    # 6. The clerk starts and completes it.
    desk.keyboard.press("s")
    desk.wait_for_selector(".current-ticket.status-serving")
    desk.keyboard.press("d")
    desk.wait_for_selector(".current-ticket.is-empty")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.DONE and ticket.outcome == "done"

    # 7. The resident rates it on the phone (the page stops polling and offers the rating).
    phone.wait_for_selector("#ticket-live form.ticket-rate")
    phone.click("label.rating-choice.rating-5")
    phone.fill("textarea[name=comment]", "窗口办理很快")
    phone.screenshot(path=str(SCREENSHOTS / "jiceng-hall-phone-rating.png"), full_page=True)
    phone.click("form.ticket-rate button[type=submit]")
    phone.wait_for_selector("#ticket-live [data-rated]")
    ticket.refresh_from_db()
    assert ticket.rating == 5

    # 8. The hall's KPIs count the ticket and the rating.
    today = local_day(timezone.now())
    totals = hall_kpis(hall, date_from=today, date_to=today)["totals"]
    assert totals["tickets"] == 1 and totals["served"] == 1
    assert totals["ratings"] == 1 and totals["satisfaction_rate"] == 1.0

    assert page_problems == []


def test_the_queue_pages_at_phone_width(live_server, hall, users, open_context, page_problems):
    """The phone page takes a ticket and books a time; the halls list and the kiosk fit a phone
    too. Screenshots of each."""
    from datetime import timedelta

    from jiceng.hall.models import Appointment
    from jiceng.hall.selectors import hall_qr_key

    base = live_server.url
    hall, windows = hall
    phone = open_context(PHONE)
    phone.goto(f"{base}/hall/{hall.pk}/phone/?key={hall_qr_key(hall, local_day(timezone.now()))}")
    assert phone.url == f"{base}/hall/{hall.pk}/phone/"
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    phone.screenshot(path=str(SCREENSHOTS / "jiceng-hall-phone.png"), full_page=True)
    # Booking: the item and the day bring their free times (htmx), then the code.
    today = local_day(timezone.now())
    day = next(
        today + timedelta(days=n) for n in range(1, 8) if (today + timedelta(days=n)).weekday() < 5
    )
    phone.select_option("#book-item", "YB15")
    phone.wait_for_selector("#phone-slots input[name=slot]")
    phone.select_option("#book-day", day.isoformat())
    # The chosen day's times, not the first day's that htmx is about to replace.
    phone.wait_for_selector(
        f"#phone-slots input[name=day][value='{day.isoformat()}']", state="attached"
    )
    phone.wait_for_selector("#phone-slots input[name=slot][value='08:30']")
    phone.check("#phone-slots input[name=slot][value='08:30']")
    phone.fill("#book-phone", "13812345678")
    phone.screenshot(path=str(SCREENSHOTS / "jiceng-hall-phone-booking.png"), full_page=True)
    phone.click("#phone-slots button[type=submit]")
    phone.wait_for_selector("[data-booking-code]")
    booking = Appointment.objects.get()
    assert booking.day == day and phone.inner_text("[data-booking-code]") == booking.code
    # A ticket now, in the green channel.
    phone.goto(f"{base}/hall/{hall.pk}/phone/")
    phone.select_option("#phone-item", "YB12")
    phone.check("input[name=green][value=elderly]")
    phone.click("form.phone-take button[type=submit]")
    phone.wait_for_selector("#ticket-live [data-waiting-ahead]")
    ticket = Ticket.objects.get()
    assert ticket.source == "phone" and ticket.priority == "green"
    assert phone.inner_text("[data-ticket-number]") == ticket.number

    desk = open_context(PHONE)
    desk.goto(f"{base}/accounts/login/?next=/hall/")
    desk.fill("input[name=username]", "wutong")
    desk.fill("input[name=password]", "pw-wutong-2026")
    desk.click("form.form button[type=submit]")
    desk.wait_for_url(base + "/hall/")
    assert hall.name in desk.inner_text("main")
    assert desk.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    desk.screenshot(path=str(SCREENSHOTS / "jiceng-hall-halls-phone.png"), full_page=True)
    desk.goto(f"{base}/hall/{hall.pk}/kiosk/")
    assert desk.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    desk.goto(f"{base}/hall/windows/{windows[1].pk}/")
    assert desk.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    desk.screenshot(path=str(SCREENSHOTS / "jiceng-hall-console-phone.png"), full_page=True)
    assert page_problems == []
