"""The queue through its services: numbers, the calling order, windows, transfers, the tidal
rule, when a hall takes tickets, appointments and ratings."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jiceng.cases.reference_data import calendar_load_csv
from jiceng.hall.models import HandlingRecord, Ticket, TicketStatus, Window
from jiceng.hall.services.network import hall_day_set, sessions_set, tidal_rule_set
from jiceng.hall.services.queue import (
    QueueRefused,
    TicketChanged,
    appointment_book,
    ticket_call_next,
    ticket_complete,
    ticket_no_show,
    ticket_rate,
    ticket_recall,
    ticket_start,
    ticket_take,
    ticket_transfer,
    tickets_close_past_days,
    window_close,
    window_open,
    window_switch,
)
from tests.hall.conftest import MONDAY, TZ, Network


def take(network: Network, item: str, at: datetime, **kwargs) -> Ticket:
    return ticket_take(hall_id=network.wutong.pk, item_code=item, at=at, **kwargs).ticket


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def test_numbers_run_per_group_and_start_again_each_day(network):
    a1 = take(network, "YB15", MONDAY)  # group A
    a2 = take(network, "YB12", MONDAY)
    b1 = take(network, "YB03", MONDAY)  # group B
    c1 = take(network, "YB17", MONDAY)  # group C
    assert [a1.number, a2.number, b1.number, c1.number] == ["A001", "A002", "B001", "C001"]
    tuesday = take(network, "YB15", MONDAY + timedelta(days=1))
    assert tuesday.number == "A001" and tuesday.service_day == date(2026, 3, 10)
    # Numbers are per hall: 濮院 starts at A001 too.
    other = ticket_take(hall_id=network.puyuan.pk, item_code="YB15", at=MONDAY).ticket
    assert other.number == "A001"


def test_the_calling_order_is_green_then_due_appointments_then_first_come(network):
    sunday = MONDAY - timedelta(days=1)
    due = appointment_book(
        hall_id=network.wutong.pk,
        item_code="YB12",
        day=MONDAY.date(),
        slot=time(9, 30),
        phone="13800000001",
        at=sunday,
    )
    later = appointment_book(
        hall_id=network.wutong.pk,
        item_code="YB03",
        day=MONDAY.date(),
        slot=time(10, 0),
        phone="13800000002",
        at=sunday,
    )
    first = take(network, "YB15", MONDAY)  # A, 09:00
    second = take(network, "YB03", MONDAY + minutes(1))  # B, 09:01
    checked_in_due = ticket_take(
        hall_id=network.wutong.pk, appointment_code=due.code, at=MONDAY + minutes(2)
    ).ticket
    checked_in_later = ticket_take(
        hall_id=network.wutong.pk, appointment_code=later.code, at=MONDAY + minutes(3)
    ).ticket
    green = take(network, "YB12", MONDAY + minutes(5), priority="green", green_reason="elderly")
    assert checked_in_due.source == "appointment" and checked_in_due.appointment_at.time() == time(
        9, 30
    )

    clerk = network.users["clerk"]
    window = network.windows[2]  # serves A and B
    window_open(actor=clerk, window_id=window.pk, at=MONDAY)
    calls = []
    for n in range(6):
        ticket = ticket_call_next(actor=clerk, window_id=window.pk, at=MONDAY + minutes(40 + n))
        if ticket is None:
            break
        calls.append(ticket.number)
        ticket_complete(
            actor=clerk,
            ticket_id=ticket.pk,
            outcome="done",
            at=MONDAY + minutes(40 + n) + timedelta(seconds=30),
        )
    assert calls == [
        green.number,  # green channel first
        checked_in_due.number,  # the 09:30 appointment is due at 09:40
        first.number,  # then first come, first served across A and B
        second.number,
        checked_in_later.number,  # the 10:00 appointment is not due yet: by its slot time
    ]
    assert ticket_call_next(actor=clerk, window_id=window.pk, at=MONDAY + minutes(50)) is None


def test_a_window_serves_only_its_groups_and_one_ticket_at_a_time(network):
    clerk = network.users["clerk"]
    take(network, "YB03", MONDAY)  # B
    a = take(network, "YB15", MONDAY + minutes(1))  # A
    window = network.windows[1]  # A only
    window_open(actor=clerk, window_id=window.pk, at=MONDAY)
    called = ticket_call_next(actor=clerk, window_id=window.pk, at=MONDAY + minutes(2))
    assert called.pk == a.pk and called.wait_seconds == 60
    with pytest.raises(QueueRefused, match="still has A001"):
        ticket_call_next(actor=clerk, window_id=window.pk, at=MONDAY + minutes(3))
    with pytest.raises(QueueRefused, match="still has A001"):
        window_close(actor=clerk, window_id=window.pk)
    ticket_no_show(actor=clerk, ticket_id=a.pk, at=MONDAY + minutes(4))
    assert ticket_call_next(actor=clerk, window_id=window.pk, at=MONDAY + minutes(5)) is None
    window_close(actor=clerk, window_id=window.pk)
    with pytest.raises(QueueRefused, match="closed"):
        ticket_call_next(actor=clerk, window_id=window.pk, at=MONDAY + minutes(6))


def test_a_clerk_signs_in_at_one_window_and_another_clerk_cannot_take_it_over(network):
    clerk, clerk2 = network.users["clerk"], network.users["clerk2"]
    window_open(actor=clerk, window_id=network.windows[1].pk)
    window_open(actor=clerk, window_id=network.windows[2].pk)  # signs out of window 1
    assert not Window.objects.get(pk=network.windows[1].pk).is_open
    with pytest.raises(QueueRefused, match="signed in by"):
        window_open(actor=clerk2, window_id=network.windows[2].pk)
    with pytest.raises(
        PermissionDenied
    ):  # in the region, but neither a clerk of the hall nor a manager
        window_open(actor=network.users["handler"], window_id=network.windows[3].pk)
    with pytest.raises(Exception, match="No such"):  # another town's window is absent
        window_open(actor=network.users["puyuan_clerk"], window_id=network.windows[3].pk)


def test_start_complete_writes_a_handling_record_and_versions_guard_changes(network):
    clerk = network.users["clerk"]
    ticket = take(network, "YB15", MONDAY)
    window_open(actor=clerk, window_id=network.windows[1].pk, at=MONDAY)
    called = ticket_call_next(actor=clerk, window_id=network.windows[1].pk, at=MONDAY + minutes(10))
    started = ticket_start(
        actor=clerk, ticket_id=ticket.pk, expected_version=called.version, at=MONDAY + minutes(11)
    )
    assert started.status == TicketStatus.SERVING and started.session_kind == "regular"
    with pytest.raises(TicketChanged):
        ticket_complete(
            actor=clerk, ticket_id=ticket.pk, outcome="done", expected_version=called.version
        )
    with pytest.raises(ValidationError):
        ticket_complete(actor=clerk, ticket_id=ticket.pk, outcome="lost")
    done = ticket_complete(
        actor=clerk, ticket_id=ticket.pk, outcome="more_materials", at=MONDAY + minutes(17)
    )
    assert done.handle_seconds == 360 and done.outcome == "more_materials"
    record = HandlingRecord.objects.get(ticket=done)
    assert (record.point_id, record.item.code, record.seconds, record.channel) == (
        network.wutong_point.pk,
        "YB15",
        360,
        "queue",
    )
    with pytest.raises(QueueRefused, match="Cannot"):
        ticket_no_show(actor=clerk, ticket_id=ticket.pk)


def test_a_transfer_keeps_the_number_and_the_place_in_the_new_queue(network):
    clerk, clerk2 = network.users["clerk"], network.users["clerk2"]
    early_a = take(network, "YB15", MONDAY)  # A001, 09:00
    late_c = take(network, "YB17", MONDAY + minutes(5))  # C001, 09:05
    window_open(actor=clerk, window_id=network.windows[1].pk, at=MONDAY)
    ticket_call_next(actor=clerk, window_id=network.windows[1].pk, at=MONDAY + minutes(6))
    moved = ticket_transfer(actor=clerk, ticket_id=early_a.pk, group="C")
    assert (moved.number, moved.group_id, moved.status, moved.transferred_from) == (
        "A001",
        "C",
        "waiting",
        "A",
    )
    window_open(actor=clerk2, window_id=network.windows[3].pk, at=MONDAY)
    # A001 arrived before C001: it comes first in the C queue.
    first = ticket_call_next(actor=clerk2, window_id=network.windows[3].pk, at=MONDAY + minutes(8))
    assert (
        first.pk == early_a.pk and first.wait_seconds == 360
    )  # waited from arrival to the first call
    ticket_complete(actor=clerk2, ticket_id=first.pk, outcome="done", at=MONDAY + minutes(9))
    assert (
        ticket_call_next(actor=clerk2, window_id=network.windows[3].pk, at=MONDAY + minutes(10)).pk
        == late_c.pk
    )


def test_recall_announces_again_and_brings_back_a_late_comer(network):
    clerk = network.users["clerk"]
    ticket = take(network, "YB15", MONDAY)
    window_open(actor=clerk, window_id=network.windows[1].pk, at=MONDAY)
    ticket_call_next(actor=clerk, window_id=network.windows[1].pk, at=MONDAY + minutes(1))
    again = ticket_recall(actor=clerk, ticket_id=ticket.pk, at=MONDAY + minutes(2))
    assert again.recalls == 1 and again.called_at == MONDAY + minutes(2)
    ticket_no_show(actor=clerk, ticket_id=ticket.pk, at=MONDAY + minutes(4))
    back = ticket_recall(actor=clerk, ticket_id=ticket.pk, at=MONDAY + minutes(6))
    assert back.status == TicketStatus.CALLED and back.recalls == 2


def test_the_tidal_rule_lends_the_tidal_window_to_a_crowded_group_and_gives_it_back(network):
    clerk, clerk2 = network.users["clerk"], network.users["clerk2"]
    officer = network.users["wutong"]
    tidal = network.windows[4]  # usually B
    tidal_rule_set(actor=officer, hall=network.wutong, group="A", waiting_more_than=2)
    window_open(actor=clerk, window_id=network.windows[1].pk, at=MONDAY)
    window_open(actor=officer, window_id=network.windows[2].pk, at=MONDAY)
    window_open(actor=clerk2, window_id=tidal.pk, at=MONDAY)
    take(network, "YB15", MONDAY)
    take(network, "YB15", MONDAY)
    ticket_call_next(actor=clerk, window_id=network.windows[1].pk, at=MONDAY + minutes(1))
    ticket_call_next(actor=officer, window_id=network.windows[2].pk, at=MONDAY + minutes(1))
    # A's windows are both busy; three more A tickets: more than two wait.
    for n in range(3):
        take(network, "YB12", MONDAY + minutes(2 + n))
        assert Window.objects.get(pk=tidal.pk).groups == (["B"] if n < 2 else ["A"])
    assert Window.objects.get(pk=tidal.pk).switched_by_rule is not None
    take(network, "YB03", MONDAY + minutes(6))  # a B ticket waits too
    served = []
    for n in range(4):
        ticket = ticket_call_next(actor=clerk2, window_id=tidal.pk, at=MONDAY + minutes(10 + n))
        served.append(ticket.group_id)
        ticket_complete(
            actor=clerk2, ticket_id=ticket.pk, outcome="done", at=MONDAY + minutes(10 + n)
        )
    # The three A tickets, then, with nobody of A waiting, back to B.
    assert served == ["A", "A", "A", "B"]
    assert Window.objects.get(pk=tidal.pk).groups == ["B"]


def test_a_manager_switches_a_window_and_a_clerk_may_not(network):
    window = network.windows[1]
    with pytest.raises(PermissionDenied):
        window_switch(actor=network.users["clerk"], window_id=window.pk, groups=["C"])
    switched = window_switch(actor=network.users["wutong"], window_id=window.pk, groups=["c", "A"])
    assert switched.groups == ["C", "A"] and switched.default_groups == ["A"]
    with pytest.raises(ValidationError):
        window_switch(actor=network.users["wutong"], window_id=window.pk, groups=["Z"])


def test_the_hall_takes_tickets_from_thirty_minutes_before_a_session_until_it_ends(network):
    day = MONDAY.date()
    with pytest.raises(QueueRefused, match="from 08:00"):
        take(network, "YB15", datetime.combine(day, time(7, 59), TZ))
    assert take(network, "YB15", datetime.combine(day, time(8, 0), TZ)).number == "A001"
    # Noon: no session runs, the afternoon one starts in 90 minutes.
    with pytest.raises(QueueRefused, match="from 13:00"):
        take(network, "YB15", datetime.combine(day, time(12, 0), TZ))
    with pytest.raises(QueueRefused, match="no more tickets today"):
        take(network, "YB15", datetime.combine(day, time(17, 0), TZ))
    # A clerk signed in at a window: the hall takes tickets whatever the plan.
    window_open(actor=network.users["clerk"], window_id=network.windows[1].pk)
    assert take(network, "YB15", datetime.combine(day, time(17, 30), TZ)).number == "A002"
    # Only for the groups that window serves.
    with pytest.raises(QueueRefused, match="group C"):
        take(network, "YB17", datetime.combine(day, time(17, 30), TZ))


def test_tidal_sessions_open_the_hall_at_noon_and_on_saturday(network):
    tidal = network.windows[4]
    sessions_set(
        actor=None,
        window=tidal,
        sessions=[
            {"weekday": 0, "kind": "noon", "starts": "12:00", "ends": "13:30"},
            {"weekday": 5, "kind": "saturday", "starts": "09:00", "ends": "12:00"},
        ],
    )
    noon = datetime.combine(MONDAY.date(), time(12, 10), TZ)
    ticket = take(network, "YB03", noon)  # B: the tidal window's group
    with pytest.raises(QueueRefused, match="group A"):
        take(network, "YB15", noon)
    clerk = network.users["clerk2"]
    window_open(actor=clerk, window_id=tidal.pk, at=noon)
    ticket_call_next(actor=clerk, window_id=tidal.pk, at=noon + minutes(1))
    started = ticket_start(actor=clerk, ticket_id=ticket.pk, at=noon + minutes(2))
    assert started.session_kind == "noon"
    saturday = datetime.combine(date(2026, 3, 14), time(9, 0), TZ)
    assert take(network, "YB03", saturday).number == "B001"


def test_public_holidays_close_the_hall_unless_a_day_of_exception_opens_it(network):
    calendar_load_csv("date,kind,name\n2026-05-01,holiday,劳动节\n2026-05-09,workday,调休上班\n")
    may_day = datetime(2026, 5, 1, 9, 0, tzinfo=TZ)  # a Friday
    with pytest.raises(QueueRefused):
        take(network, "YB15", may_day)
    # A make-up working day on a Saturday follows Monday's plan.
    assert take(network, "YB15", datetime(2026, 5, 9, 9, 0, tzinfo=TZ)).number == "A001"
    hall_day_set(
        actor=network.users["wutong"],
        hall=network.wutong,
        day=date(2026, 5, 1),
        is_open=True,
        plan_weekday=0,
    )
    assert take(network, "YB15", may_day).number == "A001"
    hall_day_set(
        actor=network.users["wutong"],
        hall=network.wutong,
        day=date(2026, 3, 10),
        is_open=False,
        note="培训",
    )
    with pytest.raises(QueueRefused):
        take(network, "YB15", MONDAY + timedelta(days=1))


def test_bad_input_is_refused_before_anything_is_written(network):
    with pytest.raises(ValidationError, match="does not handle"):
        take(network, "YB21", MONDAY)  # county-only item
    with pytest.raises(ValidationError, match="does not handle"):
        take(network, "NOPE", MONDAY)
    with pytest.raises(ValidationError):
        take(network, "YB15", MONDAY, priority="vip")
    with pytest.raises(ValidationError):
        take(network, "YB15", MONDAY, phone="12")
    assert not Ticket.objects.exists()


def test_a_ticket_is_rated_once_after_it_is_completed(network):
    clerk = network.users["clerk"]
    ticket = take(network, "YB15", MONDAY)
    with pytest.raises(QueueRefused, match="once it is completed"):
        ticket_rate(ticket_id=ticket.pk, score=5, ticket_key=ticket.key)
    window_open(actor=clerk, window_id=network.windows[1].pk, at=MONDAY)
    ticket_call_next(actor=clerk, window_id=network.windows[1].pk, at=MONDAY + minutes(1))
    ticket_complete(actor=clerk, ticket_id=ticket.pk, outcome="done", at=MONDAY + minutes(5))
    with pytest.raises(Ticket.DoesNotExist):
        ticket_rate(ticket_id=ticket.pk, score=5, ticket_key="wrong")
    with pytest.raises(Ticket.DoesNotExist):  # a kiosk of another hall
        ticket_rate(ticket_id=ticket.pk, score=5, device_hall_id=network.puyuan.pk)
    with pytest.raises(ValidationError):
        ticket_rate(ticket_id=ticket.pk, score=6, ticket_key=ticket.key)
    rated = ticket_rate(ticket_id=ticket.pk, score=4, comment="很快", ticket_key=ticket.key)
    assert (rated.rating, rated.rating_comment) == (4, "很快")
    with pytest.raises(QueueRefused, match="rated already"):
        ticket_rate(ticket_id=ticket.pk, score=1, device_hall_id=network.wutong.pk)
    assert Ticket.objects.get(pk=ticket.pk).rating == 4


def test_appointments_respect_slots_and_capacity(network):
    sunday = MONDAY - timedelta(days=1)
    network.wutong.appointment_capacity = 1
    network.wutong.save()
    appointment_book(
        hall_id=network.wutong.pk,
        item_code="YB15",
        day=MONDAY.date(),
        slot=time(9, 0),
        phone="13800000001",
        at=sunday,
    )
    with pytest.raises(QueueRefused, match="fully booked"):
        appointment_book(
            hall_id=network.wutong.pk,
            item_code="YB12",
            day=MONDAY.date(),
            slot=time(9, 0),
            phone="13800000002",
            at=sunday,
        )
    with pytest.raises(ValidationError, match="No slot"):
        appointment_book(
            hall_id=network.wutong.pk,
            item_code="YB15",
            day=MONDAY.date(),
            slot=time(12, 30),
            phone="13800000002",
            at=sunday,
        )
    with pytest.raises(ValidationError, match="days ahead"):
        appointment_book(
            hall_id=network.wutong.pk,
            item_code="YB15",
            day=MONDAY.date() + timedelta(days=30),
            slot=time(9, 0),
            phone="13800000002",
            at=sunday,
        )


def test_a_late_appointment_queues_as_a_walk_in(network):
    booked = appointment_book(
        hall_id=network.wutong.pk,
        item_code="YB15",
        day=MONDAY.date(),
        slot=time(9, 0),
        phone="13800000001",
        at=MONDAY - timedelta(days=1),
    )
    late = ticket_take(
        hall_id=network.wutong.pk, appointment_code=booked.code, at=MONDAY + minutes(45)
    ).ticket
    assert late.appointment_at is None and late.queue_at == MONDAY + minutes(45)


def test_past_days_are_closed_waiting_tickets_expire_and_called_ones_are_no_shows(network):
    clerk = network.users["clerk"]
    first = take(network, "YB15", MONDAY)
    second = take(network, "YB12", MONDAY)
    window_open(actor=clerk, window_id=network.windows[1].pk, at=MONDAY)
    ticket_call_next(actor=clerk, window_id=network.windows[1].pk, at=MONDAY + minutes(1))
    assert tickets_close_past_days(at=MONDAY + timedelta(days=1)) == 2
    assert Ticket.objects.get(pk=first.pk).status == TicketStatus.NO_SHOW  # called, never came
    assert Ticket.objects.get(pk=second.pk).status == TicketStatus.EXPIRED  # never called


def test_a_ticket_is_transferred_only_to_a_group_the_hall_serves(network):
    from jiceng.hall.models import ItemGroup

    ItemGroup.objects.create(code="D", name="其他")
    ticket = take(network, "YB15", MONDAY)
    with pytest.raises(ValidationError, match="serves group D"):
        ticket_transfer(actor=network.users["clerk"], ticket_id=ticket.pk, group="D")
    with pytest.raises(ValidationError, match="Unknown group"):
        ticket_transfer(actor=network.users["clerk"], ticket_id=ticket.pk, group="Z")
    assert Ticket.objects.get(pk=ticket.pk).group_id == "A"
