"""The queue pages of a hall: the halls list, the kiosk, the phone page and the ticket page, a
window's console and the display board; who may open them and what they refuse."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from jiceng.hall.models import (
    Appointment,
    HandlingRecord,
    Ticket,
    TicketSource,
    TicketStatus,
    Window,
)
from jiceng.hall.selectors import HALL_SESSIONS_CACHE, hall_qr_key, local_day
from jiceng.hall.services.network import hall_keys_rotate, sessions_set, tidal_rule_set
from jiceng.hall.services.queue import (
    ticket_call_next,
    ticket_complete,
    ticket_take,
    window_open,
)
from tests.hall.conftest import Network

HX = {"HX-Request": "true"}


def signed_in(user) -> Client:
    browser = Client()
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    browser.force_login(user)
    return browser


def as_kiosk(client: Client, network: Network) -> Client:
    """The kiosk set up once with the hall's key, which the page then keeps in the session."""
    hall = network.wutong
    opened = client.get(f"/hall/{hall.pk}/kiosk/", {"key": hall.kiosk_key})
    assert opened.status_code == 302 and opened["Location"] == f"/hall/{hall.pk}/kiosk/"
    return client


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def open_hall(network):
    """梧桐's windows 1 (A) and 3 (C) open, so the hall takes tickets whatever the hour."""
    window_open(actor=network.users["clerk"], window_id=network.windows[1].pk)
    window_open(actor=network.users["clerk2"], window_id=network.windows[3].pk)
    window_open(actor=network.users["puyuan_clerk"], window_id=network.puyuan_windows[1].pk)
    return network


def take(network: Network, item: str = "YB15", **kwargs) -> Ticket:
    return ticket_take(hall_id=network.wutong.pk, item_code=item, **kwargs).ticket


# --- the halls list ----------------------------------------------------------------------------


def test_the_halls_page_lists_the_halls_of_the_users_town_with_their_windows(open_hall):
    page = signed_in(open_hall.users["wutong"]).get("/hall/")
    assert page.status_code == 200
    body = text(page)
    assert open_hall.wutong.name in body and open_hall.puyuan.name not in body
    assert f"/hall/{open_hall.wutong.pk}/kiosk/" in body
    assert f"/hall/{open_hall.wutong.pk}/board/" in body
    assert f"/hall/windows/{open_hall.windows[1].pk}/" in body  # the console
    assert "2 windows open" in body


def test_the_device_links_show_the_kiosk_key_to_managers_only(open_hall):
    hall = open_hall.wutong
    manager = text(signed_in(open_hall.users["wutong"]).get(f"/hall/{hall.pk}/devices/"))
    assert hall.kiosk_key in manager
    assert hall_qr_key(hall, local_day(timezone.now())) in manager
    clerk = text(signed_in(open_hall.users["clerk"]).get(f"/hall/{hall.pk}/devices/"))
    assert hall.kiosk_key not in clerk and hall_qr_key(hall, local_day(timezone.now())) in clerk


def test_a_user_of_another_town_cannot_open_any_page_of_its_hall(open_hall):
    hall, window = open_hall.puyuan, open_hall.puyuan_windows[1]
    wutong = signed_in(open_hall.users["wutong"])
    for path in (
        f"/hall/{hall.pk}/kiosk/",
        f"/hall/{hall.pk}/board/",
        f"/hall/{hall.pk}/board/live/",
        f"/hall/{hall.pk}/devices/",
        f"/hall/{hall.pk}/phone/",
        f"/hall/windows/{window.pk}/",
        f"/hall/windows/{window.pk}/waiting/",
    ):
        assert wutong.get(path).status_code == 404, path
    before = Ticket.objects.count()
    assert wutong.post(f"/hall/{hall.pk}/kiosk/take/", {"item": "YB15"}).status_code == 404
    refused = wutong.post(f"/hall/windows/{window.pk}/act/", {"action": "close"})
    assert refused.status_code == 404
    window.refresh_from_db()
    assert window.is_open and Ticket.objects.count() == before
    # 梧桐's kiosk key does not open 濮院's kiosk either.
    device = Client()
    device.get(f"/hall/{open_hall.wutong.pk}/kiosk/", {"key": open_hall.wutong.kiosk_key})
    assert device.get(f"/hall/{hall.pk}/kiosk/").status_code == 302  # to the sign-in page
    assert device.post(f"/hall/{hall.pk}/kiosk/take/", {"item": "YB15"}).status_code == 403


# --- the kiosk ---------------------------------------------------------------------------------


def test_a_kiosk_opened_with_the_halls_key_takes_a_ticket_without_a_login(client, open_hall):
    kiosk = as_kiosk(client, open_hall)
    page = kiosk.get(f"/hall/{open_hall.wutong.pk}/kiosk/")
    assert page.status_code == 200
    body = text(page)
    assert 'value="YB15"' in body and open_hall.wutong.kiosk_key not in body
    taken = kiosk.post(
        f"/hall/{open_hall.wutong.pk}/kiosk/take/",
        {"item": "YB15", "green": "elderly", "phone": "138 1234 5678"},
        headers=HX,
    )
    assert taken.status_code == 201
    ticket = Ticket.objects.get()
    assert ticket.number == "A001" and ticket.source == TicketSource.KIOSK
    assert ticket.priority == "green" and ticket.green_reason == "elderly"
    assert ticket.phone == "13812345678"
    slip = text(taken)
    assert "A001" in slip and "data-waiting-ahead" in slip and f"/hall/ticket/{ticket.pk}/" in slip
    second = kiosk.post(f"/hall/{open_hall.wutong.pk}/kiosk/take/", {"item": "YB12"}, headers=HX)
    assert "A002" in text(second)
    assert "<dd data-waiting-ahead>1</dd>" in text(second)


def test_a_kiosk_with_a_wrong_key_is_refused(client, open_hall):
    hall = open_hall.wutong
    assert client.get(f"/hall/{hall.pk}/kiosk/", {"key": "not-the-key"}).status_code == 403
    assert (
        client.get(f"/hall/{hall.pk}/kiosk/", {"key": open_hall.puyuan.kiosk_key}).status_code
        == 403
    )
    # Today's QR key opens the phone page, not the kiosk.
    qr = hall_qr_key(hall, local_day(timezone.now()))
    assert client.get(f"/hall/{hall.pk}/kiosk/", {"key": qr}).status_code == 403
    # Without a key or a login: the sign-in page; a ticket is refused.
    assert client.get(f"/hall/{hall.pk}/kiosk/")["Location"].startswith("/accounts/login/")
    assert client.post(f"/hall/{hall.pk}/kiosk/take/", {"item": "YB15"}).status_code == 403
    assert not Ticket.objects.exists()


def test_rotating_the_keys_locks_a_kiosk_out(client, open_hall):
    kiosk = as_kiosk(client, open_hall)
    hall_keys_rotate(actor=None, hall=open_hall.wutong)
    refused = kiosk.post(f"/hall/{open_hall.wutong.pk}/kiosk/take/", {"item": "YB15"})
    assert refused.status_code == 403 and not Ticket.objects.exists()


def test_the_kiosk_says_why_it_gives_no_ticket(client, network):
    kiosk = as_kiosk(client, network)
    url = f"/hall/{network.wutong.pk}/kiosk/take/"
    unknown = kiosk.post(url, {"item": "ZZ99"}, headers=HX)
    assert unknown.status_code == 400 and "does not handle item ZZ99" in text(unknown)
    nothing = kiosk.post(url, {}, headers=HX)
    assert nothing.status_code == 400 and "Choose an item" in text(nothing)
    for window in network.windows.values():
        sessions_set(actor=None, window=window, sessions=[])
    HALL_SESSIONS_CACHE.forget()
    closed = kiosk.post(url, {"item": "YB15"}, headers=HX)
    assert closed.status_code == 409 and "takes no more tickets today" in text(closed)
    assert not Ticket.objects.exists()


def test_a_resident_checks_in_with_a_booking_code_at_the_kiosk(client, open_hall):
    from jiceng.hall.models import Appointment as Booking

    now = timezone.now()
    booking = Booking.objects.create(
        hall=open_hall.wutong,
        item_id=open_hall.wutong.point.items.get(code="YB15").pk,
        group_id="A",
        day=local_day(now),
        slot_start=(now + timedelta(minutes=5)).astimezone(timezone.get_current_timezone()).time(),
        slot_end=(now + timedelta(minutes=35)).astimezone(timezone.get_current_timezone()).time(),
        phone="13812345678",
        code="123456",
    )
    kiosk = as_kiosk(client, open_hall)
    taken = kiosk.post(
        f"/hall/{open_hall.wutong.pk}/kiosk/take/", {"appointment": "123456"}, headers=HX
    )
    assert taken.status_code == 201, text(taken)
    ticket = Ticket.objects.get()
    assert ticket.source == TicketSource.APPOINTMENT
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CHECKED_IN


def test_a_resident_rates_a_completed_ticket_at_the_kiosk_by_its_number(client, open_hall):
    ticket = take(open_hall)
    clerk = open_hall.users["clerk"]
    ticket_call_next(actor=clerk, window_id=open_hall.windows[1].pk)
    kiosk = as_kiosk(client, open_hall)
    url = f"/hall/{open_hall.wutong.pk}/kiosk/rate/"
    early = kiosk.post(url, {"number": "a001", "score": "5"}, headers=HX)
    assert early.status_code == 409 and "once it is completed" in text(early)
    ticket_complete(actor=clerk, ticket_id=ticket.pk, outcome="done")
    unknown = kiosk.post(url, {"number": "A999", "score": "5"}, headers=HX)
    assert unknown.status_code == 400 and "No ticket A999 today" in text(unknown)
    rated = kiosk.post(url, {"number": "a001", "score": "4"}, headers=HX)
    assert rated.status_code == 200 and "data-rated" in text(rated)
    ticket.refresh_from_db()
    assert ticket.rating == 4
    again = kiosk.post(url, {"number": "A001", "score": "1"}, headers=HX)
    assert again.status_code == 409 and "rated already" in text(again)
    ticket.refresh_from_db()
    assert ticket.rating == 4
    # A signed-in clerk cannot rate for the resident.
    staff = signed_in(clerk).post(url, {"number": "A001", "score": "5"}, headers=HX)
    assert staff.status_code == 403


# --- the phone ---------------------------------------------------------------------------------


def test_a_phone_with_todays_qr_key_takes_a_ticket_follows_it_and_rates_it(client, open_hall):
    hall = open_hall.wutong
    key = hall_qr_key(hall, local_day(timezone.now()))
    assert client.get(f"/hall/{hall.pk}/phone/", {"key": key}).status_code == 302
    page = client.get(f"/hall/{hall.pk}/phone/")
    assert page.status_code == 200 and 'value="YB15"' in text(page)
    taken = client.post(f"/hall/{hall.pk}/phone/take/", {"item": "YB15", "phone": ""})
    ticket = Ticket.objects.get()
    assert ticket.source == TicketSource.PHONE
    assert (
        taken.status_code == 302 and taken["Location"] == f"/hall/ticket/{ticket.pk}/{ticket.key}/"
    )
    shown = client.get(taken["Location"])
    assert shown.status_code == 200 and "A001" in text(shown) and "every 3s" in text(shown)
    live_url = f"/hall/ticket/{ticket.pk}/{ticket.key}/live/"
    ticket_call_next(actor=open_hall.users["clerk"], window_id=open_hall.windows[1].pk)
    assert "Please go to window 1 now." in text(client.get(live_url))
    ticket_complete(actor=open_hall.users["clerk"], ticket_id=ticket.pk, outcome="done")
    done = text(client.get(live_url))
    assert 'name="score"' in done and "every 3s" not in done  # polling stops, the form stays
    rate_url = f"/hall/ticket/{ticket.pk}/{ticket.key}/rate/"
    bad = client.post(rate_url, {"score": "9"}, headers=HX)
    assert bad.status_code == 400
    rated = client.post(rate_url, {"score": "5", "comment": "很快"}, headers=HX)
    assert rated.status_code == 200 and "data-rated" in text(rated)
    ticket.refresh_from_db()
    assert ticket.rating == 5 and ticket.rating_comment == "很快"
    assert client.post(rate_url, {"score": "1"}, headers=HX).status_code == 409
    # Another key does not open the ticket.
    assert client.get(f"/hall/ticket/{ticket.pk}/wrong-key/").status_code == 404


def test_yesterdays_qr_code_no_longer_opens_the_phone_page(client, open_hall):
    hall = open_hall.wutong
    old = hall_qr_key(hall, local_day(timezone.now()) - timedelta(days=1))
    refused = client.get(f"/hall/{hall.pk}/phone/", {"key": old})
    assert refused.status_code == 403 and "scan the code in the hall again" in text(refused)
    assert client.post(f"/hall/{hall.pk}/phone/take/", {"item": "YB15"}).status_code == 403


def test_a_phone_books_an_appointment_slot_in_advance(client, network):
    hall = network.wutong
    today = local_day(timezone.now())
    day = next(
        today + timedelta(days=n) for n in range(1, 8) if (today + timedelta(days=n)).weekday() < 5
    )
    client.get(f"/hall/{hall.pk}/phone/", {"key": hall_qr_key(hall, today)})
    slots = client.get(
        f"/hall/{hall.pk}/phone/slots/", {"book_item": "YB15", "book_day": day.isoformat()}
    )
    assert slots.status_code == 200 and 'value="08:30"' in text(slots)
    missing_phone = client.post(
        f"/hall/{hall.pk}/phone/book/", {"item": "YB15", "day": day.isoformat(), "slot": "08:30"}
    )
    assert missing_phone.status_code == 400 and not Appointment.objects.exists()
    booked = client.post(
        f"/hall/{hall.pk}/phone/book/",
        {"item": "YB15", "day": day.isoformat(), "slot": "08:30", "phone": "13812345678"},
    )
    assert booked.status_code == 200
    booking = Appointment.objects.get()
    assert booking.day == day and booking.code in text(booked)


# --- the console -------------------------------------------------------------------------------


def test_a_clerk_signs_in_calls_starts_and_completes_at_the_console(open_hall):
    window = open_hall.windows[2]  # A and B, closed
    clerk = signed_in(open_hall.users["clerk2"])
    url = f"/hall/windows/{window.pk}/act/"
    page = clerk.get(f"/hall/windows/{window.pk}/")
    assert (
        page.status_code == 200 and 'accesskey="o"' in text(page) and "<kbd>N</kbd>" in text(page)
    )
    opened = clerk.post(url, {"action": "open"})
    assert opened.status_code == 302  # back to the console, with a message
    window.refresh_from_db()
    assert window.is_open and window.clerk == open_hall.users["clerk2"]
    ticket = take(open_hall, "YB03")  # group B
    called = clerk.post(url, {"action": "call"}, headers=HX)
    assert called.status_code == 200 and "Calling B001." in text(called)
    assert 'data-current="B001"' in text(called)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CALLED and ticket.window_id == window.pk
    started = clerk.post(
        url,
        {"action": "start", "ticket": ticket.pk, "expected_version": ticket.version},
        headers=HX,
    )
    assert started.status_code == 200
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.SERVING
    completed = clerk.post(
        url,
        {
            "action": "complete",
            "outcome": "more_materials",
            "ticket": ticket.pk,
            "expected_version": ticket.version,
        },
        headers=HX,
    )
    assert completed.status_code == 200 and "B001 completed." in text(completed)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.DONE and ticket.outcome == "more_materials"
    assert HandlingRecord.objects.get(ticket=ticket).outcome == "more_materials"
    nobody = clerk.post(url, {"action": "call"}, headers=HX)
    assert "Nobody waits for this window." in text(nobody)


def test_recall_no_show_and_transfer_at_the_console(open_hall):
    window = open_hall.windows[1]
    clerk = signed_in(open_hall.users["clerk"])
    url = f"/hall/windows/{window.pk}/act/"
    first, second = take(open_hall), take(open_hall, "YB12")
    clerk.post(url, {"action": "call"}, headers=HX)
    first.refresh_from_db()
    recalled = clerk.post(
        url, {"action": "recall", "ticket": first.pk, "expected_version": first.version}, headers=HX
    )
    assert "Called again: A001." in text(recalled)
    first.refresh_from_db()
    assert first.recalls == 1
    clerk.post(
        url,
        {"action": "no_show", "ticket": first.pk, "expected_version": first.version},
        headers=HX,
    )
    first.refresh_from_db()
    assert first.status == TicketStatus.NO_SHOW
    clerk.post(url, {"action": "call"}, headers=HX)
    second.refresh_from_db()
    moved = clerk.post(
        url,
        {
            "action": "transfer",
            "group": "C",
            "ticket": second.pk,
            "expected_version": second.version,
        },
        headers=HX,
    )
    assert "A002 sent to group C." in text(moved)
    second.refresh_from_db()
    assert second.group_id == "C" and second.status == TicketStatus.WAITING


def test_bad_console_actions_give_a_clear_message_and_change_nothing(open_hall):
    closed, window = open_hall.windows[2], open_hall.windows[1]
    clerk = signed_in(open_hall.users["clerk"])
    refused = clerk.post(f"/hall/windows/{closed.pk}/act/", {"action": "call"}, headers=HX)
    assert refused.status_code == 409 and "closed: sign in first" in text(refused)
    url = f"/hall/windows/{window.pk}/act/"
    no_ticket = clerk.post(url, {"action": "complete", "outcome": "done"}, headers=HX)
    assert no_ticket.status_code == 400 and "no current ticket" in text(no_ticket)
    ticket = take(open_hall)
    clerk.post(url, {"action": "call"}, headers=HX)
    ticket.refresh_from_db()
    stale = clerk.post(
        url,
        {"action": "start", "ticket": ticket.pk, "expected_version": ticket.version - 1},
        headers=HX,
    )
    assert stale.status_code == 409 and "changed meanwhile" in text(stale)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CALLED
    busy = clerk.post(url, {"action": "call"}, headers=HX)
    assert busy.status_code == 409 and "still has A001" in text(busy)
    # Another clerk cannot sign in at a window someone works.
    taken = signed_in(open_hall.users["clerk2"]).post(url, {"action": "open"}, headers=HX)
    assert taken.status_code == 409 and "sign out first" in text(taken)
    # A clerk may not switch a window's groups; a handler of the town may not work the window.
    switch = clerk.post(url, {"action": "switch", "groups": ["B"]}, headers=HX)
    assert switch.status_code == 403
    assert (
        signed_in(open_hall.users["handler"]).get(f"/hall/windows/{window.pk}/").status_code == 403
    )
    window.refresh_from_db()
    assert window.groups == ["A"]


def test_a_manager_switches_the_groups_of_a_window(open_hall):
    window = open_hall.windows[1]
    manager = signed_in(open_hall.users["wutong"])
    page = text(manager.get(f"/hall/windows/{window.pk}/"))
    assert 'value="switch"' in page
    switched = manager.post(
        f"/hall/windows/{window.pk}/act/", {"action": "switch", "groups": ["A", "C"]}, headers=HX
    )
    assert switched.status_code == 200 and "now serves A, C" in text(switched)
    window.refresh_from_db()
    assert window.groups == ["A", "C"]
    unknown = manager.post(
        f"/hall/windows/{window.pk}/act/", {"action": "switch", "groups": ["Z"]}, headers=HX
    )
    assert unknown.status_code == 400


def test_the_console_and_the_board_show_a_window_switched_by_the_tidal_rule(client, open_hall):
    hall = open_hall.wutong
    tidal = open_hall.windows[4]  # the tidal window, usually B
    tidal_rule_set(actor=None, hall=hall, group="A", waiting_more_than=1)
    window_open(actor=open_hall.users["clerk2"], window_id=tidal.pk)  # signs clerk2 out of 3
    take(open_hall)
    ticket_call_next(actor=open_hall.users["clerk"], window_id=open_hall.windows[1].pk)  # busy
    take(open_hall, "YB12")
    take(open_hall, "YB12")  # two wait for A, its only window is busy: the rule lends window 4
    tidal.refresh_from_db()
    assert tidal.groups == ["A"] and tidal.switched_by_rule_id is not None
    console = text(signed_in(open_hall.users["clerk2"]).get(f"/hall/windows/{tidal.pk}/"))
    assert "data-tidal" in console and "switched by the tidal rule" in console
    as_kiosk(client, open_hall)
    board = text(client.get(f"/hall/{hall.pk}/board/live/"))
    assert 'data-window="4"' in board and "data-tidal" in board


# --- the board ---------------------------------------------------------------------------------


def test_the_board_shows_and_announces_the_called_number(client, open_hall):
    hall = open_hall.wutong
    as_kiosk(client, open_hall)
    page = client.get(f"/hall/{hall.pk}/board/")
    assert page.status_code == 200
    body = text(page)
    assert "queue-board.js" in body and hall_qr_key(hall, local_day(timezone.now())) in body
    assert '<div class="qr-code"' in body and "<svg" in body  # today's QR code for phones
    assert hall.kiosk_key not in body
    take(open_hall)
    take(open_hall, "YB12")
    ticket_call_next(actor=open_hall.users["clerk"], window_id=open_hall.windows[1].pk)
    live = client.get(f"/hall/{hall.pk}/board/live/")
    assert live.status_code == 200
    fragment = text(live)
    assert 'data-latest="A001"' in fragment and "every 1s" in fragment
    assert '<strong data-waiting-group="A">1</strong>' in fragment
    # The announcement for the speech synthesis, once per call (number and moment of the call).
    calls = json.loads(re.search(r'id="board-calls"[^>]*>(.*?)</script>', fragment).group(1))
    assert [c["text"] for c in calls] == ["请A001号到1号窗口"] and calls[0]["id"].startswith(
        "A001@"
    )
    # A signed-in user of the town sees it too; a phone's QR key does not open the board.
    assert (
        signed_in(open_hall.users["wutong"]).get(f"/hall/{hall.pk}/board/live/").status_code == 200
    )
    phone = Client()
    qr = hall_qr_key(hall, local_day(timezone.now()))
    assert phone.get(f"/hall/{hall.pk}/board/", {"key": qr}).status_code == 403


def test_the_boards_speech_script_is_served(client):
    served = client.get("/static/web/hall/queue-board.js")
    assert served.status_code == 200
    script = b"".join(served.streaming_content).decode()
    assert "speechSynthesis" in script and "SpeechSynthesisUtterance" in script


def test_windows_of_another_hall_are_not_this_halls(open_hall):
    """The console's list of other windows holds only the hall's own windows."""
    page = text(
        signed_in(open_hall.users["clerk"]).get(f"/hall/windows/{open_hall.windows[1].pk}/")
    )
    others = Window.objects.filter(hall=open_hall.puyuan)
    assert all(f"/hall/windows/{w.pk}/" not in page for w in others)


def test_a_kiosk_whose_key_was_rotated_says_so_on_its_screen(client, open_hall):
    kiosk = as_kiosk(client, open_hall)
    hall_keys_rotate(actor=None, hall=open_hall.wutong)
    refused = kiosk.post(f"/hall/{open_hall.wutong.pk}/kiosk/take/", {"item": "YB15"}, headers=HX)
    assert refused.status_code == 403 and refused["HX-Retarget"] == "#kiosk-slip"
    assert "no longer set up" in text(refused) and not Ticket.objects.exists()
