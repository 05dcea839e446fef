"""Signed envelopes between deployments: what a receiver accepts, what it refuses, and that a
refused envelope leaves nothing behind but the record of its refusal."""

from __future__ import annotations

import base64
import copy
import json
from datetime import timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jiceng.core.models import Region
from jiceng.federation import keys, messaging
from jiceng.federation.models import MessageLog, Peer, Refusal, SeenNonce
from jiceng.federation.selectors import own_code, own_identity
from jiceng.federation.services import peer_add, peer_disable, seen_nonces_prune
from tests.federation.helpers import RemoteDeployment, federation_counts

HERE, THERE = "330483", "330502"
RECORD_KIND = "tests.record"
DECLINE_KIND = "tests.decline"
handled: list[dict[str, Any]] = []


def record_handler(opened: messaging.Opened) -> dict[str, Any]:
    """A handler with side effects in the database and in memory."""
    handled.append(opened.payload)
    Region.objects.create(code="330502999", name="handled", level="town", prefix="330502999")
    return {"recorded": opened.payload.get("n")}


def decline_handler(opened: messaging.Opened) -> dict[str, Any]:
    Region.objects.create(code="330502998", name="declined", level="town", prefix="330502998")
    raise messaging.HandlerRefused("the assessment has expired")


messaging.register_handler(RECORD_KIND, record_handler)
messaging.register_handler(DECLINE_KIND, decline_handler)


@pytest.fixture
def here(settings, db):
    settings.JICENG_REGION_CODE = HERE
    handled.clear()
    return HERE


@pytest.fixture
def remote(here) -> RemoteDeployment:
    there = RemoteDeployment(THERE)
    peer_add(
        actor=None,
        code=THERE,
        name="吴兴区",
        url="http://127.0.0.1:8001",
        public_key=there.public_key,
    )
    return there


def snapshot() -> dict[str, int]:
    return {**federation_counts(), "regions": Region.objects.count(), "handled": len(handled)}


def assert_only_a_refusal(before: dict[str, int], reason: str) -> None:
    after = snapshot()
    assert after == {**before, "Refusal": before["Refusal"] + 1}
    assert Refusal.objects.order_by("-pk").first().reason == reason


def test_an_envelope_sealed_here_opens_there_with_its_payload_intact(settings, here):
    payload = {"name": "沈阿姨", "assessed_on": timezone.localdate(), "level": 3}
    envelope = messaging.envelope_seal(kind=RECORD_KIND, payload=payload, recipient=THERE)

    assert set(envelope) == {
        "payload", "kind", "sender", "recipient", "key_id", "timestamp", "nonce", "signature"
    }  # fmt: skip
    assert envelope["sender"] == HERE and envelope["recipient"] == THERE
    assert len(envelope["nonce"]) == 32
    # The signature covers the canonical JSON of every other field, with this deployment's key.
    identity = own_identity()
    signed = {k: v for k, v in envelope.items() if k != "signature"}
    canonical = json.dumps(signed, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    Ed25519PublicKey.from_public_bytes(base64.b64decode(identity["public_key"])).verify(
        base64.b64decode(envelope["signature"]), canonical.encode("utf-8")
    )

    # The same database plays the other deployment: 330502, with 330483 as its peer.
    settings.JICENG_REGION_CODE = THERE
    peer_add(actor=None, code=HERE, name="桐乡市", url="http://127.0.0.1:8000",
             public_key=identity["public_key"])  # fmt: skip
    wire = json.loads(json.dumps(envelope, ensure_ascii=False))
    opened = messaging.envelope_open(wire, kind=RECORD_KIND)
    assert opened.peer.code == HERE
    assert opened.payload == {
        "name": "沈阿姨",
        "assessed_on": str(payload["assessed_on"]),
        "level": 3,
    }
    assert SeenNonce.objects.filter(nonce=envelope["nonce"], peer__code=HERE).count() == 1


def test_key_show_identity_is_the_county_and_a_32_byte_public_key(here):
    identity = own_identity()
    assert identity["code"] == HERE
    assert len(base64.b64decode(identity["public_key"])) == 32
    assert identity == own_identity()  # created once, then the same key


def test_an_accepted_envelope_is_answered_with_a_reply_signed_by_the_receiver(remote):
    envelope = remote.seal(kind=RECORD_KIND, payload={"n": 7}, recipient=HERE)
    status, reply = messaging.envelope_receive(envelope)

    assert status == 200
    assert reply["kind"] == RECORD_KIND + ".reply"
    assert reply["payload"] == {"recorded": 7}
    assert reply["recipient"] == THERE and reply["in_reply_to"] == envelope["nonce"]
    signed = {k: v for k, v in reply.items() if k != "signature"}
    assert keys.signature_valid(
        own_identity()["public_key"], keys.canonical_json(signed), reply["signature"]
    )
    assert handled == [{"n": 7}]
    log = MessageLog.objects.get()
    assert (log.direction, log.peer_code, log.kind, log.outcome) == (
        "in", THERE, RECORD_KIND, "accepted"
    )  # fmt: skip


def _tampered(remote: RemoteDeployment) -> dict[str, Any]:
    envelope = remote.seal(kind=RECORD_KIND, payload={"n": 1, "level": 2}, recipient=HERE)
    envelope["payload"]["level"] = 5
    return envelope


def _unknown_peer(remote: RemoteDeployment) -> dict[str, Any]:
    return RemoteDeployment("330521").seal(kind=RECORD_KIND, payload={"n": 1}, recipient=HERE)


def _disabled_peer(remote: RemoteDeployment) -> dict[str, Any]:
    peer_disable(actor=None, code=THERE)
    return remote.seal(kind=RECORD_KIND, payload={"n": 1}, recipient=HERE)


def _wrong_recipient(remote: RemoteDeployment) -> dict[str, Any]:
    return remote.seal(kind=RECORD_KIND, payload={"n": 1}, recipient="330421")


def _stale(remote: RemoteDeployment) -> dict[str, Any]:
    at = timezone.now() - timedelta(minutes=6)
    return remote.seal(kind=RECORD_KIND, payload={"n": 1}, recipient=HERE, at=at)


def _from_the_future(remote: RemoteDeployment) -> dict[str, Any]:
    at = timezone.now() + timedelta(minutes=6)
    return remote.seal(kind=RECORD_KIND, payload={"n": 1}, recipient=HERE, at=at)


def _forged(remote: RemoteDeployment) -> dict[str, Any]:
    """Claims to be 330502 with 330502's key id, signed by somebody else's key."""
    forger = RemoteDeployment(THERE)
    forger.key_id = remote.key_id
    return forger.seal(kind=RECORD_KIND, payload={"n": 1}, recipient=HERE)


def _malformed(remote: RemoteDeployment) -> dict[str, Any]:
    envelope = remote.seal(kind=RECORD_KIND, payload={"n": 1}, recipient=HERE)
    del envelope["nonce"]
    return envelope


def _unknown_kind(remote: RemoteDeployment) -> dict[str, Any]:
    return remote.seal(kind="tests.nobody_answers", payload={"n": 1}, recipient=HERE)


@pytest.mark.parametrize(
    ("make", "reason", "status"),
    [
        (_tampered, "bad_signature", 401),
        (_forged, "bad_signature", 401),
        (_unknown_peer, "unknown_peer", 401),
        (_disabled_peer, "disabled_peer", 403),
        (_wrong_recipient, "wrong_recipient", 403),
        (_stale, "stale_timestamp", 401),
        (_from_the_future, "stale_timestamp", 401),
        (_malformed, "malformed", 400),
        (_unknown_kind, "unknown_kind", 400),
    ],
    ids=lambda v: v.__name__.strip("_") if callable(v) else None,
)
def test_a_bad_envelope_is_refused_with_nothing_recorded_but_the_refusal(
    remote, make, reason, status
):
    envelope = make(remote)
    before = snapshot()

    answer_status, body = messaging.envelope_receive(envelope, remote_addr="10.0.0.9")

    assert (answer_status, body["reason"]) == (status, reason)
    assert body["detail"]
    assert_only_a_refusal(before, reason)
    refusal = Refusal.objects.get()
    assert refusal.remote_addr == "10.0.0.9"
    assert "payload" not in refusal.detail and "level" not in refusal.detail


def test_a_replayed_envelope_is_refused_and_its_handler_not_run_again(remote):
    envelope = remote.seal(kind=RECORD_KIND, payload={"n": 3}, recipient=HERE)
    assert messaging.envelope_receive(copy.deepcopy(envelope))[0] == 200
    before = snapshot()

    status, body = messaging.envelope_receive(copy.deepcopy(envelope))

    assert (status, body["reason"]) == (409, "replayed_nonce")
    assert_only_a_refusal(before, "replayed_nonce")
    assert handled == [{"n": 3}]


def test_the_endpoint_takes_envelopes_without_a_token_and_refuses_garbage(client, remote):
    envelope = remote.seal(kind=messaging.PING_KIND, payload={"hello": "湖州"}, recipient=HERE)
    url = "/api/v1/federation/messages"
    response = client.post(url, data=json.dumps(envelope), content_type="application/json")
    assert response.status_code == 200
    assert response.json()["payload"] == {"code": HERE, "sender": THERE, "echo": {"hello": "湖州"}}

    before = snapshot()
    response = client.post(url, data=b"\xff not json", content_type="application/json")
    assert response.status_code == 400 and response.json()["reason"] == "malformed"
    assert_only_a_refusal(before, "malformed")


def test_a_handler_that_declines_answers_422_keeps_nothing_of_its_work_but_uses_the_nonce(remote):
    envelope = remote.seal(kind=DECLINE_KIND, payload={"n": 1}, recipient=HERE)
    regions = Region.objects.count()

    status, body = messaging.envelope_receive(copy.deepcopy(envelope))

    assert (status, body) == (422, {"detail": "the assessment has expired"})
    assert Region.objects.count() == regions
    assert SeenNonce.objects.count() == 1
    assert MessageLog.objects.get().outcome == "handler_refused"
    assert messaging.envelope_receive(envelope)[0] == 409


def test_a_peer_is_added_only_with_a_32_byte_key_and_a_county_code(here, users):
    with pytest.raises(ValidationError) as refused:
        peer_add(actor=None, code=THERE, name="吴兴区", url="http://x:1", public_key="abc=")
    assert "public_key" in refused.value.message_dict
    short = base64.b64encode(b"\x01" * 31).decode()
    with pytest.raises(ValidationError) as refused:
        peer_add(actor=None, code="3305", name="", url="ftp://x", public_key=short)
    assert set(refused.value.message_dict) == {"code", "name", "url", "public_key"}
    with pytest.raises(ValidationError):
        peer_add(actor=None, code=HERE, name="self", url="http://x:1", public_key=short + "A")
    assert Peer.objects.count() == 0

    key = RemoteDeployment(THERE).public_key
    with pytest.raises(PermissionDenied):
        peer_add(actor=users["wutong"], code=THERE, name="吴兴区", url="http://x:1", public_key=key)
    assert Peer.objects.count() == 0
    peer = peer_add(
        actor=users["admin"],
        code=THERE,
        name="吴兴区",
        url="http://127.0.0.1:8001/",
        public_key=key,
        agreement={"person_status": ["insured", "ltc_level"]},
    )
    assert (peer.url, peer.enabled, peer.agreement["person_status"]) == (
        "http://127.0.0.1:8001", True, ["insured", "ltc_level"]
    )  # fmt: skip


def test_this_deployment_is_the_county_its_administrators_run(settings, users):
    settings.JICENG_REGION_CODE = ""
    # The tree holds the neighbouring 吴兴区 too; the administrators are 桐乡's.
    assert Region.objects.filter(level="county").count() == 2
    assert own_code() == HERE


def test_old_nonces_are_pruned_and_recent_ones_kept(remote):
    peer = Peer.objects.get(code=THERE)
    old = SeenNonce.objects.create(peer=peer, nonce="a" * 32)
    SeenNonce.objects.filter(pk=old.pk).update(seen_at=timezone.now() - timedelta(days=2))
    SeenNonce.objects.create(peer=peer, nonce="b" * 32)
    assert seen_nonces_prune() == 1
    assert list(SeenNonce.objects.values_list("nonce", flat=True)) == ["b" * 32]


def _serve_document(monkeypatch, document: dict[str, Any]) -> None:
    """The peer's web server, answering a GET with `document` (the network is not under test)."""
    monkeypatch.setattr(messaging, "_http", lambda request, timeout: (200, document))


def test_a_published_document_is_accepted_for_a_day_and_then_refused(remote, monkeypatch):
    fresh = remote.seal(
        kind="tests.listing", payload={"items": [1, 2]}, recipient="*",
        at=timezone.now() - timedelta(hours=23),
    )  # fmt: skip
    _serve_document(monkeypatch, fresh)
    got = messaging.fetch_document(peer_code=THERE, path="/listing", kind="tests.listing")
    assert got == {"items": [1, 2]}
    # Published documents may be fetched again: no nonce is consumed.
    assert messaging.fetch_document(peer_code=THERE, path="/listing", kind="tests.listing")
    assert SeenNonce.objects.count() == 0

    old = remote.seal(
        kind="tests.listing", payload={"items": []}, recipient="*",
        at=timezone.now() - timedelta(hours=25),
    )  # fmt: skip
    _serve_document(monkeypatch, old)
    with pytest.raises(messaging.EnvelopeRefused) as refused:
        messaging.fetch_document(peer_code=THERE, path="/listing", kind="tests.listing")
    assert refused.value.reason_code == "stale_timestamp"


def test_a_published_document_signed_by_another_key_or_for_one_peer_is_refused(remote, monkeypatch):
    forger = RemoteDeployment(THERE)
    forger.key_id = remote.key_id
    _serve_document(monkeypatch, forger.seal(kind="tests.listing", payload={}, recipient="*"))
    with pytest.raises(messaging.EnvelopeRefused) as refused:
        messaging.fetch_document(peer_code=THERE, path="/listing", kind="tests.listing")
    assert refused.value.reason_code == "bad_signature"

    _serve_document(monkeypatch, remote.seal(kind="tests.listing", payload={}, recipient=HERE))
    with pytest.raises(messaging.EnvelopeRefused) as refused:
        messaging.fetch_document(peer_code=THERE, path="/listing", kind="tests.listing")
    assert refused.value.reason_code == "wrong_recipient"
    outcomes = list(MessageLog.objects.values_list("direction", "outcome"))
    assert outcomes == [("out", "bad_reply"), ("out", "bad_reply")]
