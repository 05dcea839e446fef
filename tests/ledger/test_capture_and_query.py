"""Capturing GS1's EPCIS 2.0 example documents and reading them back through the query."""

from __future__ import annotations

import pytest

from jiceng.ledger.documents import event_hash_id
from jiceng.ledger.models import CaptureJob, LedgerEvent, LedgerEventEpc
from tests.ledger.conftest import cylinder_document, example, filling

pytestmark = pytest.mark.django_db

SHIPPING = (
    "ni:///sha-256;df7bb3c352fef055578554f09f5e2aa41782150ced7bd0b8af24dd3ccb30ba69?ver=CBV2.0"
)
RECEIVING = (
    "ni:///sha-256;00e1e6eba3a7cc6125be4793a631f0af50f8322e0ab5f2c0bab994a11cec1d79?ver=CBV2.0"
)


def ids(events):
    return [e["eventID"] for e in events]


def without_record_time(event):
    return {k: v for k, v in event.items() if k != "recordTime"}


def test_capture_answers_202_with_the_location_of_a_finished_successful_job(epcis):
    response = epcis.capture(example("Example_9.6.1-ObjectEvent.jsonld"))
    assert response.status_code == 202
    location = response["Location"]
    job = CaptureJob.objects.get()
    assert location == f"/epcis/v2/capture/{job.capture_id}"
    body = epcis.job(location)
    assert body["captureID"] == str(job.capture_id)
    assert body["running"] is False
    assert body["success"] is True
    assert body["errors"] == []
    assert body["captureErrorBehaviour"] == "rollback"
    assert body["createdAt"] and body["finishedAt"]
    assert LedgerEvent.objects.count() == 2


def test_the_object_event_example_is_found_by_each_query_parameter(epcis):
    epcis.captured(example("Example_9.6.1-ObjectEvent.jsonld"))
    assert ids(epcis.events()) == [SHIPPING, RECEIVING]
    assert ids(epcis.events(MATCH_epc="urn:epc:id:sgtin:0614141.107346.2017")) == [SHIPPING]
    assert ids(epcis.events(MATCH_epc="urn:epc:id:sgtin:0614141.107346.2018")) == [
        SHIPPING,
        RECEIVING,
    ]
    assert ids(epcis.events(MATCH_epc="urn:epc:id:sgtin:0614141.107346.9999")) == []
    # a CBV short name, its URL and its EPCIS 1.x URN are the same business step
    assert ids(epcis.events(EQ_bizStep="shipping")) == [SHIPPING]
    assert ids(epcis.events(EQ_bizStep="https://ref.gs1.org/cbv/BizStep-receiving")) == [RECEIVING]
    assert ids(epcis.events(EQ_bizStep="urn:epcglobal:cbv:bizstep:receiving")) == [RECEIVING]
    assert ids(epcis.events(EQ_bizStep="shipping|receiving")) == [SHIPPING, RECEIVING]
    assert ids(epcis.events(EQ_disposition="in_transit")) == [SHIPPING]
    assert ids(epcis.events(EQ_bizLocation="urn:epc:id:sgln:0012345.11111.0")) == [RECEIVING]
    assert ids(epcis.events(GE_eventTime="2005-04-04T12:00:00Z")) == [RECEIVING]
    assert ids(epcis.events(LT_eventTime="2005-04-04T12:00:00Z")) == [SHIPPING]
    assert ids(
        epcis.events(
            GE_eventTime="2005-04-03T00:00:00-06:00",
            LT_eventTime="2005-04-05T00:00:00-06:00",
            MATCH_epc="urn:epc:id:sgtin:0614141.107346.2018",
            EQ_bizStep="receiving",
        )
    ) == [RECEIVING]


def test_the_answer_is_an_epcis_query_document_declaring_the_extension_prefixes(epcis):
    epcis.captured(example("Example_9.6.1-ObjectEvent.jsonld"))
    document = epcis.query().json()
    assert document["type"] == "EPCISQueryDocument"
    assert document["schemaVersion"] == "2.0"
    assert "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld" in document["@context"]
    assert {"example": "http://ns.example.com/epcis/"} in document["@context"]
    results = document["epcisBody"]["queryResults"]
    assert results["queryName"] == "SimpleEventQuery"
    assert len(results["resultsBody"]["eventList"]) == 2


def test_events_come_back_with_every_field_they_came_with(epcis):
    sent = example("Example_9.6.1-ObjectEvent.jsonld")
    epcis.captured(sent)
    back = epcis.events()
    assert [without_record_time(e) for e in back] == sent["epcisBody"]["eventList"]
    assert all(e["recordTime"].endswith("Z") for e in back)
    assert back[1]["example:myField"] == "Example of a vendor/user extension"


def test_an_event_with_every_standard_field_and_no_event_id_round_trips_under_its_hash(epcis):
    sent = example("object_event_all_possible_fields.jsonld")
    epcis.captured(sent)
    (event,) = sent["epcisBody"]["eventList"]
    stored = LedgerEvent.objects.get()
    assert stored.event_id == event_hash_id(event)
    assert stored.event_id.startswith("ni:///sha-256;")
    assert stored.biz_step == "https://ref.gs1.org/cbv/BizStep-receiving"
    assert stored.disposition == "https://ref.gs1.org/cbv/Disp-in_progress"
    (back,) = epcis.events(MATCH_epc="urn:epc:id:sgtin:0614141.107346.2018")
    assert without_record_time(back) == event
    # the same event sent again (still without an id) is recognised as the same event
    epcis.captured(sent)
    assert LedgerEvent.objects.count() == 1


def test_an_aggregation_of_a_cage_is_found_by_its_children_and_not_by_its_parent(epcis):
    epcis.captured(example("Example_9.6.3-AggregationEvent.jsonld"))
    stored = LedgerEvent.objects.get()
    assert stored.event_type == "AggregationEvent"
    assert stored.parent_id == "urn:epc:id:sscc:0614141.1234567890"
    found = epcis.events(MATCH_epc="urn:epc:id:sgtin:0614141.107346.2017")
    assert len(found) == 1
    assert found[0]["childQuantityList"][1]["quantity"] == 200.5
    assert epcis.events(MATCH_epc="urn:epc:id:sscc:0614141.1234567890") == []
    assert len(epcis.events(MATCH_anyEPC="urn:epc:id:sscc:0614141.1234567890")) == 1


def test_transformation_and_association_events_are_stored_and_queryable(epcis):
    epcis.captured(example("Example_9.6.4-TransformationEvent.jsonld"))
    epcis.captured(example("AssociationEvent-a.jsonld"))
    assert sorted(LedgerEvent.objects.values_list("event_type", flat=True)) == [
        "AssociationEvent",
        "TransformationEvent",
    ]
    assert len(epcis.events(MATCH_epc="urn:epc:id:sgtin:4012345.011122.25")) == 1  # an input
    assert len(epcis.events(MATCH_epc="urn:epc:id:sgtin:4012345.077889.28")) == 1  # an output
    assert len(epcis.events(MATCH_epc="urn:epc:id:giai:4000001.12345")) == 1  # a child
    assert len(epcis.events(eventType="TransformationEvent")) == 1


def test_paging_walks_every_event_once_in_event_time_order(epcis):
    events = [filling(serial, minute=minute) for serial in (1, 2, 3) for minute in range(9)]
    epcis.captured(cylinder_document(events))
    seen, token, pages = [], None, 0
    while True:
        parameters = {"perPage": 4}
        if token:
            parameters["nextPageToken"] = token
        response = epcis.query(**parameters)
        assert response.status_code == 200
        page = response.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
        assert len(page) <= 4
        seen += page
        pages += 1
        link = response.get("Link")
        if not link:
            break
        assert link.endswith('; rel="next"') and "perPage=4" in link
        token = link.split("nextPageToken=")[1].split(">")[0]
    assert pages == 7
    assert sorted(ids(seen)) == sorted(e["eventID"] for e in events)
    times = [e["eventTime"] for e in seen]
    assert times == sorted(times)


def test_paging_a_cylinders_history_by_match_epc(epcis):
    epcis.captured(cylinder_document([filling(s, minute=m) for s in (7, 8) for m in range(5)]))
    first = epcis.query(MATCH_epc="urn:jiceng:cylinder:7", perPage=3)
    token = first["Link"].split("nextPageToken=")[1].split(">")[0]
    second = epcis.events(MATCH_epc="urn:jiceng:cylinder:7", perPage=3, nextPageToken=token)
    page = first.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert [e["eventTime"][11:16] for e in page + second] == [
        "08:00",
        "08:01",
        "08:02",
        "08:03",
        "08:04",
    ]
    assert "Link" not in epcis.query(MATCH_epc="urn:jiceng:cylinder:7", perPage=5)


def test_the_identifier_index_holds_each_role(epcis):
    epcis.captured(example("Example_9.6.3-AggregationEvent.jsonld"))
    roles = sorted(LedgerEventEpc.objects.values_list("role", flat=True))
    assert roles == ["child", "child", "parent", "quantity", "quantity"]


@pytest.mark.parametrize(
    ("parameters", "mentions"),
    [
        ({"EQ_colour": "red"}, "EQ_colour"),
        ({"perPage": "ten"}, "perPage"),
        ({"perPage": "0"}, "perPage"),
        ({"GE_eventTime": "yesterday"}, "GE_eventTime"),
        ({"EQ_bizStep": "filing"}, "EQ_bizStep"),
        ({"nextPageToken": "not-a-token"}, "nextPageToken"),
    ],
)
def test_a_query_the_server_cannot_answer_is_a_problem_naming_the_parameter(
    epcis, parameters, mentions
):
    response = epcis.query(**parameters)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "epcisException:QueryParameterException"
    assert problem["status"] == 400
    assert mentions in problem["detail"]


def test_an_offset_sent_without_percent_encoding_is_still_understood(epcis):
    epcis.captured(cylinder_document([filling(1, minute=5)]))
    response = epcis.client.get(
        "/epcis/v2/events?GE_eventTime=2026-03-01T08:00:00+08:00",
        HTTP_AUTHORIZATION=f"Bearer {epcis.token}",
    )
    assert response.status_code == 200
    assert len(response.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]) == 1


def test_a_record_time_sent_by_the_client_is_replaced_by_the_repositorys(epcis):
    epcis.captured(cylinder_document([filling(1, recordTime="1999-01-01T00:00:00Z")]))
    (event,) = epcis.events()
    assert event["recordTime"] != "1999-01-01T00:00:00Z"
    assert event["recordTime"].startswith(str(LedgerEvent.objects.get().record_time.year))
