"""Keys authenticate before the session: a kiosk's, a device's or a ticket's key alone works
without cookies or a CSRF token, while a request of the browser session still needs its CSRF
token."""

from __future__ import annotations

import json

import pytest
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client

from jiceng.hall.models import Ticket
from jiceng.hall.services.queue import ticket_call_next, ticket_complete, ticket_start, ticket_take

from .test_api import open_hall  # noqa: F401 - the fixture


@pytest.fixture
def strict() -> Client:
    """A client that enforces CSRF checks, as a browser's requests meet them."""
    return Client(enforce_csrf_checks=True)


def _done_ticket(hall_network) -> tuple[Ticket, str]:
    hall = hall_network.wutong
    ticket_take(hall_id=hall.pk, item_code="YB15", source="kiosk")
    clerk = hall_network.users["clerk"]
    window = hall_network.windows[1]
    called = ticket_call_next(actor=clerk, window_id=window.pk)
    ticket_start(actor=clerk, ticket_id=called.pk)
    ticket_complete(actor=clerk, ticket_id=called.pk, outcome="done")
    ticket = Ticket.objects.get(pk=called.pk)
    return ticket, ticket.key


def _post(client: Client, path: str, data: dict, **headers: str):
    return client.post(
        path, data=json.dumps(data), content_type="application/json", headers=headers
    )


def test_a_resident_rates_a_ticket_with_its_key_alone(strict, open_hall):  # noqa: F811
    ticket, key = _done_ticket(open_hall)

    answer = _post(
        strict, f"/api/v1/tickets/{ticket.pk}/rating", {"score": 5}, **{"X-Ticket-Key": key}
    )

    assert answer.status_code == 200, answer.content
    ticket.refresh_from_db()
    assert ticket.rating == 5


def test_a_wrong_ticket_key_rates_nothing(strict, open_hall):  # noqa: F811
    ticket, _key = _done_ticket(open_hall)

    answer = _post(
        strict, f"/api/v1/tickets/{ticket.pk}/rating", {"score": 1}, **{"X-Ticket-Key": "nope"}
    )

    assert answer.status_code in (403, 404)
    ticket.refresh_from_db()
    assert ticket.rating is None


def test_a_signed_in_browser_with_a_ticket_key_rates_without_a_csrf_token(strict, open_hall):  # noqa: F811
    ticket, key = _done_ticket(open_hall)
    strict.force_login(open_hall.users["puyuan"])

    answer = _post(
        strict, f"/api/v1/tickets/{ticket.pk}/rating", {"score": 4}, **{"X-Ticket-Key": key}
    )

    assert answer.status_code == 200, answer.content


def test_a_kiosk_takes_a_ticket_with_its_key_alone(strict, open_hall):  # noqa: F811
    hall = open_hall.wutong
    answer = _post(
        strict,
        f"/api/v1/halls/{hall.pk}/tickets",
        {"item": "YB15"},
        **{"X-Hall-Key": hall.kiosk_key},
    )
    assert answer.status_code == 201, answer.content


def test_a_session_request_without_its_csrf_token_is_refused_and_with_it_answered(
    strict,
    open_hall,  # noqa: F811
):
    ticket_take(hall_id=open_hall.wutong.pk, item_code="YB15", source="kiosk")
    window = open_hall.windows[1]
    strict.force_login(open_hall.users["clerk"])
    path = f"/api/v1/windows/{window.pk}/call"

    refused = _post(strict, path, {})
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    assert Ticket.objects.filter(status="called").count() == 0

    secret = _get_new_csrf_string()
    strict.cookies["csrftoken"] = secret
    answered = _post(strict, path, {}, **{"X-CSRFToken": secret})
    assert answered.status_code == 200, answered.content


def test_a_bearer_token_needs_no_csrf_token(strict, open_hall, token_for):  # noqa: F811
    ticket_take(hall_id=open_hall.wutong.pk, item_code="YB15", source="kiosk")
    window = open_hall.windows[1]
    answer = _post(
        strict,
        f"/api/v1/windows/{window.pk}/call",
        {},
        Authorization=f"Bearer {token_for('clerk')}",
    )
    assert answer.status_code == 200, answer.content
