"""The module navigation: each module registers its group of pages and the roles that use it.

A group is one menu in the header (总览, 问题, 医保服务 …) holding the module's entries (a URL
name and a label). Each web package declares its group in its own ``navigation.py``; the web app
imports every one of them when it starts (``discover``), so a new module appears in the header by
adding that file, and nothing else changes.

Who sees what:
- a user sees a group when one of their roles uses the module; region administrators (county and
  town) and superusers see every group, as they may do everything within their region;
- an entry may name its own roles (the report form is not for the read-only regulator, the
  delivery list not for a clerk); it is then shown only to users holding one of them (superusers
  always);
- an entry whose URL does not resolve (its pages are not wired yet) is left out, and a group with
  no entry left is left out too.

Hiding an entry is not authorization: every page checks role and scope itself. The navigation
only avoids linking a page a role cannot use.

Groups are ordered by ``ORDER`` (the modules the platform plans for, in the order the county
asked for them); a group not listed there comes after them in the order it registered. The
``user-menu`` placement puts a group (administration) in the user menu instead of the bar.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

from jiceng.core import roles as role_rules
from jiceng.core.models import Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpRequest

    from jiceng.core.models import User

Label = str | Promise
Placement = Literal["bar", "user-menu"]

# The administrators of a region may do everything within it, in every module.
REGION_ADMINS = frozenset({Role.COUNTY_ADMIN, Role.TOWN_ADMIN})
# Where each module's group stands in the bar; modules still to come keep their place.
ORDER = (
    "overview",
    "cases",
    "hall",
    "ltc",
    "gas",
    "ebike",  # 电动车
    "power",  # 迎峰度夏
    "projects",  # 项目
    "youth",  # 青苗
    "lottery",  # 福彩
    "admin",  # 管理 (in the user menu)
)


@dataclass(frozen=True)
class Entry:
    """One page of a module. ``roles`` None: everyone who sees the group."""

    url_name: str
    label: Label
    roles: frozenset[str] | None = None
    also_active_on: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Group:
    key: str
    label: Label
    roles: frozenset[str]
    entries: tuple[Entry, ...] = ()
    placement: Placement = "bar"


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: Label
    url: str
    active: bool


@dataclass(frozen=True)
class NavGroup:
    key: str
    label: Label
    items: tuple[NavItem, ...]
    placement: Placement

    @property
    def active(self) -> bool:
        return any(item.active for item in self.items)


@dataclass
class Registry:
    groups: dict[str, Group] = field(default_factory=dict)

    def register_group(
        self,
        key: str,
        label: Label,
        *,
        roles: Iterable[str],
        entries: Iterable[Entry] = (),
        placement: Placement = "bar",
    ) -> None:
        """Declare a module's group (again: replaces its label and roles, keeps its entries)."""
        kept = self.groups[key].entries if key in self.groups else ()
        self.groups[key] = Group(key, label, frozenset(roles), kept, placement)
        self.add_entries(key, *entries)

    def add_entries(self, key: str, *entries: Entry) -> None:
        """Add pages to a group, which may be declared by another package (administration)."""
        group = self.groups.get(key) or Group(key, key, frozenset())
        known = {entry.url_name for entry in group.entries}
        new = tuple(entry for entry in entries if entry.url_name not in known)
        self.groups[key] = replace(group, entries=group.entries + new)

    def ordered(self) -> list[Group]:
        position = {key: index for index, key in enumerate(ORDER)}
        keys = list(self.groups)
        return sorted(
            self.groups.values(),
            key=lambda g: (position.get(g.key, len(ORDER)), keys.index(g.key)),
        )

    def copy(self) -> Registry:
        return Registry(dict(self.groups))


REGISTRY = Registry()
# Administration is the platform's, not a module's: the packages whose pages belong to it (users,
# peer deployments, the audit log) add their entries.
REGISTRY.register_group(
    "admin",
    pgettext_lazy("navigation", "Administration"),
    roles=REGION_ADMINS,
    placement="user-menu",
)


def register_group(
    key: str,
    label: Label,
    *,
    roles: Iterable[str],
    entries: Iterable[Entry] = (),
    placement: Placement = "bar",
) -> None:
    REGISTRY.register_group(key, label, roles=roles, entries=entries, placement=placement)


def add_entries(key: str, *entries: Entry) -> None:
    REGISTRY.add_entries(key, *entries)


def discover() -> None:
    """Import the ``navigation`` module of every web package (they register on import)."""
    import jiceng.web

    for info in pkgutil.iter_modules(jiceng.web.__path__):
        if not info.ispkg:
            continue
        name = f"jiceng.web.{info.name}.navigation"
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name)


def _visible_groups(user: User | AnonymousUser, registry: Registry) -> list[Group]:
    if not user.is_authenticated:
        return []
    user_roles = role_rules.roles_of(user)
    superuser = bool(getattr(user, "is_superuser", False))
    admin = superuser or bool(user_roles & REGION_ADMINS)
    shown = []
    for group in registry.ordered():
        if not (admin or user_roles & group.roles):
            continue
        entries = tuple(
            entry
            for entry in group.entries
            if superuser or entry.roles is None or user_roles & entry.roles
        )
        if entries:
            shown.append(replace(group, entries=entries))
    return shown


def _is_named(request: HttpRequest, entry: Entry) -> bool:
    match = request.resolver_match
    return match is not None and (
        match.url_name == entry.url_name or match.url_name in entry.also_active_on
    )


def groups_for(
    request: HttpRequest,
    *,
    user: User | AnonymousUser | None = None,
    registry: Registry | None = None,
) -> list[NavGroup]:
    """The groups and entries this user uses, with the current page's entry marked.

    The entry of the page itself is the active one; on a page that has none, the entry whose URL
    is the longest start of the page's path (/cases/42/ is under /cases/, not under /)."""
    user = request.user if user is None else user
    groups = _visible_groups(user, registry or REGISTRY)
    found: list[tuple[Group, Entry, str]] = []
    for group in groups:
        for entry in group.entries:
            try:
                found.append((group, entry, reverse(entry.url_name)))
            except NoReverseMatch:
                continue
    active = {entry.url_name for _g, entry, _url in found if _is_named(request, entry)}
    if not active:
        under = [
            (len(url), entry.url_name)
            for _g, entry, url in found
            if url != "/" and request.path.startswith(url)
        ]
        active = {max(under)[1]} if under else set()
    result = []
    for group in groups:
        items = tuple(
            NavItem(entry.url_name, entry.label, url, entry.url_name in active)
            for g, entry, url in found
            if g.key == group.key
        )
        if items:
            result.append(NavGroup(group.key, group.label, items, group.placement))
    return result
