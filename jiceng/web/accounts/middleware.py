"""A user with a temporary password (given by an administrator, or printed by `jiceng user add`)
reaches nothing but the password change until they have chosen their own."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

# Paths that answer with data, not pages: refused rather than redirected.
_API_PREFIXES = ("/api/", "/open311/", "/epcis/")
_ALWAYS_OPEN = ("/static/", "/i18n/", "/healthz")


class PasswordChangeRequiredMiddleware:
    """Sends a signed-in user who must change their password to Django's password change page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        must_change = getattr(user, "must_change_password", False)
        if user is not None and user.is_authenticated and must_change:
            path = request.path
            open_paths = (reverse("password_change"), reverse("logout"))
            if not path.startswith(_ALWAYS_OPEN) and path not in open_paths:
                if path.startswith(_API_PREFIXES):
                    return HttpResponseForbidden(
                        _("Change your temporary password before you go on."),
                        content_type="text/plain; charset=utf-8",
                    )
                return redirect(f"{reverse('password_change')}?next={request.get_full_path()}")
        return self.get_response(request)
