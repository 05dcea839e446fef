"""The receiving end of federation: `POST /api/v1/federation/messages`.

No token: the envelope's signature is the authentication (see jiceng.federation.messaging).
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Router

from jiceng.federation.messaging import envelope_receive

router = Router(tags=["federation"])


@router.post(
    "/federation/messages",
    auth=None,
    summary="Receive a signed envelope from a peer deployment",
    description="Body: an envelope. 200: the sealed reply envelope. 400/401/403/409: the "
    'envelope was refused, `{"detail", "reason"}`. 422: the handler declined, `{"detail"}`.',
    response={200: dict[str, Any]},
)
def federation_message(request: HttpRequest) -> HttpResponse:
    try:
        envelope = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        envelope = None
    status, body = envelope_receive(envelope, remote_addr=request.META.get("REMOTE_ADDR", ""))
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
