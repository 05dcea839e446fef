"""Secret keys shown once: API tokens, the keys of gas scales and of lift blockers
(`KeyHolder`). A key is a public prefix and 32 random bytes; only its SHA-256 and its first
characters are stored, so a lost key is revoked and a new one issued, never shown again."""

from __future__ import annotations

import hashlib
import secrets
from typing import TypeVar

from django.db.models import QuerySet
from django.utils import timezone

from jiceng.core.models import KeyHolder

Holder = TypeVar("Holder", bound=KeyHolder)

LONGEST_KEY = 100
TOUCH_EVERY_SECONDS = 60  # how stale `last_used_at` may get: no write on every request


def key_digest(plain: str) -> str:
    return hashlib.sha256(plain.encode()).hexdigest()


def key_new(prefix: str) -> tuple[str, dict[str, str]]:
    """A new plain key and the fields that store it (`key_prefix`, `key_digest`)."""
    plain = prefix + secrets.token_urlsafe(32)
    return plain, {"key_prefix": plain[:10], "key_digest": key_digest(plain)}


def key_holder_find(holders: QuerySet[Holder], plain: str, *, prefix: str) -> Holder | None:
    """The unrevoked holder among `holders` of the key `plain`, or None; notes its use."""
    if not plain or not plain.startswith(prefix) or len(plain) > LONGEST_KEY:
        return None
    holder = holders.filter(key_digest=key_digest(plain), revoked_at__isnull=True).first()
    if holder is None:
        return None
    now = timezone.now()
    last = holder.last_used_at
    if last is None or (now - last).total_seconds() > TOUCH_EVERY_SECONDS:
        type(holder)._default_manager.filter(pk=holder.pk).update(last_used_at=now)
        holder.last_used_at = now
    return holder


def key_revoke(holder: KeyHolder) -> None:
    """Revoke the key (once: a second revocation keeps the first time)."""
    if holder.revoked_at is None:
        holder.revoked_at = timezone.now()
        holder.save(update_fields=["revoked_at"])
