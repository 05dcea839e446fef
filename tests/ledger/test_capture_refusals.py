"""What capture refuses: non-documents at once, invalid documents whole, with every reason."""

from __future__ import annotations

import copy
import json

import pytest

from jiceng.ledger.models import CaptureJob, LedgerEvent, LedgerEventEpc
from jiceng.ledger.services import document_capture
from tests.ledger.conftest import cylinder_document, example, filling

pytestmark = pytest.mark.django_db


def stored_rows() -> tuple[int, int]:
    return LedgerEvent.objects.count(), LedgerEventEpc.objects.count()


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"this is not json", "not JSON"),
        (b"", "not JSON"),
        (b"[1, 2]", "not a JSON object"),
        (json.dumps({"type": "ObjectEvent"}).encode(), "EPCISDocument"),
        (json.dumps({"type": "EPCISDocument"}).encode(), "epcisBody"),
        (json.dumps({"type": "EPCISDocument", "epcisBody": {"events": []}}).encode(), "eventList"),
    ],
)
def test_a_body_that_is_no_epcis_document_is_refused_at_once_as_a_problem(epcis, raw, reason):
    response = epcis.capture(None, raw=raw)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "epcisException:ValidationException"
    assert problem["status"] == 400
    assert reason in problem["detail"]
    assert CaptureJob.objects.count() == 0
    assert stored_rows() == (0, 0)


def test_a_malformed_document_is_refused_whole_with_every_reason_and_nothing_stored(epcis):
    good = [filling(serial, minute=1) for serial in range(1, 6)]
    bad = copy.deepcopy(good)
    bad[1]["eventTime"] = "2026-13-01T08:00:00+08:00"
    bad[2]["epcList"] = ["cylinder 17"]
    bad[3]["action"] = "FILL"
    del bad[4]["eventTimeZoneOffset"]
    response = epcis.capture(cylinder_document(bad))
    assert response.status_code == 202
    job = epcis.job(response["Location"])
    assert job["success"] is False
    assert job["running"] is False
    details = [e["detail"] for e in job["errors"]]
    assert any(d.startswith("eventList[1].eventTime") for d in details)
    assert any(d.startswith("eventList[2].epcList") for d in details)
    assert any(d.startswith("eventList[3].action") for d in details)
    assert any(d.startswith("eventList[4].eventTimeZoneOffset") for d in details)
    assert all(e["type"] == "epcisException:ValidationException" for e in job["errors"])
    # the good first event was not stored either: all or nothing
    assert stored_rows() == (0, 0)
    # the same events, corrected, are then captured
    assert epcis.captured(cylinder_document(good))["success"] is True
    assert stored_rows() == (5, 5)


@pytest.mark.parametrize(
    ("change", "mentions"),
    [
        (lambda d: d.pop("@context"), "@context"),
        (lambda d: d.update(schemaVersion=2.0), "schemaVersion"),
        (lambda d: d.update(creationDate="yesterday"), "creationDate"),
        (lambda d: d["epcisBody"]["eventList"][0].update(type="FillingEvent"), ".type"),
        (
            lambda d: d["epcisBody"]["eventList"][0].update(eventTime="2026-03-01T08:00:00"),
            "eventTime",
        ),
        (lambda d: d["epcisBody"]["eventList"][0].update(bizStep="filing"), "bizStep"),
        (lambda d: d["epcisBody"]["eventList"][0].update(disposition="full"), "disposition"),
        (lambda d: d["epcisBody"]["eventList"][0].update(readPoint="FS01"), "readPoint"),
        (
            lambda d: d["epcisBody"]["eventList"][0].update(bizLocation={"id": "FS 01"}),
            "bizLocation",
        ),
        (lambda d: d["epcisBody"]["eventList"][0].update(epcList=[]), "at least one EPC"),
        (lambda d: d["epcisBody"]["eventList"][0].update(eventID="17"), "eventID"),
        (lambda d: d["epcisBody"]["eventList"].append("an event"), "eventList[1]"),
    ],
)
def test_each_broken_rule_is_named(epcis, change, mentions):
    document = cylinder_document([filling(1)])
    change(document)
    job = epcis.captured(document)
    assert job["success"] is False
    assert any(mentions in e["detail"] for e in job["errors"]), job["errors"]
    assert stored_rows() == (0, 0)


def test_an_aggregation_that_adds_names_its_parent(epcis):
    document = example("Example_9.6.3-AggregationEvent.jsonld")
    event = document["epcisBody"]["eventList"][0]
    event["action"] = "ADD"
    del event["parentID"]
    job = epcis.captured(document)
    assert job["success"] is False
    assert "parentID" in job["errors"][0]["detail"]


def test_the_service_records_a_failed_job_for_a_non_document_too(users):
    job = document_capture(document={"hello": "world"}, actor=users["wutong"])  # type: ignore[arg-type]
    assert job.success is False and job.errors
    assert stored_rows() == (0, 0)


def test_a_capture_limit_is_answered_413(epcis, monkeypatch):
    monkeypatch.setattr("jiceng.api.epcis.CAPTURE_LIMIT", 3)
    response = epcis.capture(cylinder_document([filling(s) for s in range(4)]))
    assert response.status_code == 413
    assert response.json()["type"] == "epcisException:CaptureLimitExceededException"
    assert stored_rows() == (0, 0)


def test_nan_is_not_json_and_far_years_are_reasons_not_crashes(epcis):
    response = epcis.capture(None, raw=b'{"type": "EPCISDocument", "x": NaN}')
    assert response.status_code == 400
    event = filling(1, eventTime="0001-01-01T00:00:00+08:00")
    job = epcis.captured(cylinder_document([event]))
    assert job["success"] is False
    assert "eventTime" in job["errors"][0]["detail"]
    assert stored_rows() == (0, 0)
