"""The receiving end of federation: `POST /api/v1/federation/messages`.

No token: the envelope's signature is the authentication (see jiceng.federation.messaging).
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Field, Router, Schema

from jiceng.api.schemas import Error
from jiceng.federation.messaging import envelope_receive
from jiceng.federation.models import RefusalReason

router = Router(tags=["federation"])


class Envelope(Schema):
    """A signed envelope (jiceng/federation/messaging.py): the body is read as it came, so that
    the signature is checked on what the peer signed; this schema documents it."""

    payload: dict[str, Any]
    kind: str = Field(pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
    sender: str = Field(pattern=r"^\d{6}$")
    recipient: str
    key_id: str
    timestamp: str = Field(
        json_schema_extra={"format": "date-time"}, description="ISO 8601 with its time zone"
    )
    nonce: str = Field(pattern=r"^[0-9a-f]{32}$")
    # Absent, or a nonce (never null).
    in_reply_to: str = Field(  # type: ignore[assignment]
        None, pattern=r"^[0-9a-f]{32}$", description="a reply's request nonce"
    )
    signature: str = Field(description="base64 Ed25519 signature of the other fields")

    model_config = {"extra": "forbid"}


class Refusal(Schema):
    detail: str
    reason: str = Field(json_schema_extra={"enum": list(RefusalReason.values)})


@router.post(
    "/federation/messages",
    auth=None,
    summary="Receive a signed envelope from a peer deployment",
    description="Body: an envelope. 200: the sealed reply envelope. 400/401/403/409: the "
    'envelope was refused, `{"detail", "reason"}`. 422: the handler declined, `{"detail"}`.',
    response={
        200: dict[str, Any],
        400: Refusal,
        401: Refusal,
        403: Refusal,
        409: Refusal,
        422: Error,
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": Envelope.model_json_schema()}},
        }
    },
)
def federation_message(request: HttpRequest) -> HttpResponse:
    try:
        envelope = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        envelope = None
    status, body = envelope_receive(envelope, remote_addr=request.META.get("REMOTE_ADDR", ""))
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
