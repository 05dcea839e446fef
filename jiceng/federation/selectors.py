"""Reads of the federation engine: who this deployment is, its peers and its message log."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet

from jiceng.core.models import Region, RegionLevel, Role, UserRole
from jiceng.federation.models import DeploymentKey, MessageLog, Peer, Refusal

_COUNTY = re.compile(r"^\d{6}$")


def own_code() -> str:
    """This deployment's county code: the setting JICENG_REGION_CODE if set; otherwise the only
    county in the region tree, or, when the tree holds neighbouring counties too, the only
    county whose administrators have accounts here."""
    configured = str(getattr(settings, "JICENG_REGION_CODE", "") or "").strip()
    if configured:
        if not _COUNTY.match(configured):
            raise ImproperlyConfigured(
                f"JICENG_REGION_CODE={configured!r} is not a county code (6 digits)."
            )
        return configured
    counties = list(Region.objects.filter(level=RegionLevel.COUNTY).values_list("code", flat=True))
    if len(counties) == 1:
        return counties[0]
    administered = sorted(
        set(
            Region.objects.filter(
                level=RegionLevel.COUNTY,
                code__in=_admin_region_codes(),
            ).values_list("code", flat=True)
        )
    )
    if len(administered) == 1:
        return administered[0]
    raise ImproperlyConfigured(
        "Cannot tell which county this deployment serves "
        f"(counties in the region tree: {', '.join(counties) or 'none'}): "
        "set JICENG_REGION_CODE."
    )


def _admin_region_codes() -> QuerySet[UserRole, str]:
    return UserRole.objects.filter(role=Role.COUNTY_ADMIN, user__is_active=True).values_list(
        "user__region_id", flat=True
    )


def own_key() -> DeploymentKey:
    from jiceng.federation.services import deployment_key_ensure

    return deployment_key_ensure()


def own_identity() -> dict[str, str]:
    """What `jiceng ltc key show` prints and a peer's administrator registers."""
    key = own_key()
    return {"code": own_code(), "public_key": key.public_key, "key_id": key.key_id}


def peer_for_code(code: str) -> Peer | None:
    return Peer.objects.filter(code=code).first()


def peers_all() -> QuerySet[Peer]:
    return Peer.objects.order_by("code")


def messages_recent(*, limit: int = 100) -> QuerySet[MessageLog]:
    return MessageLog.objects.order_by("-at", "-pk")[:limit]


def refusals_recent(*, limit: int = 100) -> QuerySet[Refusal]:
    return Refusal.objects.order_by("-at", "-pk")[:limit]
