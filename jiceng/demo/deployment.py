"""Which county a demo deployment serves (`jiceng seed --county CODE`).

The default is the demo county (桐乡市) with 吴兴区 as its neighbour. Another county of the
agreement, listed under "deployments" in profile.json, is seeded as a deployment of its own: its
region tree is the one the demo county's seed plans for its neighbour (same seed, same codes,
names and boundaries, so that the two deployments agree on each other's regions), with the demo
county's towns as its neighbour; organisations and residents are scaled down; the service-hall
and case-loop history are the demo county's only.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from jiceng.core.services.regions import RegionRow
from jiceng.demo.profile import (
    PROFILE_FILE,
    SCALES,
    CountyProfile,
    NeighbourProfile,
    OrganisationTemplate,
    Scale,
    TownProfile,
    county_profile,
)
from jiceng.demo.region_tree import RegionTree, plan_region_tree


@dataclass(frozen=True)
class DeploymentPlan:
    county: str
    tree: RegionTree
    profile: CountyProfile
    scale: Scale
    users: list[dict[str, Any]] | None  # None: the demo county's own demo users


def _deployments() -> dict[str, dict[str, Any]]:
    raw = json.loads(PROFILE_FILE.read_text(encoding="utf-8")).get("deployments", {})
    return {code: spec for code, spec in raw.items() if code != "about"}


def deployment_users(county: str) -> list[dict[str, Any]]:
    """The demo users profile.json lists for another county's deployment."""
    return list(_deployments()[county]["users"])


def default_county() -> str:
    return county_profile().county


def seedable_counties() -> list[str]:
    return [default_county(), *_deployments()]


def plan_deployment(
    *, county: str, scale: str, reference_rows: list[RegionRow], seed: int
) -> DeploymentPlan:
    base = county_profile()
    tree = plan_region_tree(reference_rows, base, seed)
    if county == base.county:
        return DeploymentPlan(county, tree, base, SCALES[scale], None)
    spec = _deployments().get(county)
    if spec is None or county != base.neighbour.code:
        raise ValueError(
            f"county {county!r} cannot be seeded; choose one of {', '.join(seedable_counties())}"
        )
    return _as_neighbour_deployment(tree, base, spec, SCALES[scale])


def _templates(items: list[dict[str, Any]]) -> list[OrganisationTemplate]:
    return [OrganisationTemplate(**item) for item in items]


def _as_neighbour_deployment(
    tree: RegionTree, base: CountyProfile, spec: dict[str, Any], scale: Scale
) -> DeploymentPlan:
    own, home = tree.neighbour, tree.county
    # The demo county becomes the neighbour: the county and its real towns, nothing below them.
    for town in home.children:
        town.children = []
    by_code = {
        code: region
        for code, region in tree.by_code.items()
        if not (code.startswith(home.code) and len(code) > len(home.code) + 3)
    }
    swapped = RegionTree(tree.reference_rows, own, home, by_code)
    total = sum(t.population for t in own.children) or 1.0
    towns = {
        town.code: TownProfile(
            code=town.code,
            communities=sum(1 for v in town.children if v.urban),
            villages=sum(1 for v in town.children if not v.urban),
            population=town.population / total,
            enterprises=(2.0 if town.urban else 1.0) / len(own.children),
            migrants=base.neighbour.migrants,
            industries=dict(spec["industries"]),
        )
        for town in own.children
    }
    profile = dataclasses.replace(
        base,
        county=own.code,
        area_code=base.neighbour.area_code,
        towns=towns,
        banks=list(spec["banks"]),
        bank_outlets=int(spec["bank_outlets"]),
        bank_outlets_per_town_at_least=int(spec["bank_outlets_per_town_at_least"]),
        county_organisations=_templates(spec["county_organisations"]),
        neighbour=NeighbourProfile(
            code=home.code,
            area_code=base.area_code,
            towns=len(home.children),
            streets=sum(1 for t in home.children if t.name.endswith("街道")),
            villages=(0, 0),
            population=0.0,
            migrants=0.0,
            organisations=_templates(spec["neighbour_organisations"]),
        ),
    )
    factor = float(spec["scale"])
    scaled = Scale(
        residents=round(scale.residents * factor),
        enterprises=round(scale.enterprises * factor),
        cooperatives=round(scale.cooperatives * factor),
        individual_businesses=round(scale.individual_businesses * factor),
        social_organisations=max(1, round(scale.social_organisations * factor)),
        cases_per_year=0,
        hall_months=0,
    )
    return DeploymentPlan(own.code, swapped, profile, scaled, list(spec["users"]))


def user_description(spec: dict[str, Any], region_name: str) -> str:
    """What `jiceng demo` prints next to a login of another county's deployment."""
    roles = {
        "county_admin": _("County administrator of %(place)s; also superuser of /admin/"),
        "town_officer": _("Town officer of %(place)s"),
        "department_handler": _("Department handler at %(place)s"),
        "window_clerk": _("Window clerk at %(place)s (reads ID numbers)"),
        "regulator": _("Regulator of %(place)s, read-only"),
    }
    place = spec.get("organisation") or f"{region_name} ({spec['region']})"
    return str(roles.get(spec["role"], spec["role"])) % {"place": place}
