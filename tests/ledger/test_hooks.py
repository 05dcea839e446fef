"""Capture handlers: called with the newly stored events, able to flag them or refuse the whole."""

from __future__ import annotations

import pytest

from jiceng.ledger.hooks import CapturedEvent, CaptureRefused, register_capture_handler
from jiceng.ledger.models import CaptureJob, LedgerEvent, LedgerEventEpc
from jiceng.ledger.services import document_capture, events_flag
from tests.ledger.conftest import cylinder_document, example, filling

pytestmark = pytest.mark.django_db


def test_handlers_get_only_the_newly_stored_events_in_document_order(users):
    calls: list[list[CapturedEvent]] = []
    register_capture_handler(calls.append)
    document_capture(document=cylinder_document([filling(1), filling(2)]), actor=users["wutong"])
    document_capture(
        document=cylinder_document([filling(3), filling(1), filling(2), filling(4)]),
        actor=users["wutong"],
    )
    assert [[e.epcs[0] for e in call] for call in calls] == [
        ["urn:jiceng:cylinder:1", "urn:jiceng:cylinder:2"],
        ["urn:jiceng:cylinder:3", "urn:jiceng:cylinder:4"],
    ]
    first = calls[0][0]
    stored = LedgerEvent.objects.get(pk=first.pk)
    assert first.event_id == stored.event_id
    assert first.biz_step == "urn:jiceng:bizstep:filling"
    assert first.disposition == "https://ref.gs1.org/cbv/Disp-active"
    assert first.biz_location == "urn:jiceng:station:FS01"
    assert first.parent_id is None
    assert first.body == filling(1)


def test_a_handler_is_not_called_when_nothing_new_was_stored(users):
    calls: list[list[CapturedEvent]] = []
    register_capture_handler(calls.append)
    document = cylinder_document([filling(1)])
    document_capture(document=document, actor=users["wutong"])
    document_capture(document=document, actor=users["wutong"])
    assert len(calls) == 1


def test_aggregation_events_reach_handlers_with_parent_and_children(users):
    calls: list[list[CapturedEvent]] = []
    register_capture_handler(calls.append)
    document_capture(
        document=example("Example_9.6.3-AggregationEvent.jsonld"), actor=users["wutong"]
    )
    (event,) = calls[0]
    assert event.event_type == "AggregationEvent"
    assert event.parent_id == "urn:epc:id:sscc:0614141.1234567890"
    assert event.child_epcs == [
        "urn:epc:id:sgtin:0614141.107346.2017",
        "urn:epc:id:sgtin:0614141.107346.2018",
    ]
    assert event.epcs == []


def test_a_refusing_handler_rolls_everything_back_and_the_failed_job_keeps_its_reasons(
    users, epcis
):
    seen = []

    def sees(events):
        seen.extend(events)

    def refuses(events):
        unknown = [e.biz_location for e in events if e.biz_location.endswith("999")]
        if unknown:
            raise CaptureRefused([f"unknown bizLocation {u}" for u in unknown])

    register_capture_handler(sees)
    register_capture_handler(refuses)
    document = cylinder_document([filling(1), filling(2, station="999")])
    response = epcis.capture(document)
    assert response.status_code == 202
    job = epcis.job(response["Location"])
    assert job["success"] is False
    assert [e["detail"] for e in job["errors"]] == ["unknown bizLocation urn:jiceng:station:999"]
    assert len(seen) == 2  # the first handler ran, inside the transaction that was undone
    assert LedgerEvent.objects.count() == 0
    assert LedgerEventEpc.objects.count() == 0
    failed = CaptureJob.objects.get()
    assert failed.success is False and failed.stored_count == 0
    # once the location is known, the same events are captured
    seen.clear()
    assert epcis.captured(cylinder_document([filling(1), filling(2)]))["success"] is True
    assert LedgerEvent.objects.count() == 2


def test_a_handler_flags_events_in_the_same_transaction(users):
    def flags(events):
        events_flag(
            event_pks=[e.pk for e in events if e.epcs == ["urn:jiceng:cylinder:2"]],
            reason="filled although inspection is overdue",
        )

    register_capture_handler(flags)
    document_capture(document=cylinder_document([filling(1), filling(2)]), actor=users["wutong"])
    flagged = LedgerEvent.objects.get(flagged=True)
    assert flagged.body["epcList"] == ["urn:jiceng:cylinder:2"]
    assert flagged.flag_reasons == ["filled although inspection is overdue"]
    assert not LedgerEvent.objects.get(body__epcList=["urn:jiceng:cylinder:1"]).flagged


def test_flagging_twice_for_the_same_reason_keeps_it_once_and_adds_other_reasons(users):
    document_capture(document=cylinder_document([filling(1)]), actor=users["wutong"])
    event = LedgerEvent.objects.get()
    assert events_flag(event_pks=[event.pk], reason="seen at two sites at once") == 1
    assert events_flag(event_pks=[event.pk], reason="seen at two sites at once") == 0
    events_flag(event_pks=[event.pk], reason="unregistered cylinder")
    event.refresh_from_db()
    assert event.flag_reasons == ["seen at two sites at once", "unregistered cylinder"]
