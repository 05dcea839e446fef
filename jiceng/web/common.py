"""The small things every page module needs, defined once: the signed-in user, whether a request
is an htmx fragment request, service errors shown on a form, and idempotency keys for forms that a
phone may send twice."""

from __future__ import annotations

import secrets
from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest

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


def new_idempotency_key() -> str:
    """A key for a form's hidden field: the same form sent twice is acted on once."""
    return secrets.token_urlsafe(18)
