"""Signed envelopes between deployments: sealing, opening, receiving, sending.

An envelope is a JSON object::

    {"payload": {...}, "kind": "ltc.person_status", "sender": "330483", "recipient": "330502",
     "key_id": "…", "timestamp": "2026-11-29T08:00:00Z", "nonce": "<32 hex digits>",
     "signature": "<base64 Ed25519 signature>"}

The signature covers the canonical JSON (sorted keys, no spaces, UTF-8) of every field but
"signature". A reply also carries "in_reply_to" (the request's nonce), signed with the rest, so
that an old reply cannot pass for a new one.

The receiver refuses, and records in `Refusal` and nowhere else, an envelope that is malformed,
comes from an unknown or disabled peer, is addressed to another deployment, does not verify
against the peer's registered key, is stamped more than five minutes away from the receiver's
clock, or repeats a nonce it has accepted before. Every accepted envelope and every message
sent is written to `MessageLog`.

Modules answer kinds of message by registering a handler in their AppConfig.ready()::

    messaging.register_handler("ltc.person_status", person_status_answer)

A handler gets the `Opened` envelope, runs in a transaction together with the consumption of
the nonce, and returns the reply's payload; it raises `HandlerRefused` to answer 422 (the nonce
stays consumed, the handler's writes are rolled back).
"""

from __future__ import annotations

import json
import re
import secrets
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from jiceng.federation import keys, services
from jiceng.federation.models import MessageLog, Peer, RefusalReason
from jiceng.federation.selectors import own_code, own_key, peer_for_code

MESSAGES_PATH = "/api/v1/federation/messages"
PING_KIND = "federation.ping"
REPLY_SUFFIX = ".reply"
CLOCK_SKEW = timedelta(minutes=5)
DOCUMENT_MAX_AGE = timedelta(hours=24)
BROADCAST = "*"

SIGNED_FIELDS = frozenset(
    {"payload", "kind", "sender", "recipient", "key_id", "timestamp", "nonce"}
)
OPTIONAL_FIELDS = frozenset({"in_reply_to"})
_NONCE = re.compile(r"^[0-9a-f]{32}$")
_CODE = re.compile(r"^\d{6}$")
_KIND = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")

# HTTP status of each refusal, as the receiving endpoint answers it.
REFUSAL_STATUS = {
    RefusalReason.MALFORMED: 400,
    RefusalReason.WRONG_KIND: 400,
    RefusalReason.UNKNOWN_KIND: 400,
    RefusalReason.UNKNOWN_PEER: 401,
    RefusalReason.BAD_SIGNATURE: 401,
    RefusalReason.STALE_TIMESTAMP: 401,
    RefusalReason.DISABLED_PEER: 403,
    RefusalReason.WRONG_RECIPIENT: 403,
    RefusalReason.REPLAYED_NONCE: 409,
}


class EnvelopeRefused(Exception):
    """An envelope was refused: `reason_code` is a RefusalReason value, `detail` says why."""

    def __init__(self, reason_code: str, detail: str):
        super().__init__(f"{reason_code}: {detail}")
        self.reason_code = reason_code
        self.detail = detail

    @property
    def http_status(self) -> int:
        return REFUSAL_STATUS.get(RefusalReason(self.reason_code), 400)


class HandlerRefused(Exception):
    """A handler declines the request (e.g. an assessment that has expired): 422 `{"detail"}`."""

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


class PeerUnavailable(Exception):
    """The peer could not be reached or did not answer as a Jiceng deployment does."""


@dataclass(frozen=True)
class Opened:
    peer: Peer
    kind: str
    payload: dict[str, Any]
    nonce: str


Handler = Callable[[Opened], dict[str, Any]]
_HANDLERS: dict[str, Handler] = {}


def register_handler(kind: str, handler: Handler) -> None:
    """Answer envelopes of `kind` with `handler` (from an AppConfig.ready())."""
    if not _KIND.match(kind) or kind.endswith(REPLY_SUFFIX):
        raise ValueError(f"{kind!r} is not a kind of message (module.name, lower case)")
    current = _HANDLERS.get(kind)
    if current is not None and current is not handler:
        raise ValueError(f"a handler for {kind!r} is registered already: {current!r}")
    _HANDLERS[kind] = handler


def handler_for(kind: str) -> Handler | None:
    return _HANDLERS.get(kind)


# --- Sealing --------------------------------------------------------------------------------


def _timestamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def envelope_seal(
    *,
    kind: str,
    payload: dict[str, Any],
    recipient: str,
    at: datetime | None = None,
    in_reply_to: str | None = None,
) -> dict[str, Any]:
    """A signed envelope from this deployment to `recipient` (a county code, or "*" for a
    published document). `at` is for tests and tools that must stamp another time."""
    key = own_key()
    envelope: dict[str, Any] = {
        "payload": keys.plain_json(payload),
        "kind": kind,
        "sender": own_code(),
        "recipient": recipient,
        "key_id": key.key_id,
        "timestamp": _timestamp(at or timezone.now()),
        "nonce": secrets.token_hex(16),
    }
    if in_reply_to is not None:
        envelope["in_reply_to"] = in_reply_to
    private = keys.private_key_unseal(key.private_sealed)
    envelope["signature"] = keys.sign(private, keys.canonical_json(envelope))
    return envelope


def document_sign(*, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    """A published document (e.g. a list of institutions): an envelope to every peer ("*")."""
    return envelope_seal(kind=kind, payload=payload, recipient=BROADCAST)


# --- Verifying ------------------------------------------------------------------------------


def _claimed(envelope: Any, field: str) -> str:
    value = envelope.get(field) if isinstance(envelope, dict) else None
    return value if isinstance(value, str) else ""


def _well_formed(envelope: Any) -> datetime:
    """The envelope's timestamp, once every field has been checked for shape."""

    def refuse(detail: str) -> EnvelopeRefused:
        return EnvelopeRefused(RefusalReason.MALFORMED, detail)

    if not isinstance(envelope, dict):
        raise refuse("the envelope is not a JSON object")
    fields = set(envelope)
    missing = (SIGNED_FIELDS | {"signature"}) - fields
    if missing:
        raise refuse(f"missing fields: {', '.join(sorted(missing))}")
    extra = fields - SIGNED_FIELDS - OPTIONAL_FIELDS - {"signature"}
    if extra:
        raise refuse(f"unknown fields: {', '.join(sorted(extra))}")
    if not isinstance(envelope["payload"], dict):
        raise refuse("payload: not a JSON object")
    for field in ("kind", "sender", "recipient", "key_id", "timestamp", "nonce", "signature"):
        if not isinstance(envelope[field], str):
            raise refuse(f"{field}: not a string")
    if not _KIND.match(envelope["kind"]):
        raise refuse("kind: not a kind of message")
    if not _CODE.match(envelope["sender"]):
        raise refuse("sender: not a county code")
    if not _NONCE.match(envelope["nonce"]):
        raise refuse("nonce: not 32 hexadecimal digits")
    if "in_reply_to" in envelope and not (
        isinstance(envelope["in_reply_to"], str) and _NONCE.match(envelope["in_reply_to"])
    ):
        raise refuse("in_reply_to: not a nonce")
    try:
        stamped = datetime.fromisoformat(envelope["timestamp"])
    except ValueError:
        raise refuse("timestamp: not ISO-8601") from None
    if stamped.tzinfo is None:
        raise refuse("timestamp: no time zone")
    return stamped


def _verified(
    envelope: Any,
    *,
    kind: str | None,
    recipient: str,
    max_age: timedelta = CLOCK_SKEW,
) -> tuple[Peer, datetime]:
    """The peer that signed `envelope`, or EnvelopeRefused. Records nothing."""
    stamped = _well_formed(envelope)
    sender = envelope["sender"]
    peer = peer_for_code(sender)
    if peer is None:
        raise EnvelopeRefused(RefusalReason.UNKNOWN_PEER, f"{sender} is not a registered peer")
    if not peer.enabled:
        raise EnvelopeRefused(RefusalReason.DISABLED_PEER, f"peer {sender} is disabled")
    if envelope["recipient"] != recipient:
        raise EnvelopeRefused(
            RefusalReason.WRONG_RECIPIENT,
            f"addressed to {envelope['recipient']!r}, this is {recipient}",
        )
    if envelope["key_id"] != peer.key_id:
        raise EnvelopeRefused(
            RefusalReason.BAD_SIGNATURE,
            f"signed with key {envelope['key_id']!r}; {sender} is registered with {peer.key_id}",
        )
    signed = {k: v for k, v in envelope.items() if k != "signature"}
    if not keys.signature_valid(
        peer.public_key, keys.canonical_json(signed), envelope["signature"]
    ):
        raise EnvelopeRefused(RefusalReason.BAD_SIGNATURE, "the signature does not verify")
    now = timezone.now()
    if stamped > now + CLOCK_SKEW or stamped < now - max_age:
        raise EnvelopeRefused(
            RefusalReason.STALE_TIMESTAMP,
            f"stamped {envelope['timestamp']}, this deployment's clock says {_timestamp(now)}",
        )
    if kind is not None and envelope["kind"] != kind:
        raise EnvelopeRefused(
            RefusalReason.WRONG_KIND, f"expected {kind!r}, got {envelope['kind']!r}"
        )
    return peer, stamped


def _refuse_and_record(refused: EnvelopeRefused, envelope: Any, remote_addr: str) -> None:
    services.refusal_record(
        reason=refused.reason_code,
        sender=_claimed(envelope, "sender"),
        kind=_claimed(envelope, "kind"),
        nonce=_claimed(envelope, "nonce"),
        detail=refused.detail,
        remote_addr=remote_addr,
    )


def _open(envelope: Any, *, kind: str | None, remote_addr: str, require_handler: bool) -> Opened:
    try:
        peer, _stamped = _verified(envelope, kind=kind, recipient=own_code())
        if "in_reply_to" in envelope:
            raise EnvelopeRefused(RefusalReason.WRONG_KIND, "a reply is not a request")
        if require_handler and handler_for(envelope["kind"]) is None:
            raise EnvelopeRefused(
                RefusalReason.UNKNOWN_KIND,
                f"this deployment does not answer {envelope['kind']!r}",
            )
        if not services.nonce_consume(peer=peer, nonce=envelope["nonce"]):
            raise EnvelopeRefused(
                RefusalReason.REPLAYED_NONCE, f"nonce {envelope['nonce']} was accepted before"
            )
    except EnvelopeRefused as refused:
        _refuse_and_record(refused, envelope, remote_addr)
        raise
    return Opened(
        peer=peer, kind=envelope["kind"], payload=envelope["payload"], nonce=envelope["nonce"]
    )


def envelope_open(envelope: Any, *, kind: str | None = None, remote_addr: str = "") -> Opened:
    """Verify an envelope addressed to this deployment and consume its nonce (in the caller's
    transaction). On refusal, records a `Refusal` and raises EnvelopeRefused: call it outside
    a transaction, or catch EnvelopeRefused inside the transaction, so the record stays."""
    return _open(envelope, kind=kind, remote_addr=remote_addr, require_handler=False)


def envelope_receive(envelope: Any, *, remote_addr: str = "") -> tuple[int, dict[str, Any]]:
    """What the receiving endpoint answers: (HTTP status, body). 200 with the sealed reply;
    a refusal's status with {"detail", "reason"}; 422 {"detail"} when the handler refuses."""
    with transaction.atomic():
        try:
            opened = _open(envelope, kind=None, remote_addr=remote_addr, require_handler=True)
        except EnvelopeRefused as refused:
            return refused.http_status, {"detail": refused.detail, "reason": refused.reason_code}
        handler = handler_for(opened.kind)
        assert handler is not None  # checked by _open
        try:
            with transaction.atomic():
                answer = handler(opened)
        except HandlerRefused as declined:
            _log(
                MessageLog.Direction.IN,
                opened.peer.code,
                opened.kind,
                opened.nonce,
                MessageLog.Outcome.HANDLER_REFUSED,
                declined.detail,
            )
            return 422, {"detail": declined.detail}
        _log(
            MessageLog.Direction.IN,
            opened.peer.code,
            opened.kind,
            opened.nonce,
            MessageLog.Outcome.ACCEPTED,
        )
        reply = envelope_seal(
            kind=opened.kind + REPLY_SUFFIX,
            payload=answer,
            recipient=opened.peer.code,
            in_reply_to=opened.nonce,
        )
    return 200, reply


def _log(
    direction: str, peer_code: str, kind: str, nonce: str, outcome: str, detail: str = ""
) -> None:
    services.message_log_record(
        direction=direction,
        peer_code=peer_code,
        kind=kind,
        nonce=nonce,
        outcome=outcome,
        detail=detail,
    )


# --- Sending --------------------------------------------------------------------------------


def _enabled_peer(peer_code: str) -> Peer:
    peer = peer_for_code(peer_code)
    if peer is None:
        raise EnvelopeRefused(RefusalReason.UNKNOWN_PEER, f"{peer_code} is not a registered peer")
    if not peer.enabled:
        raise EnvelopeRefused(RefusalReason.DISABLED_PEER, f"peer {peer_code} is disabled")
    return peer


def _http(request: urllib.request.Request, timeout: float) -> tuple[int, Any]:
    """(status, parsed JSON body or None)."""
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - http(s) peer URL
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    except (urllib.error.URLError, OSError, TimeoutError) as error:
        raise PeerUnavailable(str(getattr(error, "reason", error))) from None
    try:
        return status, json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return status, None


def send(
    *, peer_code: str, kind: str, payload: dict[str, Any], timeout: float = 10
) -> dict[str, Any]:
    """Seal `payload` for a peer, post it, verify the signed reply and return its payload.

    Raises EnvelopeRefused (the peer refused the envelope, or its reply did not verify),
    HandlerRefused (the peer's handler declined, 422) or PeerUnavailable (network, or an
    answer that is not from a Jiceng deployment). Each attempt is logged.
    """
    peer = _enabled_peer(peer_code)
    envelope = envelope_seal(kind=kind, payload=payload, recipient=peer.code)
    nonce = envelope["nonce"]
    body = json.dumps(envelope, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(  # noqa: S310 - peer_add allows http(s) only
        peer.url + MESSAGES_PATH,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "Accept": "application/json"},
    )
    out = MessageLog.Direction.OUT
    try:
        status, answer = _http(request, timeout)
    except PeerUnavailable as unavailable:
        _log(out, peer.code, kind, nonce, MessageLog.Outcome.UNAVAILABLE, str(unavailable))
        raise
    if status == 200 and isinstance(answer, dict):
        try:
            _reply_verified(answer, peer=peer, kind=kind + REPLY_SUFFIX, nonce=nonce)
        except EnvelopeRefused as bad:
            _log(out, peer.code, kind, nonce, MessageLog.Outcome.BAD_REPLY, bad.detail)
            raise
        _log(out, peer.code, kind, nonce, MessageLog.Outcome.ANSWERED)
        reply_payload: dict[str, Any] = answer["payload"]
        return reply_payload
    detail = str(answer.get("detail", "")) if isinstance(answer, dict) else ""
    if status == 422:
        _log(out, peer.code, kind, nonce, MessageLog.Outcome.HANDLER_REFUSED, detail)
        raise HandlerRefused(detail)
    reason = answer.get("reason") if isinstance(answer, dict) else None
    if reason in RefusalReason.values:
        _log(out, peer.code, kind, nonce, MessageLog.Outcome.REFUSED, f"{reason}: {detail}")
        raise EnvelopeRefused(str(reason), f"{peer.code} refused the envelope: {detail}")
    _log(out, peer.code, kind, nonce, MessageLog.Outcome.UNAVAILABLE, f"HTTP {status}")
    raise PeerUnavailable(f"{peer.url} answered HTTP {status}")


def _reply_verified(reply: Any, *, peer: Peer, kind: str, nonce: str) -> None:
    signer, _stamped = _verified(reply, kind=kind, recipient=own_code())
    if signer.pk != peer.pk:
        raise EnvelopeRefused(RefusalReason.BAD_SIGNATURE, f"the reply comes from {signer.code}")
    if reply.get("in_reply_to") != nonce:
        raise EnvelopeRefused(RefusalReason.WRONG_KIND, "the reply answers another envelope")


def fetch_document(*, peer_code: str, path: str, kind: str, timeout: float = 10) -> dict[str, Any]:
    """GET a document the peer publishes (e.g. its institutions), verify that the peer signed
    it for everybody ("*") within the last 24 hours, and return its payload."""
    peer = _enabled_peer(peer_code)
    if not path.startswith("/"):
        raise ValueError(f"{path!r}: a path on the peer, starting with /")
    request = urllib.request.Request(  # noqa: S310 - peer_add allows http(s) only
        peer.url + path, headers={"Accept": "application/json"}
    )
    out = MessageLog.Direction.OUT
    try:
        status, answer = _http(request, timeout)
    except PeerUnavailable as unavailable:
        _log(out, peer.code, kind, "", MessageLog.Outcome.UNAVAILABLE, str(unavailable))
        raise
    if status != 200 or not isinstance(answer, dict):
        _log(out, peer.code, kind, "", MessageLog.Outcome.UNAVAILABLE, f"HTTP {status}")
        raise PeerUnavailable(f"{peer.url}{path} answered HTTP {status}")
    try:
        signer, _stamped = _verified(
            answer, kind=kind, recipient=BROADCAST, max_age=DOCUMENT_MAX_AGE
        )
        if signer.pk != peer.pk:
            raise EnvelopeRefused(RefusalReason.BAD_SIGNATURE, f"signed by {signer.code}")
    except EnvelopeRefused as bad:
        _log(
            out,
            peer.code,
            kind,
            _claimed(answer, "nonce"),
            MessageLog.Outcome.BAD_REPLY,
            bad.detail,
        )
        raise
    _log(out, peer.code, kind, answer["nonce"], MessageLog.Outcome.ANSWERED)
    document: dict[str, Any] = answer["payload"]
    return document


# --- Ping -----------------------------------------------------------------------------------


def ping_answer(opened: Opened) -> dict[str, Any]:
    """`federation.ping`: a harmless echo, to test a peering from either side."""
    return {"code": own_code(), "sender": opened.peer.code, "echo": opened.payload}


def ping(*, peer_code: str, timeout: float = 10) -> dict[str, Any]:
    return send(
        peer_code=peer_code,
        kind=PING_KIND,
        payload={"sent_at": _timestamp(timezone.now())},
        timeout=timeout,
    )
