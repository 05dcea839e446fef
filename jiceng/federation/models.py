"""Federation records: this deployment's key, its peers, the nonces it has accepted, the
envelopes it refused and the log of every message in and out."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class DeploymentKey(models.Model):
    """This deployment's Ed25519 key pair. The private key is stored sealed (AES-GCM under a key
    derived from JICENG_FIELD_KEY); only one key is active at a time."""

    key_id = models.CharField(_("key id"), max_length=16, unique=True)
    public_key = models.CharField(_("public key"), max_length=64)  # base64 of the raw 32 bytes
    private_sealed = models.TextField(editable=False)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("deployment key")
        verbose_name_plural = _("deployment keys")
        constraints = [
            models.UniqueConstraint(
                fields=["active"], condition=Q(active=True), name="one_active_deployment_key"
            )
        ]

    def __str__(self) -> str:
        return self.key_id


class Peer(models.Model):
    """Another deployment this one trusts: its county code, address and public key, and which
    fields the agreement between the two regions lets this deployment send it."""

    code = models.CharField(_("region code"), max_length=6, unique=True)
    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("address"), max_length=300)
    public_key = models.CharField(_("public key"), max_length=64)
    key_id = models.CharField(_("key id"), max_length=16)
    enabled = models.BooleanField(_("enabled"), default=True)
    # e.g. {"person_status": ["insured", "ltc_level", "valid_until"]}
    agreement = models.JSONField(_("agreement"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    disabled_at = models.DateTimeField(_("disabled"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("peer deployment")
        verbose_name_plural = _("peer deployments")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class SeenNonce(models.Model):
    """The nonce of an accepted envelope: a second envelope with it is a replay."""

    peer = models.ForeignKey(Peer, on_delete=models.CASCADE, related_name="+")
    nonce = models.CharField(max_length=32)
    seen_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["peer", "nonce"], name="nonce_once_per_peer")
        ]

    def __str__(self) -> str:
        return self.nonce


class RefusalReason(models.TextChoices):
    MALFORMED = "malformed", _("Malformed envelope")
    UNKNOWN_PEER = "unknown_peer", _("Unknown peer")
    DISABLED_PEER = "disabled_peer", _("Disabled peer")
    WRONG_RECIPIENT = "wrong_recipient", _("Addressed to another deployment")
    BAD_SIGNATURE = "bad_signature", _("Bad signature")
    STALE_TIMESTAMP = "stale_timestamp", _("Timestamp out of range")
    REPLAYED_NONCE = "replayed_nonce", _("Replayed nonce")
    WRONG_KIND = "wrong_kind", _("Unexpected kind")
    UNKNOWN_KIND = "unknown_kind", _("No handler for this kind")


class Refusal(models.Model):
    """An envelope this deployment refused. What it claimed is kept (sender, kind, nonce),
    never its payload."""

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    reason = models.CharField(_("reason"), max_length=20, choices=RefusalReason.choices)
    sender = models.CharField(_("claimed sender"), max_length=20, blank=True)
    kind = models.CharField(_("kind"), max_length=60, blank=True)
    nonce = models.CharField(_("nonce"), max_length=40, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    remote_addr = models.CharField(_("remote address"), max_length=45, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("refused envelope")
        verbose_name_plural = _("refused envelopes")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.reason} {self.sender}"


class MessageLog(models.Model):
    """Every message in and out: the audit trail of cross-region exchanges."""

    class Direction(models.TextChoices):
        IN = "in", _("Received")
        OUT = "out", _("Sent")

    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")  # in: opened and answered
        ANSWERED = "answered", _("Answered")  # out: the peer answered and its reply verified
        HANDLER_REFUSED = "handler_refused", _("Refused by the handler")
        REFUSED = "refused", _("Refused by the peer")  # out
        BAD_REPLY = "bad_reply", _("Reply did not verify")  # out
        UNAVAILABLE = "unavailable", _("Peer unavailable")  # out

    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    peer_code = models.CharField(_("peer"), max_length=6, db_index=True)
    kind = models.CharField(_("kind"), max_length=60)
    nonce = models.CharField(_("nonce"), max_length=32)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("federation message")
        verbose_name_plural = _("federation messages")

    def __str__(self) -> str:
        return f"{self.direction} {self.peer_code} {self.kind} {self.outcome}"
