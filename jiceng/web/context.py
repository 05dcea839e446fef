"""Template context shared by every page: the module navigation."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# (url name, label). Modules add their entry here when they ship pages.
MODULES = [
    ("home", _("Overview")),
    ("people-list", _("People")),
    ("organisations-list", _("Organisations")),
    ("sites-list", _("Sites")),
]
# Pages that belong to a module without living under its URL.
ALSO_ACTIVE_ON = {"home": frozenset({"region-dashboard"})}


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: Promise
    url: str
    active: bool


def _is_active(request: HttpRequest, url_name: str, url: str) -> bool:
    match = request.resolver_match
    if match is not None and (
        match.url_name == url_name or match.url_name in ALSO_ACTIVE_ON.get(url_name, ())
    ):
        return True
    return url != "/" and request.path.startswith(url)


def navigation_items(request: HttpRequest) -> list[NavItem]:
    """The modules whose pages exist; a module whose URL does not resolve yet is left out."""
    items = []
    for url_name, label in MODULES:
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        items.append(NavItem(url_name, label, url, _is_active(request, url_name, url)))
    return items


def navigation(request: HttpRequest) -> dict[str, object]:
    return {"nav_modules": MODULES, "nav_items": navigation_items(request)}
