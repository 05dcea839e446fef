"""ID numbers at rest: encrypted (AES-GCM) for the roles that may read them, and a keyed digest
(HMAC-SHA256) so that an exact look-up never needs the clear number in the database."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings


@lru_cache(maxsize=4)
def _keys(field_key: str) -> tuple[AESGCM, bytes]:
    root = field_key.encode()
    enc = hashlib.sha256(b"jiceng/id-encryption/" + root).digest()
    mac = hashlib.sha256(b"jiceng/id-digest/" + root).digest()
    return AESGCM(enc), mac


def seal(number: str) -> str:
    aead, _mac = _keys(settings.FIELD_KEY)
    nonce = os.urandom(12)
    return base64.b64encode(nonce + aead.encrypt(nonce, number.encode(), None)).decode()


def unseal(sealed: str) -> str:
    aead, _mac = _keys(settings.FIELD_KEY)
    raw = base64.b64decode(sealed)
    return aead.decrypt(raw[:12], raw[12:], None).decode()


def digest(number: str) -> str:
    _aead, mac = _keys(settings.FIELD_KEY)
    return hmac.new(mac, number.strip().upper().encode(), hashlib.sha256).hexdigest()
