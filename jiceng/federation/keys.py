"""Ed25519 keys and signatures, and the canonical JSON that a signature covers.

The private key is sealed with AES-GCM under a key derived from JICENG_FIELD_KEY (its own
derivation, apart from the one that encrypts ID numbers), so that a copy of the database alone
does not let anybody sign for this deployment.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder

PUBLIC_KEY_BYTES = 32
SIGNATURE_BYTES = 64
KEY_ID_LENGTH = 16

_RAW = serialization.Encoding.Raw


@lru_cache(maxsize=4)
def _sealing_key(field_key: str) -> AESGCM:
    return AESGCM(hashlib.sha256(b"jiceng/federation-key/" + field_key.encode()).digest())


def private_key_seal(key: Ed25519PrivateKey) -> str:
    raw = key.private_bytes(_RAW, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    nonce = os.urandom(12)
    sealed = _sealing_key(settings.FIELD_KEY).encrypt(nonce, raw, b"jiceng/ed25519")
    return base64.b64encode(nonce + sealed).decode()


def private_key_unseal(sealed: str) -> Ed25519PrivateKey:
    raw = base64.b64decode(sealed)
    plain = _sealing_key(settings.FIELD_KEY).decrypt(raw[:12], raw[12:], b"jiceng/ed25519")
    return Ed25519PrivateKey.from_private_bytes(plain)


def public_key_text(key: Ed25519PrivateKey) -> str:
    """Base64 of the raw 32 bytes of the public half."""
    return base64.b64encode(
        key.public_key().public_bytes(_RAW, serialization.PublicFormat.Raw)
    ).decode()


def public_key_bytes(text: str) -> bytes:
    """The raw public key from its base64 text; ValueError unless it is 32 bytes."""
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("not base64") from None
    if len(raw) != PUBLIC_KEY_BYTES:
        raise ValueError(f"{len(raw)} bytes, not {PUBLIC_KEY_BYTES}")
    return raw


def key_id_of(public_key: str) -> str:
    """A short id of a public key: the first 16 hex digits of the SHA-256 of its raw bytes."""
    return hashlib.sha256(public_key_bytes(public_key)).hexdigest()[:KEY_ID_LENGTH]


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no spaces, UTF-8 without escaping: the bytes a signature covers."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def plain_json(value: Any) -> Any:
    """`value` as it will arrive on the other side: dates, decimals and UUIDs as strings."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, allow_nan=False))


def sign(key: Ed25519PrivateKey, message: bytes) -> str:
    return base64.b64encode(key.sign(message)).decode()


def signature_valid(public_key: str, message: bytes, signature: str) -> bool:
    try:
        raw_signature = base64.b64decode(signature, validate=True)
        verifier = Ed25519PublicKey.from_public_bytes(public_key_bytes(public_key))
        verifier.verify(raw_signature, message)
    except (binascii.Error, ValueError, InvalidSignature):
        return False
    return True
