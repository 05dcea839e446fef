"""Template context shared by every page: the module navigation."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

# (url name, label). Modules add their entry here when they ship pages.
MODULES = [
    ("home", _("Overview")),
    ("people-list", _("People")),
    ("organisations-list", _("Organisations")),
    ("sites-list", _("Sites")),
]


def navigation(request: HttpRequest) -> dict[str, object]:
    return {"nav_modules": MODULES}
