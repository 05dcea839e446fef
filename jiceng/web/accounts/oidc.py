"""Single sign-on with the province's identity provider (OpenID Connect, mozilla-django-oidc).

On only when JICENG_OIDC_CLIENT_ID is set (see settings and the README). The provider proves who
someone is; it never creates an account and never gives roles: a signed-in identity is matched to
an existing, active account by one claim (JICENG_OIDC_USERNAME_CLAIM, `preferred_username` by
default) equal to its username. No match, no sign-in. Roles and region stay what the county's
administrators gave the account.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from jiceng.core.models import User


def username_claim() -> str:
    return str(getattr(settings, "JICENG_OIDC_USERNAME_CLAIM", "") or "preferred_username")


class MatchingOIDCBackend(OIDCAuthenticationBackend):
    """Matches the provider's identity to an existing account; creates and updates nothing."""

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        value = claims.get(username_claim())
        return isinstance(value, str) and bool(value.strip())

    def filter_users_by_claims(self, claims: dict[str, Any]) -> QuerySet[User]:
        value = claims.get(username_claim())
        if not isinstance(value, str) or not value.strip():
            return User.objects.none()
        return User.objects.filter(username=value.strip(), is_active=True)

    def create_user(self, claims: dict[str, Any]) -> None:
        return None  # accounts are made by administrators, never by the provider

    def update_user(self, user: User, claims: dict[str, Any]) -> User:
        return user  # the provider changes nothing of the account
