"""The one way each shared thing is done: a service's refusal becomes a 409 with its reason on a
page and in the API, and the ticket limits of phones and kiosks are one check for both."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from jiceng.api.root import api, refused
from jiceng.cases.services import CaseChanged, TransitionRefused
from jiceng.core.errors import Changed, Refused
from jiceng.hall.services.queue import QueueRefused, TicketChanged
from jiceng.hall.throttle import (
    KIOSK_TICKETS_PER_HALL,
    PHONE_TICKETS_PER_ADDRESS,
    PHONE_TICKETS_PER_NUMBER,
    booking_allowed,
    ticket_allowed,
)
from jiceng.ltc.services.applications import ApplicationChanged
from jiceng.ltc.services.applications import TransitionRefused as StepRefused
from jiceng.web.common import RefusedMiddleware


def test_every_modules_refusals_and_stale_versions_are_the_core_error_types():
    for refusal in (TransitionRefused, QueueRefused, StepRefused):
        assert issubclass(refusal, Refused)
    for stale in (CaseChanged, TicketChanged, ApplicationChanged):
        assert issubclass(stale, Changed) and issubclass(stale, Refused)


def test_the_api_answers_a_refusal_with_409_and_its_reason():
    request = RequestFactory().post("/api/v1/anything")
    response = refused(request, QueueRefused("The window is closed."))
    assert response.status_code == 409
    assert json.loads(response.content) == {"detail": "The window is closed."}
    assert api._exception_handlers[Refused] is refused  # registered once, on the API root


@pytest.mark.django_db
def test_a_page_that_lets_a_refusal_through_answers_409_with_the_reason():
    def view(request):
        raise QueueRefused("这个窗口已经关闭。")

    middleware = RefusedMiddleware(view)
    request = RequestFactory().post("/hall/windows/1/open")
    response = middleware.process_exception(request, QueueRefused("这个窗口已经关闭。"))
    assert response is not None and response.status_code == 409
    assert "这个窗口已经关闭。" in response.content.decode()
    fragment = RequestFactory().post("/x", headers={"HX-Request": "true"})
    answer = middleware.process_exception(fragment, TicketChanged("<b>changed</b>"))
    assert answer is not None and answer.status_code == 409
    assert answer.content.decode() == (
        '<p class="alert alert-error" role="alert">&lt;b&gt;changed&lt;/b&gt;</p>'
    )
    assert middleware.process_exception(request, ValueError("not ours")) is None


def test_a_phone_is_limited_per_address_and_per_number_and_a_kiosk_per_hall():
    cache.clear()
    per_address = PHONE_TICKETS_PER_ADDRESS[0]
    for _ in range(per_address):
        assert ticket_allowed(hall_id=1, via="qr", address="10.0.0.1")
    assert not ticket_allowed(hall_id=1, via="qr", address="10.0.0.1")
    assert ticket_allowed(hall_id=2, via="qr", address="10.0.0.1")  # another hall
    per_number = PHONE_TICKETS_PER_NUMBER[0]
    for n in range(per_number):
        assert ticket_allowed(hall_id=3, via="qr", address=f"10.0.1.{n}", phone="138 0000 1111")
    assert not ticket_allowed(hall_id=3, via="qr", address="10.0.2.1", phone="13800001111")
    for _ in range(KIOSK_TICKETS_PER_HALL[0]):
        assert ticket_allowed(hall_id=4, via="kiosk", address="")
    assert not ticket_allowed(hall_id=4, via="kiosk", address="")
    for _ in range(per_address):
        assert booking_allowed(hall_id=5, address="10.0.0.9")
    assert not booking_allowed(hall_id=5, address="10.0.0.9")
    cache.clear()
