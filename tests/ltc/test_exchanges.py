"""The three exchanges with the peer region, in process: envelopes sealed with a test key
registered as the peer (吴兴区), posted to the federation endpoint through the test client."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from jiceng.core import identity_vault
from jiceng.federation import keys
from jiceng.federation.models import MessageLog, Refusal
from jiceng.federation.selectors import own_identity
from jiceng.federation.services import peer_add
from jiceng.ltc.models import AssessmentShare, Recognition, SharedInstitution, StatusQuery
from jiceng.ltc.services.applications import insured_ensure
from jiceng.ltc.services.assessments import assessment_record
from jiceng.ltc.services.exchanges import (
    ExchangeFailed,
    assessment_share,
    eligible_by_recognition,
    institutions_store,
)
from tests.federation.helpers import RemoteDeployment, federation_counts
from tests.ltc.conftest import HERE, THERE, new_id_number
from tests.ltc.scores import sheet

MESSAGES = "/api/v1/federation/messages"


@pytest.fixture
def remote(ltc) -> RemoteDeployment:
    there = RemoteDeployment(THERE)
    peer_add(
        actor=None,
        code=THERE,
        name="吴兴区",
        url="http://127.0.0.1:9",
        public_key=there.public_key,
        agreement={"person_status": ["insured", "ltc_level", "valid_until"]},
    )
    return there


def deliver(client, envelope):
    return client.post(MESSAGES, data=json.dumps(envelope), content_type="application/json")


def assessed_person(make_person, ltc, *, adl=40, cognition=2, days_ago=10):
    person, number = make_person()
    insured_ensure(person=person, since=date(2020, 1, 1))
    assessment = assessment_record(
        actor=ltc["clerk"],
        person=person,
        assessed_on=timezone.localdate() - timedelta(days=days_ago),
        assessor="评估员甲",
        scores=sheet(adl, cognition, 12),
    )
    return person, number, assessment


def verified_reply(response, kind):
    assert response.status_code == 200, response.content
    reply = response.json()
    signed = {k: v for k, v in reply.items() if k != "signature"}
    assert keys.signature_valid(
        own_identity()["public_key"], keys.canonical_json(signed), reply["signature"]
    )
    assert reply["kind"] == kind + ".reply" and reply["recipient"] == THERE
    return reply["payload"]


# --- Person status (互通) ---------------------------------------------------------------------


def test_person_status_answers_only_the_agreed_fields_and_logs_the_query(
    client, remote, make_person, ltc
):
    _person, number, assessment = assessed_person(make_person, ltc)
    envelope = remote.seal(
        kind="ltc.person_status",
        payload={"id_number": number, "purpose": "居住地护理机构入住核验"},
        recipient=HERE,
    )
    answer = verified_reply(deliver(client, envelope), "ltc.person_status")
    # The agreement names insured, ltc_level (the level) and valid_until: nothing else.
    assert answer == {
        "insured": True,
        "level": 4,
        "valid_until": assessment.valid_until.isoformat(),
    }
    query = StatusQuery.objects.get()
    assert (query.direction, query.peer_code, query.purpose) == (
        "in",
        THERE,
        "居住地护理机构入住核验",
    )
    assert query.id_masked == number[:6] + "********" + number[14:]
    assert number not in json.dumps(query.answer) + query.id_masked
    assert query.fields == ["insured", "level", "valid_until"]


def test_person_status_of_an_unknown_person_says_not_insured(client, remote, ltc):
    envelope = remote.seal(
        kind="ltc.person_status",
        payload={"id_number": new_id_number(), "purpose": "核验"},
        recipient=HERE,
    )
    answer = verified_reply(deliver(client, envelope), "ltc.person_status")
    assert answer == {"insured": False, "level": None, "valid_until": None}


def test_without_fields_in_the_agreement_the_answer_holds_the_three_default_fields(
    client, remote, make_person, ltc
):
    from jiceng.federation.models import Peer

    Peer.objects.filter(code=THERE).update(agreement={})
    _person, number, _assessment = assessed_person(make_person, ltc)
    envelope = remote.seal(
        kind="ltc.person_status", payload={"id_number": number, "purpose": "核验"}, recipient=HERE
    )
    answer = verified_reply(deliver(client, envelope), "ltc.person_status")
    assert set(answer) == {"insured", "level", "valid_until"}


def test_a_tampered_person_status_query_is_refused_and_logs_no_query(
    client, remote, make_person, ltc
):
    _person, number, _assessment = assessed_person(make_person, ltc)
    envelope = remote.seal(
        kind="ltc.person_status", payload={"id_number": number, "purpose": "核验"}, recipient=HERE
    )
    envelope["payload"]["purpose"] = "别的目的"
    response = deliver(client, envelope)
    assert response.status_code == 401
    assert not StatusQuery.objects.exists()
    assert Refusal.objects.get().reason == "bad_signature"


# --- Assessment recognition (互认) ------------------------------------------------------------


def assessment_envelope(remote, number, *, origin_id, valid_until, supersedes=None, level=4):
    today = timezone.localdate()
    return remote.seal(
        kind="ltc.assessment",
        payload={
            "origin_id": origin_id,
            "id_number": number,
            "name": "沈阿婆",
            "level": level,
            "grades": {"adl": "severe", "cognition": "moderate", "sensory": "intact"},
            "totals": {"adl": 40, "cognition": 2, "sensory": 12},
            "standard": "2021",
            "assessed_on": (today - timedelta(days=30)).isoformat(),
            "valid_until": valid_until.isoformat(),
            "assessor": "评估员",
            "institution": "",
            "supersedes_origin_id": supersedes,
            "residence_code": "330483001001",
        },
        recipient=HERE,
    )


def test_a_valid_assessment_is_recognised_and_listed_by_the_api(client, remote, ltc, token_for):
    number = new_id_number(THERE)
    valid_until = timezone.localdate() + timedelta(days=600)
    envelope = assessment_envelope(remote, number, origin_id=17, valid_until=valid_until)
    answer = verified_reply(deliver(client, envelope), "ltc.assessment")
    recognition = Recognition.objects.get()
    assert answer["recognition_id"] == recognition.pk
    assert (recognition.origin_region, recognition.origin_id, recognition.level) == (THERE, 17, 4)
    assert recognition.region_id == "330483001001"  # where the person lives here
    assert recognition.id_digest == identity_vault.digest(number)
    assert eligible_by_recognition(number) == recognition

    listed = client.get(
        "/api/v1/ltc/recognitions", headers={"Authorization": f"Bearer {token_for('admin')}"}
    ).json()
    assert listed == [
        {
            "id": recognition.pk,
            "person_masked": number[:6] + "********" + number[14:],
            "level": 4,
            "origin_region": THERE,
            "assessed_on": recognition.assessed_on.isoformat(),
            "valid_until": valid_until.isoformat(),
            "received_at": listed[0]["received_at"],
            "status": "active",
        }
    ]
    # 濮院's officer does not see a recognition of a resident of 梧桐.
    assert (
        client.get(
            "/api/v1/ltc/recognitions",
            headers={"Authorization": f"Bearer {token_for('puyuan')}"},
        ).json()
        == []
    )


def test_an_expired_assessment_is_declined_and_nothing_is_recognised(client, remote, ltc):
    envelope = assessment_envelope(
        remote, new_id_number(THERE), origin_id=18,
        valid_until=timezone.localdate() - timedelta(days=1),
    )  # fmt: skip
    response = deliver(client, envelope)
    assert response.status_code == 422
    assert "expired" in response.json()["detail"]
    assert not Recognition.objects.exists()
    assert MessageLog.objects.get().outcome == "handler_refused"


def test_a_replayed_assessment_is_refused_with_only_the_refusal_recorded(client, remote, ltc):
    envelope = assessment_envelope(
        remote, new_id_number(THERE), origin_id=19,
        valid_until=timezone.localdate() + timedelta(days=100),
    )  # fmt: skip
    assert deliver(client, envelope).status_code == 200
    before = {**federation_counts(), "recognitions": Recognition.objects.count()}
    replay = deliver(client, envelope)
    assert replay.status_code == 409
    after = {**federation_counts(), "recognitions": Recognition.objects.count()}
    assert after == {**before, "Refusal": before["Refusal"] + 1}


def test_an_assessment_from_an_unknown_region_is_refused(client, remote, ltc):
    stranger = RemoteDeployment("330501")
    envelope = stranger.seal(kind="ltc.assessment", payload={"origin_id": 1}, recipient=HERE)
    assert deliver(client, envelope).status_code == 401
    assert not Recognition.objects.exists()
    assert Refusal.objects.get().reason == "unknown_peer"


def test_a_superseding_assessment_replaces_the_recognition(client, remote, ltc):
    number = new_id_number(THERE)
    valid_until = timezone.localdate() + timedelta(days=300)
    deliver(client, assessment_envelope(remote, number, origin_id=20, valid_until=valid_until))
    later = assessment_envelope(
        remote, number, origin_id=21, valid_until=valid_until + timedelta(days=200),
        supersedes=20, level=5,
    )  # fmt: skip
    answer = verified_reply(deliver(client, later), "ltc.assessment")
    old = Recognition.objects.get(origin_id=20)
    new = Recognition.objects.get(origin_id=21)
    assert answer["replaced"] == [old.pk]
    assert old.status == "replaced" and old.replaced_by_id == new.pk
    assert eligible_by_recognition(number) == new
    assert new.level == 5


def test_sharing_refuses_an_expired_superseded_or_unfinished_assessment(remote, make_person, ltc):
    from jiceng.ltc.services.applications import application_apply
    from tests.ltc.conftest import walk

    _person, _number, first = assessed_person(make_person, ltc)
    with pytest.raises(ValidationError):
        assessment_share(
            actor=ltc["clerk"], assessment=first, peer_code=THERE,
            today=first.valid_until + timedelta(days=1),
        )  # fmt: skip
    assessment_record(
        actor=ltc["clerk"], person=first.person, assessed_on=timezone.localdate(),
        assessor="乙", scores=sheet(100, 16, 12),
    )  # fmt: skip
    first.refresh_from_db()
    with pytest.raises(ValidationError):
        assessment_share(actor=ltc["clerk"], assessment=first, peer_code=THERE)
    _other, number = make_person()
    application = application_apply(actor=ltc["clerk"], person_id_number=number, care_mode="home")
    application = walk(application, ltc["clerk"], "accept", "assign", "assess")
    with pytest.raises(ValidationError):
        assessment_share(actor=ltc["clerk"], assessment=application.assessment, peer_code=THERE)


def test_sharing_with_an_unreachable_peer_fails_cleanly_and_is_logged(remote, make_person, ltc):
    _person, _number, assessment = assessed_person(make_person, ltc)
    with pytest.raises(ExchangeFailed), translation.override("en"):
        assessment_share(actor=ltc["clerk"], assessment=assessment, peer_code=THERE)
    assert MessageLog.objects.get().outcome == "unavailable"
    share = AssessmentShare.objects.get()
    assert (share.assessment, share.peer_code, share.shared_by) == (assessment, THERE, ltc["clerk"])
    assert share.recognition_id is None and "cannot be reached" in share.outcome


# --- Institution sharing (互享) ---------------------------------------------------------------


def test_the_published_list_is_signed_by_this_deployment_and_needs_no_token(
    client, ltc, make_institution
):
    institution = make_institution()
    response = client.get("/api/v1/ltc/federation/institutions")
    assert response.status_code == 200
    document = response.json()
    assert document["kind"] == "ltc.institutions" and document["recipient"] == "*"
    assert document["sender"] == HERE
    signed = {k: v for k, v in document.items() if k != "signature"}
    assert keys.signature_valid(
        own_identity()["public_key"], keys.canonical_json(signed), document["signature"]
    )
    (listed,) = document["payload"]["institutions"]
    assert listed["credit_code"] == institution.credit_code
    assert listed["care_modes"] == ["home", "institution", "visit"]


def peer_document(*entries):
    return {
        "region": THERE,
        "institutions": [
            {
                "id": i,
                "name": f"吴兴护理院{i}",
                "credit_code": "",
                "region_code": "330502001",
                "region_name": "月河街道",
                "care_modes": ["institution", "visit"],
                "beds": 50,
                "capacity": 10,
                "status": status,
            }
            for i, status in entries
        ],
    }


def test_importing_the_peers_list_adds_updates_and_unlists(remote, ltc):
    assert (
        institutions_store(
            peer_code=THERE, document=peer_document((1, "designated"), (2, "designated"))
        )
        == 2
    )
    assert institutions_store(peer_code=THERE, document=peer_document((1, "suspended"))) == 1
    first, second = SharedInstitution.objects.order_by("origin_id")
    assert (first.status, first.listed) == ("suspended", True)
    assert second.listed is False


def test_a_bad_list_changes_nothing(remote, ltc):
    institutions_store(peer_code=THERE, document=peer_document((1, "designated")))
    bad = peer_document((1, "designated"), (2, "closed"))
    with pytest.raises(ExchangeFailed):
        institutions_store(peer_code=THERE, document=bad)
    with pytest.raises(ExchangeFailed):
        institutions_store(peer_code=THERE, document={**peer_document(), "region": "330483"})
    assert list(SharedInstitution.objects.values_list("origin_id", "listed")) == [(1, True)]


def test_a_recognised_person_registered_here_has_the_recognised_level(client, remote, ltc):
    from jiceng.core.services.registries import person_create
    from jiceng.ltc.selectors import current_level

    number = new_id_number(THERE)
    person = person_create(actor=None, name="沈阿婆", id_number=number, region_code="330483001001")
    assert current_level(person) is None
    envelope = assessment_envelope(
        remote, number, origin_id=30, valid_until=timezone.localdate() + timedelta(days=90)
    )
    verified_reply(deliver(client, envelope), "ltc.assessment")
    assert Recognition.objects.get().person == person
    assert current_level(person) == 4


def test_the_scheduled_import_reports_a_peer_it_cannot_reach_and_goes_on(remote, ltc):
    from jiceng.ltc.services.exchanges import institutions_import_all
    from jiceng.schedules import PERIODIC

    assert "ltc-import-peer-institutions" in {job.name for job in PERIODIC}
    with translation.override("en"):
        outcome = institutions_import_all()
    assert list(outcome) == [THERE]
    assert "cannot be reached" in str(outcome[THERE])
    assert not SharedInstitution.objects.exists()
