"""API authentication: a bearer token (`Authorization: Bearer <token>`), or the browser session;
and the request's user, for endpoints behind it.

Keys come first: an endpoint that a device or a key-holder may call lists its key
authenticators before `API_AUTH` (`keys_then_users`), so that a request carrying only a key is
answered without cookies or a CSRF token. The session authenticator checks the CSRF token only
when the request carries the session cookie: a request without it is not a session request, and
is left to the authenticators after it; a session request without its CSRF token is refused
(403), as Django would.
"""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest
from ninja.security import HttpBearer
from ninja.security.base import AuthBase
from ninja.security.session import SessionAuth

from jiceng.core.models import User
from jiceng.core.services.accounts import api_token_authenticate


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class SessionCookie(SessionAuth):
    """The browser session, CSRF-checked; a request without the session cookie passes on."""

    def _get_key(self, request: HttpRequest) -> str | None:
        if self.param_name not in request.COOKIES:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if key is None:
            return None
        return super().authenticate(request, key)


API_AUTH: list[AuthBase] = [BearerToken(), SessionCookie()]


def keys_then_users(*key_authenticators: AuthBase) -> list[AuthBase]:
    """Key authenticators (devices, tickets) first, then a user's token or session."""
    return [*key_authenticators, *API_AUTH]


def request_user(request: HttpRequest) -> User:
    """The user of a request that passed `API_AUTH` (a token's user or the session's)."""
    return cast(User, request.user)
