"""The small things every page module needs, defined once: the signed-in user, whether a request
is an htmx fragment request, service errors shown on a form, a page rendered uncached,
idempotency keys for forms that a phone may send twice, and the one mapping of a service's
refusal (`jiceng.core.errors.Refused`, `Changed`) to a 409 page or fragment with its reason
(`RefusedMiddleware`).

A view that has something better to show on a refusal (the case page showing the case as it is
now) catches the module's error itself; every other refusal reaches the middleware."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html

from jiceng.core.errors import Refused
from jiceng.core.models import User


def request_user(request: HttpRequest) -> User:
    """The signed-in user of a view behind `login_required` (which guarantees a User)."""
    return cast(User, request.user)


def is_htmx(request: HttpRequest) -> bool:
    """An htmx request for part of a page (a history restore wants the whole page)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def add_service_errors(
    form: forms.Form, error: ValidationError, renamed: dict[str, str] | None = None
) -> None:
    """Show a service's ValidationError on the form: on the field it names (or the form field
    that `renamed` maps it to), else on the form as a whole."""
    renamed = renamed or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for name, messages in error.message_dict.items():
        field = renamed.get(name, name)
        form.add_error(field if field in form.fields else None, messages)


def render_uncached(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """A page that no cache may keep: one that changes from second to second (a queue, a
    device's screen) or that carries a fresh idempotency key."""
    response = render(request, template, context, status=status)
    add_never_cache_headers(response)
    return response


def new_idempotency_key() -> str:
    """A key for a form's hidden field: the same form sent twice is acted on once."""
    return secrets.token_urlsafe(18)


def refused_response(request: HttpRequest, error: Refused) -> HttpResponse:
    """409 with the refusal's reason: a fragment for htmx (shown where the form's answer goes),
    else a page."""
    if is_htmx(request):
        return HttpResponse(
            format_html('<p class="alert alert-error" role="alert">{}</p>', str(error)),
            status=409,
        )
    return render(request, "409.html", {"reason": str(error)}, status=409)


class RefusedMiddleware:
    """Turns a `Refused` (or `Changed`) that a view let through into `refused_response`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, Refused):
            return refused_response(request, exception)
        return None
