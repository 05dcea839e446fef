"""Envelopes from a deployment that is not this one: a peer's key held by the test."""

from __future__ import annotations

import base64
import secrets
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.apps import apps
from django.utils import timezone

from jiceng.federation import keys

RAW = serialization.Encoding.Raw


class RemoteDeployment:
    """Another county's deployment, as far as its signatures go."""

    def __init__(self, code: str) -> None:
        self.code = code
        self.private = Ed25519PrivateKey.generate()
        raw = self.private.public_key().public_bytes(RAW, serialization.PublicFormat.Raw)
        self.public_key = base64.b64encode(raw).decode()
        self.key_id = keys.key_id_of(self.public_key)

    def seal(
        self,
        *,
        kind: str,
        payload: dict[str, Any],
        recipient: str,
        at: datetime | None = None,
        nonce: str | None = None,
    ) -> dict[str, Any]:
        envelope: dict[str, Any] = {
            "payload": keys.plain_json(payload),
            "kind": kind,
            "sender": self.code,
            "recipient": recipient,
            "key_id": self.key_id,
            "timestamp": (at or timezone.now()).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "nonce": nonce or secrets.token_hex(16),
        }
        envelope["signature"] = keys.sign(self.private, keys.canonical_json(envelope))
        return envelope


def federation_counts() -> dict[str, int]:
    """Rows of every federation model."""
    return {
        model.__name__: model._default_manager.count()
        for model in apps.get_app_config("federation").get_models()
    }
