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
    ("cases-inbox", _("Cases")),
    ("case-report", _("Report a case")),
    ("cases-map", _("Case map")),
    ("cases-scorecards", _("Scorecards")),
    ("hall-queue", _("Service halls")),
    ("hall-network", _("Service network")),
    ("hall-kpis", _("Hall KPIs")),
    ("hall-coverage", _("Service circle")),
    ("planning-tidal", _("Tidal plan")),
    ("ltc-home", _("Long-term care")),
    ("gas-home", _("Bottled gas")),
]
# Pages that belong to a module without living under its URL.
ALSO_ACTIVE_ON = {"home": frozenset({"region-dashboard"})}


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: Promise
    url: str
    active: bool


def _is_named(request: HttpRequest, url_name: str) -> bool:
    match = request.resolver_match
    return match is not None and (
        match.url_name == url_name or match.url_name in ALSO_ACTIVE_ON.get(url_name, ())
    )


def navigation_items(request: HttpRequest) -> list[NavItem]:
    """The modules whose pages exist; a module whose URL does not resolve yet is left out.

    The entry of the page itself is the active one; on a page that has none, the entry whose URL
    is the longest start of the page's path (/cases/42/ is under /cases/, not under /)."""
    found = []
    for url_name, label in MODULES:
        try:
            found.append((url_name, label, reverse(url_name)))
        except NoReverseMatch:
            continue
    active = {url_name for url_name, _label, _url in found if _is_named(request, url_name)}
    if not active:
        under = [
            (len(url), n) for n, _l, url in found if url != "/" and request.path.startswith(url)
        ]
        active = {max(under)[1]} if under else set()
    return [NavItem(n, label, url, n in active) for n, label, url in found]


def navigation(request: HttpRequest) -> dict[str, object]:
    return {"nav_modules": MODULES, "nav_items": navigation_items(request)}
