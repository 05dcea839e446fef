"""What a module plugs into the inspections engine: the kinds of targets it inspects.

A module registers each kind in its AppConfig.ready():

    register_target_kind("gas_site", TargetKind(
        resolve=site_target,          # "42" -> Target | None
        may_inspect=check_may_inspect,  # (actor, target) -> None, or raise PermissionDenied
        case_for=hazard_case,         # (item, note) -> CaseSpec
        changed=colours_follow,       # (target_ids, at) -> None
        categories=("gas_hazard",),   # the case categories case_for answers
    ))

The engine itself checks that the target's region lies in the actor's scope; `may_inspect`
adds the module's own rule (which roles inspect). `case_for` says which case a failed item
opens: its category (routed by the case loop to the right department), attributes and text.
`changed` is called after every inspection, and whenever a finding's case closes or reopens,
with the ids of the targets concerned (a module refreshes colours). `categories` lists the case
categories `case_for` may answer, so that the engine hears when those cases close elsewhere;
any category a case is opened in is also registered then.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jiceng.core.models import User
    from jiceng.inspections.models import ChecklistItem


@dataclass(frozen=True)
class Target:
    """What the engine needs to know of a target: where it is and what to call it."""

    region_code: str
    label: str
    lat: float | None = None
    lon: float | None = None
    address: str = ""


@dataclass(frozen=True)
class CaseSpec:
    """The case a failed item opens."""

    category: str
    attributes: dict[str, Any] = field(default_factory=dict)
    description: str = ""


def _unchanged(target_ids: list[str], at: datetime) -> None:
    return None


@dataclass(frozen=True)
class TargetKind:
    resolve: Callable[[str], Target | None]
    may_inspect: Callable[[User, Target], None]
    case_for: Callable[[ChecklistItem, str], CaseSpec]
    changed: Callable[[list[str], datetime], None] = _unchanged
    categories: tuple[str, ...] = ()


_kinds: dict[str, TargetKind] = {}
_listeners: list[Callable[[str], None]] = []


def register_target_kind(kind: str, handler: TargetKind) -> None:
    """Make `kind` inspectable; registering the same kind again replaces its handler."""
    _kinds[kind] = handler
    for category in getattr(handler, "categories", ()) or ():
        for listener in _listeners:
            listener(category)


def target_kind(kind: str) -> TargetKind | None:
    return _kinds.get(kind)


def target_kinds() -> dict[str, TargetKind]:
    return dict(_kinds)


def on_category(listener: Callable[[str], None]) -> None:
    """The engine's own: call `listener(category)` for every case category a kind names (now
    for the kinds already registered)."""
    _listeners.append(listener)
    for handler in _kinds.values():
        for category in getattr(handler, "categories", ()) or ():
            listener(category)
