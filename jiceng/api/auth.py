"""API authentication: a bearer token (`Authorization: Bearer <token>`), or the browser session;
and the request's user, for endpoints behind it."""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest
from ninja.security import HttpBearer, django_auth

from jiceng.core.models import User
from jiceng.core.services.accounts import api_token_authenticate


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


API_AUTH = [BearerToken(), django_auth]


def request_user(request: HttpRequest) -> User:
    """The user of a request that passed `API_AUTH` (a token's user or the session's)."""
    return cast(User, request.user)
