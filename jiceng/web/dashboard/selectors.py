"""Reads for the home dashboard: a region, its children and how many registry records each holds.

Every read is scoped to the user: the region through `region_get_for_user`, the records through
`scope_queryset`, and the counts per child through `rollup_by_child` on those scoped querysets.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Model, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from jiceng.core import region_codes
from jiceng.core.models import Organisation, Person, Region, Site, User
from jiceng.core.scope import region_field, region_prefix_q, scope_queryset
from jiceng.core.selectors import (
    region_breadcrumbs,
    region_children,
    region_get_for_user,
    rollup_by_child,
)

# The registries the dashboard counts: key (as in the URL) → (model, label).
REGISTRIES: dict[str, tuple[type[Model], Promise]] = {
    "people": (Person, _("People")),
    "organisations": (Organisation, _("Organisations")),
    "sites": (Site, _("Sites")),
}
DEFAULT_REGISTRY = "people"


@dataclass(frozen=True)
class ChildCounts:
    region: Region
    counts: dict[str, int]


@dataclass(frozen=True)
class RegionOverview:
    """One region as the dashboard shows it, all of it inside the user's scope."""

    region: Region
    breadcrumbs: list[Region]
    children: list[ChildCounts]
    totals: dict[str, int]
    # Records registered in the region itself rather than in one of its children.
    unassigned: dict[str, int]

    @property
    def has_children(self) -> bool:
        return bool(self.children)

    def child_counts(self, registry: str) -> list[int]:
        return [child.counts[registry] for child in self.children]


def region_has_child_level(region: Region) -> bool:
    return region.level != region_codes.LEVELS[-1]


def registry_queryset(user: User, registry: str) -> QuerySet[Model]:
    """All records of a registry inside the user's scope."""
    model = REGISTRIES[registry][0]
    return scope_queryset(model._default_manager.all(), user)


def registry_total(user: User, registry: str, region: Region) -> int:
    """Records of a registry in `region` and everything under it (and in the user's scope)."""
    model = REGISTRIES[registry][0]
    field_name = region_field(model)
    return (
        registry_queryset(user, registry).filter(region_prefix_q(region.prefix, field_name)).count()
    )


def region_overview(*, user: User, code: str) -> RegionOverview:
    """The region `code` with its children and their counts; 404 outside the user's scope."""
    region = region_get_for_user(user, code)
    children: list[Region] = []
    if region_has_child_level(region):
        children = list(scope_queryset(region_children(region), user))
    per_child: dict[str, dict[str, int]] = {}
    if children:
        per_child = {
            registry: rollup_by_child(registry_queryset(user, registry), region)
            for registry in REGISTRIES
        }
    totals = {registry: registry_total(user, registry, region) for registry in REGISTRIES}
    rows = [
        ChildCounts(
            region=child,
            counts={registry: per_child[registry].get(child.code, 0) for registry in REGISTRIES},
        )
        for child in children
    ]
    unassigned = {
        registry: totals[registry] - sum(row.counts[registry] for row in rows)
        for registry in REGISTRIES
    }
    return RegionOverview(
        region=region,
        breadcrumbs=region_breadcrumbs(region, user),
        children=rows,
        totals=totals,
        unassigned=unassigned,
    )
