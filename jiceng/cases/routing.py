"""Routing a case to a department: area → body → category (as FixMyStreet does).

A category names, per region level, the kind of department that handles it; the department of
that kind in the case's region at that level (the town's 综合执法队, the county's 医保中心) is
the default handler.
"""

from __future__ import annotations

from jiceng.cases.models import Category, CategoryRoute, Department
from jiceng.core import region_codes
from jiceng.core.models import Region

# Levels at which a case is owned, from the bottom up.
OWNER_LEVELS = ("town", "county")


def ancestor_code(code: str, level: str) -> str | None:
    """The code of the region at `level` above (or at) `code`, if the code is that deep."""
    length = region_codes.LEVEL_CODE_LENGTH[level]
    if level in ("province", "city"):
        return code[: region_codes.LEVEL_PREFIX_LENGTH[level]].ljust(6, "0")
    return code[:length] if len(code) >= length else None


def owner_region_code(region: Region, route_levels: frozenset[str]) -> str:
    """The region whose officers own a new case: its town, or the county for a county-level
    category (one routed only at county level) or a case placed at the county itself."""
    levels = route_levels
    town = ancestor_code(region.code, "town")
    if town is not None and (not levels or "town" in levels):
        return town
    return ancestor_code(region.code, "county") or region.code


def default_department(category: Category, owner_code: str) -> Department | None:
    """The department of the routed kind in the owner region (None when none is configured)."""
    level = region_codes.level_of(owner_code)
    route = category.routes.filter(level=level).first()
    if route is None:
        return None
    return Department.objects.filter(
        region_id=owner_code, kind=route.department_kind, is_active=True
    ).first()


def parent_owner_code(case: object) -> str | None:
    """Where an escalation takes the case: the county above a town-owned case, if the category's
    rule lets it climb that far; None when it cannot climb."""
    owner = case.owner_region_id  # type: ignore[attr-defined]
    category = case.category  # type: ignore[attr-defined]
    if len(owner) != region_codes.LEVEL_CODE_LENGTH["town"] or category.escalate_up_to == "town":
        return None
    return ancestor_code(owner, "county")


def default_department_names(
    pairs: set[tuple[int, str]], *, english: bool = False
) -> dict[tuple[int, str], str]:
    """The name of the default department for each (category id, owner region code): the office
    answerable for a case from the moment it is reported, before anyone dispatches it. Pairs with
    no configured department are left out. Two queries, whatever the number of pairs."""
    if not pairs:
        return {}
    kinds: dict[tuple[int, str], str] = {}
    routes = CategoryRoute.objects.filter(category_id__in={c for c, _ in pairs})
    for category_id, level, kind in routes.values_list("category_id", "level", "department_kind"):
        kinds[(category_id, level)] = kind
    wanted = {
        (category_id, owner): kinds.get((category_id, region_codes.level_of(owner)))
        for category_id, owner in pairs
    }
    departments = Department.objects.filter(
        region_id__in={owner for _, owner in pairs},
        kind__in={kind for kind in wanted.values() if kind},
        is_active=True,
    ).values_list("region_id", "kind", "name", "name_en")
    names = {
        (region, kind): (name_en or name) if english else name
        for region, kind, name, name_en in departments
    }
    return {
        pair: names[(pair[1], kind)]
        for pair, kind in wanted.items()
        if kind and (pair[1], kind) in names
    }
