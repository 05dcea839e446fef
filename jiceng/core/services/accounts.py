"""Users, their roles and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core.models import ApiToken, Region, Role, User, UserRole

TOKEN_PREFIX = "jc_"  # noqa: S105 - a public prefix, not a secret


def user_create(
    *,
    username: str,
    password: str | None,
    region_code: str,
    roles: Iterable[str],
    display_name: str = "",
    is_superuser: bool = False,
) -> User:
    roles = list(dict.fromkeys(roles))
    unknown = [r for r in roles if r not in Role.values]
    if unknown:
        raise ValidationError({"roles": _("Unknown role: %s") % ", ".join(unknown)})
    region = Region.objects.filter(code=region_code).first()
    if region is None:
        raise ValidationError({"region": _("Unknown region code: %s") % region_code})
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("A user with this username exists already.")})
    with transaction.atomic():
        user = User(
            username=username,
            region=region,
            display_name=display_name,
            is_superuser=is_superuser,
            is_staff=is_superuser,
        )
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        UserRole.objects.bulk_create(UserRole(user=user, role=r) for r in roles)
    return user


def _token_digest(plain: str) -> str:
    return hashlib.sha256(plain.encode()).hexdigest()


def api_token_create(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """A new token; the plain value is returned once and never stored."""
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name[:100], key_prefix=plain[:10], key_digest=_token_digest(plain)
    )
    return token, plain


def api_token_revoke(*, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


def api_token_authenticate(plain: str) -> User | None:
    """The active user a token belongs to, or None for an unknown or revoked token."""
    if not plain or not plain.startswith(TOKEN_PREFIX) or len(plain) > 100:
        return None
    token = (
        ApiToken.objects.select_related("user", "user__region")
        .filter(key_digest=_token_digest(plain), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
