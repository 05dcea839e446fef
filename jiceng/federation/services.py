"""Writes of the federation engine: this deployment's key, peers, nonces, refusals, the log."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.federation import keys
from jiceng.federation.access import check_may_manage_peers
from jiceng.federation.models import DeploymentKey, MessageLog, Peer, Refusal, SeenNonce

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from jiceng.core.models import User

COUNTY_CODE = re.compile(r"^\d{6}$")
# Nonces are kept this long; the timestamp window (five minutes) refuses anything older anyway.
NONCE_RETENTION = timedelta(days=1)


def deployment_key_ensure() -> DeploymentKey:
    """This deployment's active key pair, created on first use."""
    existing = DeploymentKey.objects.filter(active=True).first()
    if existing is not None:
        return existing
    private = Ed25519PrivateKey.generate()
    public = keys.public_key_text(private)
    try:
        with transaction.atomic():
            return DeploymentKey.objects.create(
                key_id=keys.key_id_of(public),
                public_key=public,
                private_sealed=keys.private_key_seal(private),
            )
    except IntegrityError:  # another process created it first
        return DeploymentKey.objects.get(active=True)


def _clean_agreement(agreement: Any) -> dict[str, list[str]]:
    if agreement is None:
        return {}
    if not isinstance(agreement, dict) or not all(
        isinstance(k, str) and isinstance(v, list) and all(isinstance(f, str) for f in v)
        for k, v in agreement.items()
    ):
        raise ValidationError(
            {
                "agreement": _(
                    "The agreement must be a JSON object of lists of field names, e.g. "
                    '{"person_status": ["insured", "ltc_level"]}.'
                )
            }
        )
    return {k: list(v) for k, v in agreement.items()}


def peer_add(
    *,
    actor: User | AnonymousUser | None,
    code: str,
    name: str,
    url: str,
    public_key: str,
    agreement: dict[str, list[str]] | None = None,
) -> Peer:
    """Register a peer deployment, or update the one with this code (new address or key),
    enabling it again. Refuses bad input (ValidationError naming the field) and leaves the
    peers as they were."""
    from jiceng.federation.selectors import own_code

    check_may_manage_peers(actor)
    code, name, url, public_key = code.strip(), name.strip(), url.strip(), public_key.strip()
    errors: dict[str, str] = {}
    if not COUNTY_CODE.match(code):
        errors["code"] = _("%(code)r is not a county code (6 digits).") % {"code": code}
    elif code == own_code():
        errors["code"] = _("%(code)s is this deployment's own code.") % {"code": code}
    if not name:
        errors["name"] = _("The name is empty.")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
        errors["url"] = _("%(url)r is not an http(s) address such as http://10.0.0.5:8000.") % {
            "url": url
        }
    try:
        key_id = keys.key_id_of(public_key)
    except ValueError as exc:
        errors["public_key"] = _(
            "The public key must be the base64 of 32 raw bytes (as `jiceng ltc key show` "
            "prints it): %(why)s."
        ) % {"why": exc}
    clean_agreement = _clean_agreement(agreement)
    if errors:
        raise ValidationError(errors)
    fields = {
        "name": name,
        "url": url.rstrip("/"),
        "public_key": public_key,
        "key_id": key_id,
        "agreement": clean_agreement,
        "enabled": True,
        "disabled_at": None,
    }
    with transaction.atomic():
        peer = Peer.objects.select_for_update().filter(code=code).first()
        if peer is None:
            return Peer.objects.create(code=code, **fields)
        for field, value in fields.items():
            setattr(peer, field, value)
        peer.save(update_fields=list(fields))
        return peer


def peer_disable(*, actor: User | AnonymousUser | None, code: str) -> Peer:
    """Stop trusting a peer: its envelopes are refused and nothing is sent to it."""
    check_may_manage_peers(actor)
    with transaction.atomic():
        peer = Peer.objects.select_for_update().filter(code=code.strip()).first()
        if peer is None:
            raise ValidationError(
                {"code": _("No peer deployment has code %(code)r.") % {"code": code}}
            )
        if peer.enabled:
            peer.enabled = False
            peer.disabled_at = timezone.now()
            peer.save(update_fields=["enabled", "disabled_at"])
        return peer


def nonce_consume(*, peer: Peer, nonce: str) -> bool:
    """Record an accepted envelope's nonce; False when it was seen before (a replay). Runs in
    the caller's transaction, in a savepoint, so that a replay does not break it."""
    try:
        with transaction.atomic():
            SeenNonce.objects.create(peer=peer, nonce=nonce)
    except IntegrityError:
        return False
    return True


def refusal_record(
    *, reason: str, sender: str, kind: str, nonce: str, detail: str, remote_addr: str = ""
) -> Refusal:
    return Refusal.objects.create(
        reason=reason,
        sender=sender[:20],
        kind=kind[:60],
        nonce=nonce[:40],
        detail=detail[:300],
        remote_addr=remote_addr[:45],
    )


def message_log_record(
    *, direction: str, peer_code: str, kind: str, nonce: str, outcome: str, detail: str = ""
) -> MessageLog:
    return MessageLog.objects.create(
        direction=direction,
        peer_code=peer_code[:6],
        kind=kind[:60],
        nonce=nonce[:32],
        outcome=outcome,
        detail=detail[:300],
    )


def seen_nonces_prune(*, older_than: timedelta = NONCE_RETENTION) -> int:
    """Forget nonces old enough that their envelopes are refused by timestamp anyway."""
    deleted, _by_model = SeenNonce.objects.filter(seen_at__lt=timezone.now() - older_than).delete()
    return deleted
