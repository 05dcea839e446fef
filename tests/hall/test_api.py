"""The JSON API of the queue as kiosks, boards, phones and clerks call it; and every endpoint
refusing another town's hall, window, ticket, point or figures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from jiceng.hall.models import Hall, Ticket, TicketStatus
from jiceng.hall.selectors import hall_qr_key, local_day
from jiceng.hall.services.network import hall_create, window_create
from jiceng.hall.services.queue import ticket_take, window_open


def call(client, method, path, token=None, **kwargs):
    headers = dict(kwargs.pop("headers", {}))
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return getattr(client, method)(path, headers=headers, content_type="application/json", **kwargs)


def kiosk(hall: Hall) -> dict[str, str]:
    return {"X-Hall-Key": hall.kiosk_key}


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def open_hall(network):
    """梧桐's windows 1 (A) and 3 (C) open, so the hall takes tickets whatever the hour."""
    window_open(actor=network.users["clerk"], window_id=network.windows[1].pk)
    window_open(actor=network.users["clerk2"], window_id=network.windows[3].pk)
    window_open(actor=network.users["puyuan_clerk"], window_id=network.puyuan_windows[1].pk)
    return network


def test_a_full_cycle_kiosk_ticket_call_complete_and_rate(client, open_hall, token_for):
    hall = open_hall.wutong
    taken = call(
        client,
        "post",
        f"/api/v1/halls/{hall.pk}/tickets",
        data={"item": "YB15"},
        headers=kiosk(hall),
    )
    assert taken.status_code == 201, taken.content
    body = taken.json()
    assert body["number"] == "A001" and body["group"] == "A" and body["waiting_ahead"] == 0
    second = call(
        client,
        "post",
        f"/api/v1/halls/{hall.pk}/tickets",
        data={"item": "YB12", "priority": "normal"},
        headers=kiosk(hall),
    ).json()
    assert (
        second["waiting_ahead"] == 1 and second["estimated_wait_minutes"] == 6
    )  # YB15: 6 minutes, one window

    clerk = token_for("clerk")
    window = open_hall.windows[1]
    called = call(client, "post", f"/api/v1/windows/{window.pk}/call", clerk)
    assert called.status_code == 200 and called.json()["ticket"]["number"] == "A001"
    ticket_id = called.json()["ticket"]["id"]
    board = call(client, "get", f"/api/v1/halls/{hall.pk}/board", headers=kiosk(hall)).json()
    assert board["called"][0]["number"] == "A001" and board["called"][0]["window"] == 1
    assert board["called"][0]["announcement"] == "请A001号到1号窗口"
    assert board["waiting"]["A"] == 1 and board["qr_key"]

    started = call(client, "post", f"/api/v1/tickets/{ticket_id}/start", clerk)
    assert started.json()["status"] == "serving"
    done = call(
        client, "post", f"/api/v1/tickets/{ticket_id}/complete", clerk, data={"outcome": "done"}
    )
    assert done.status_code == 200 and done.json()["status"] == "done"

    mine = {"X-Ticket-Key": body["key"]}
    state = call(client, "get", f"/api/v1/tickets/{ticket_id}", headers=mine)
    assert state.status_code == 200 and state.json()["status"] == "done"
    rated = call(
        client, "post", f"/api/v1/tickets/{ticket_id}/rating", data={"score": 5}, headers=mine
    )
    assert rated.status_code == 200 and rated.json()["rating"] == 5
    again = call(
        client,
        "post",
        f"/api/v1/tickets/{ticket_id}/rating",
        data={"score": 1},
        headers=kiosk(hall),
    )
    assert again.status_code == 409 and "rated already" in again.json()["detail"]
    # A clerk does not rate their own work.
    assert (
        call(
            client, "post", f"/api/v1/tickets/{ticket_id}/rating", clerk, data={"score": 5}
        ).status_code
        == 403
    )

    call(client, "post", f"/api/v1/windows/{window.pk}/call", clerk)  # A002
    second_id = second["id"]
    call(client, "post", f"/api/v1/tickets/{second_id}/no-show", clerk)
    assert call(client, "post", f"/api/v1/windows/{window.pk}/call", clerk).status_code == 204


def test_the_windows_list_and_sign_in_and_out(client, network, token_for):
    hall, clerk = network.wutong, token_for("clerk")
    listed = call(client, "get", f"/api/v1/halls/{hall.pk}/windows", clerk).json()
    assert [(w["name"], w["groups"], w["is_open"]) for w in listed][:2] == [
        ("Window 1", ["A"], False),
        ("Window 2", ["A", "B"], False),
    ]
    window = network.windows[2]
    opened = call(client, "post", f"/api/v1/windows/{window.pk}/open", clerk)
    assert opened.status_code == 200 and opened.json()["is_open"]
    taken = call(client, "post", f"/api/v1/halls/{hall.pk}/tickets", clerk, data={"item": "YB03"})
    assert taken.status_code == 201  # a clerk takes a ticket for a walk-in
    assert Ticket.objects.get(pk=taken.json()["id"]).source == "counter"
    call(client, "post", f"/api/v1/windows/{window.pk}/call", clerk)
    busy = call(client, "post", f"/api/v1/windows/{window.pk}/close", clerk)
    assert busy.status_code == 409 and "B001" in busy.json()["detail"]
    transfer = call(
        client, "post", f"/api/v1/tickets/{taken.json()['id']}/transfer", clerk, data={"group": "C"}
    )
    assert (
        transfer.status_code == 200
        and transfer.json()["group"] == "C"
        and transfer.json()["number"] == "B001"
    )
    assert (
        call(client, "post", f"/api/v1/windows/{window.pk}/close", clerk).json()["is_open"] is False
    )
    switched = call(
        client,
        "post",
        f"/api/v1/windows/{window.pk}/groups",
        token_for("wutong"),
        data={"groups": ["C"]},
    )
    assert switched.status_code == 200 and switched.json()["groups"] == ["C"]
    assert (
        call(
            client, "post", f"/api/v1/windows/{window.pk}/groups", clerk, data={"groups": ["A"]}
        ).status_code
        == 403
    )


def test_409_when_the_hall_takes_no_tickets_now(client, network):
    quiet = hall_create(actor=None, point=network.wutong_point, name="无排班大厅")
    window_create(actor=None, hall=quiet, number=1, groups=["A"])  # no sessions planned, none open
    response = call(
        client,
        "post",
        f"/api/v1/halls/{quiet.pk}/tickets",
        data={"item": "YB15"},
        headers=kiosk(quiet),
    )
    assert response.status_code == 409
    assert "takes no more tickets today" in response.json()["detail"]


def test_400_for_an_item_the_hall_does_not_handle(client, open_hall):
    hall = open_hall.wutong
    for item in ("YB21", "NOPE", ""):  # YB21 is handled at the county centre only
        response = call(
            client,
            "post",
            f"/api/v1/halls/{hall.pk}/tickets",
            data={"item": item},
            headers=kiosk(hall),
        )
        assert response.status_code == 400, response.content
        assert "item" in response.json()["detail"]
    bad = call(
        client,
        "post",
        f"/api/v1/halls/{hall.pk}/tickets",
        data={"item": "YB15", "priority": "vip"},
        headers=kiosk(hall),
    )
    assert bad.status_code == 400


def test_a_phone_takes_a_ticket_with_todays_qr_key_within_limits(client, open_hall):
    hall = open_hall.wutong
    today = local_day(timezone.now())
    qr = {"X-Hall-Key": hall_qr_key(hall, today)}
    taken = call(
        client,
        "post",
        f"/api/v1/halls/{hall.pk}/tickets",
        data={"item": "YB15", "phone": "13800000000"},
        headers=qr,
    )
    assert taken.status_code == 201
    assert Ticket.objects.get(pk=taken.json()["id"]).source == "phone"
    yesterday = {"X-Hall-Key": hall_qr_key(hall, today - timedelta(days=1))}
    assert (
        call(
            client,
            "post",
            f"/api/v1/halls/{hall.pk}/tickets",
            data={"item": "YB15"},
            headers=yesterday,
        ).status_code
        == 401
    )
    # Three tickets a day for one phone number; six attempts per ten minutes from one address.
    statuses = [
        call(
            client,
            "post",
            f"/api/v1/halls/{hall.pk}/tickets",
            data={"item": "YB15", "phone": "13800000000"},
            headers=qr,
        ).status_code
        for _ in range(3)
    ]
    assert statuses == [201, 201, 429]
    statuses = [
        call(
            client, "post", f"/api/v1/halls/{hall.pk}/tickets", data={"item": "YB15"}, headers=qr
        ).status_code
        for _ in range(4)
    ]
    assert statuses == [201, 201, 429, 429]  # the 5th and 6th attempts, then the limit
    # The QR key opens the phone's part only: not the board's QR key, not other halls.
    board = call(client, "get", f"/api/v1/halls/{hall.pk}/board", headers=qr).json()
    assert board["qr_key"] is None


def test_without_a_key_or_a_login_nothing_opens(client, network):
    hall = network.wutong
    assert (
        call(client, "post", f"/api/v1/halls/{hall.pk}/tickets", data={"item": "YB15"}).status_code
        == 401
    )
    assert call(client, "get", f"/api/v1/halls/{hall.pk}/board").status_code == 401
    assert (
        call(
            client, "get", f"/api/v1/halls/{hall.pk}/board", headers={"X-Hall-Key": "guess"}
        ).status_code
        == 401
    )
    assert call(client, "get", "/api/v1/halls").status_code == 401


def test_every_endpoint_refuses_another_towns_data(client, open_hall, token_for):
    net = open_hall
    puyuan, pw = net.puyuan, net.puyuan_windows[1]
    ticket = ticket_take(hall_id=puyuan.pk, item_code="YB15").ticket
    Ticket.objects.filter(pk=ticket.pk).update(status=TicketStatus.DONE)
    wutong_officer, wutong_clerk = token_for("wutong"), token_for("clerk")

    listed = call(client, "get", "/api/v1/halls", wutong_officer).json()
    assert [h["id"] for h in listed] == [net.wutong.pk]
    assert {h["id"] for h in call(client, "get", "/api/v1/halls", token_for("admin")).json()} == {
        net.wutong.pk,
        puyuan.pk,
    }
    points = call(client, "get", "/api/v1/service-points", wutong_officer).json()
    assert [p["code"] for p in points] == ["330483001-TC"]

    refused = [
        ("get", f"/api/v1/halls/{puyuan.pk}/windows", None),
        ("post", f"/api/v1/windows/{pw.pk}/open", None),
        ("post", f"/api/v1/windows/{pw.pk}/close", None),
        ("post", f"/api/v1/windows/{pw.pk}/groups", {"groups": ["A"]}),
        ("post", f"/api/v1/windows/{pw.pk}/call", None),
        ("post", f"/api/v1/halls/{puyuan.pk}/tickets", {"item": "YB15"}),
        ("get", f"/api/v1/tickets/{ticket.pk}", None),
        ("post", f"/api/v1/tickets/{ticket.pk}/start", None),
        ("post", f"/api/v1/tickets/{ticket.pk}/complete", {"outcome": "done"}),
        ("post", f"/api/v1/tickets/{ticket.pk}/no-show", None),
        ("post", f"/api/v1/tickets/{ticket.pk}/recall", None),
        ("post", f"/api/v1/tickets/{ticket.pk}/transfer", {"group": "B"}),
        ("post", f"/api/v1/tickets/{ticket.pk}/rating", {"score": 5}),
        ("get", f"/api/v1/halls/{puyuan.pk}/board", None),
        ("get", f"/api/v1/halls/{puyuan.pk}/stats", None),
        ("get", f"/api/v1/halls/{puyuan.pk}/appointment-slots?item=YB15&date=2026-12-01", None),
        (
            "post",
            f"/api/v1/halls/{puyuan.pk}/appointments",
            {"item": "YB15", "date": "2026-12-01", "slot": "09:00", "phone": "13800000000"},
        ),
        (
            "post",
            f"/api/v1/service-points/{net.puyuan_point.pk}/records",
            {
                "item": "YB15",
                "started_at": "2026-03-09T09:00:00+08:00",
                "ended_at": "2026-03-09T09:05:00+08:00",
            },
        ),
        ("get", f"/api/v1/hall-network/stats?point={net.puyuan_point.pk}", None),
        ("get", "/api/v1/hall-network/stats?region=330483101", None),
    ]
    for token in (wutong_officer, wutong_clerk):
        for method, path, data in refused:
            kwargs = {"data": data} if data is not None else {}
            response = call(client, method, path, token, **kwargs)
            assert response.status_code == 404, (path, response.status_code, response.content)
    # Nothing changed in 濮院.
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.DONE
    assert Ticket.objects.get(pk=ticket.pk).rating is None
    # 梧桐's kiosk key does not open 濮院's hall, its tickets or its board either.
    for method, path, data in refused:
        if "/halls/" in path or "/tickets/" in path:
            kwargs = {"data": data} if data is not None else {}
            response = call(client, method, path, headers=kiosk(net.wutong), **kwargs)
            assert response.status_code in (401, 404), (path, response.status_code)
            assert response.status_code != 200
    # The county sees both.
    assert (
        call(client, "get", f"/api/v1/halls/{puyuan.pk}/board", token_for("admin")).status_code
        == 200
    )


def test_stats_answer_for_a_period_and_refuse_a_bad_one(client, open_hall, token_for):
    hall = open_hall.wutong
    response = call(
        client,
        "get",
        f"/api/v1/halls/{hall.pk}/stats?from=2026-03-01&to=2026-03-31",
        token_for("wutong"),
    )
    assert response.status_code == 200
    assert set(response.json()) >= {
        "totals",
        "previous",
        "series",
        "by_item",
        "by_window",
        "by_hour",
        "handle_time_change",
    }
    assert (
        call(
            client,
            "get",
            f"/api/v1/halls/{hall.pk}/stats?from=2026-03-31&to=2026-03-01",
            token_for("wutong"),
        ).status_code
        == 400
    )
    regulator = call(client, "get", f"/api/v1/halls/{hall.pk}/stats", token_for("regulator"))
    assert regulator.status_code == 200  # read-only users read figures
