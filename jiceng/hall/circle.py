"""The service-circle plan for an item: the villages no point offering the item reaches within
the circle's minutes today, and where new points would close the gap.

Demand: the villages in the viewer's scope (their centroids), weighted by population, with the
travel times of `jiceng.hall.coverage.travel_matrix` (routing-engine times where imported,
estimates otherwise). Existing sites: every active point that offers the item; they stay.
Candidate sites:

- bank outlets and village stations that do not offer the item yet (delegating the item to
  them opens the point; where the catalogue does not delegate the item to that type of point
  yet, the proposal says so: `delegable` is False);
- village committees of villages without a village station (a new station at the village's
  centre), reached by the travel model's estimate.

`coverage.lscp` finds the fewest candidates that bring every reachable village into the circle
(and among those, the fewest new stations);
with `p`, `coverage.mclp` finds the p candidates that bring the most residents into it. Villages
that no existing or candidate site can reach are listed apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from django.utils.translation import gettext as _
from numpy.typing import NDArray

from jiceng.core.models import Region, RegionLevel, User
from jiceng.core.scope import county_of, village_of
from jiceng.hall.coverage import TravelMatrix, travel_matrix
from jiceng.hall.models import PointKind, ServiceItem, ServicePoint
from jiceng.hall.travel import estimated_minutes
from jiceng.planning import coverage

CANDIDATE_KINDS = (PointKind.BANK_OUTLET, PointKind.VILLAGE_STATION)
COMMITTEE = "village_committee"


class CircleUnavailable(ValueError):
    """The plan cannot be made; the message says why (and names the argument)."""


@dataclass(frozen=True)
class Site:
    """An existing point or a candidate site."""

    kind: str  # a PointKind value, or "village_committee"
    name: str
    region: str
    lat: float | None
    lon: float | None
    point_id: int | None = None
    code: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "name": self.name,
            "region": self.region,
            "lat": self.lat,
            "lon": self.lon,
            "point_id": self.point_id,
            "code": self.code,
        }


@dataclass
class CirclePlan:
    item_code: str
    item_name: str
    minutes: float
    p: int | None
    method: str  # "lscp" or "mclp"
    optimal: bool
    villages: int
    population: int
    covered_before: int  # villages
    covered_population_before: int
    covered_after: int
    covered_population_after: int
    uncovered: list[dict[str, Any]]  # villages outside the circle today
    unreachable: list[dict[str, Any]]  # villages no existing or candidate site can reach
    proposed: list[dict[str, Any]]  # new points, with the villages they bring in
    existing: list[Site]
    candidates: int
    village_points: list[dict[str, Any]] = field(default_factory=list)  # for the map

    @property
    def uncovered_population(self) -> int:
        return self.population - self.covered_population_before


def deployment_viewer(region_code: str | None = None) -> User:
    """An unsaved viewer whose scope is a region (default: the county of the deployment's
    county centre, else its first county): what the command line plans for."""
    region = None
    if region_code:
        region = Region.objects.filter(code=region_code).first()
        if region is None:
            raise CircleUnavailable(_("region: no region with code %s") % region_code)
    if region is None:
        centre = (
            ServicePoint.objects.filter(kind=PointKind.COUNTY_CENTER, is_active=True)
            .order_by("pk")
            .values_list("region_id", flat=True)
            .first()
        )
        qs = Region.objects.filter(level=RegionLevel.COUNTY).order_by("code")
        region = (qs.filter(code=county_of(centre)).first() if centre else None) or qs.first()
    if region is None:
        raise CircleUnavailable(_("region: there are no regions"))
    return User(username="jiceng-plan", region=region, is_active=True)


def _item(code: str) -> ServiceItem:
    item = ServiceItem.objects.filter(code=(code or "").strip().upper(), is_active=True).first()
    if item is None:
        raise CircleUnavailable(_("item: no active service item with code %s") % code)
    return item


def circle_plan(
    user: User,
    *,
    item_code: str,
    as_of: date,
    minutes: float | None = None,
    p: int | None = None,
    matrix: TravelMatrix | None = None,
) -> CirclePlan:
    """The uncovered villages of the item in the user's scope and the new points that close the
    gap (the fewest; or with `p`, the p that bring in the most residents).

    minutes: the circle (default: the travel model's). CircleUnavailable on a bad argument."""
    item = _item(item_code)
    if minutes is not None and not (np.isfinite(minutes) and 0 < minutes <= 240):
        raise CircleUnavailable(_("minutes: give a number of minutes between 0 and 240"))
    if p is not None and (int(p) != p or p < 1):
        raise CircleUnavailable(_("p: give a whole number of new points, at least 1"))
    matrix = matrix if matrix is not None else travel_matrix(user, as_of=as_of)
    radius = float(minutes if minutes is not None else matrix.model.threshold_minutes)
    villages = matrix.villages
    population = np.array([v.population for v in villages], dtype=np.float64)
    offering = [j for j, point in enumerate(matrix.points) if item.code in point.items]
    open_points = [
        j
        for j, point in enumerate(matrix.points)
        if point.kind in CANDIDATE_KINDS and item.code not in point.items
    ]
    located = dict(
        (pk, (lat, lon))
        for pk, lat, lon in ServicePoint.objects.filter(
            pk__in=[p.id for p in matrix.points]
        ).values_list("pk", "lat", "lon")
    )
    village_rows = {
        code: (lat, lon, boundary)
        for code, lat, lon, boundary in Region.objects.filter(
            code__in=[v.code for v in villages]
        ).values_list("code", "lat", "lon", "boundary")
    }
    stations = {
        village_of(point.region)
        for point in matrix.points
        if point.kind == PointKind.VILLAGE_STATION
    }
    committees = [i for i, v in enumerate(villages) if v.code not in stations]

    def point_site(j: int) -> Site:
        point = matrix.points[j]
        lat, lon = located.get(point.id, (None, None))
        return Site(point.kind, point.name, point.region, lat, lon, point.id, point.code)

    existing = [point_site(j) for j in offering]
    candidates = [point_site(j) for j in open_points]
    for i in committees:
        village = villages[i]
        lat, lon, _boundary = village_rows[village.code]
        candidates.append(
            Site(COMMITTEE, _("%s village committee") % village.name, village.code, lat, lon)
        )
    n_villages = len(villages)
    columns = [matrix.minutes[:, offering], matrix.minutes[:, open_points]]
    if committees:
        origins = np.array([village_rows[v.code][:2] for v in villages], dtype=float)
        targets = origins[committees]
        columns.append(
            estimated_minutes(
                origins,
                targets,
                detour_factor=matrix.model.detour_factor,
                speed_kmh=matrix.model.speed_kmh,
            )
        )
    cost = np.concatenate(columns, axis=1) if n_villages else np.zeros((0, 0))
    existing_index = np.arange(len(offering))
    within = cost <= radius
    covered_before: NDArray[np.bool_] = np.asarray(
        within[:, existing_index].any(axis=1), dtype=bool
    )
    reachable: NDArray[np.bool_] = np.asarray(within.any(axis=1), dtype=bool)
    nearest = cost[:, existing_index].min(axis=1) if offering else np.full(n_villages, np.inf)

    method = "lscp" if p is None else "mclp"
    new_sites = np.zeros(0, dtype=np.int64)
    optimal = True
    if candidates and (~covered_before & reachable).any():
        if p is None:
            rows = np.flatnonzero(reachable)
            # Among the plans with the fewest new points, the one with the fewest new stations:
            # a new station costs a little more than delegating the item to a point that exists
            # (all the extra together stays below one point, so the count stays the fewest).
            price = np.ones(cost.shape[1])
            price[len(offering) + len(open_points) :] += 1.0 / (len(committees) + 1)
            solution = coverage.lscp(cost[rows], radius, existing=existing_index, site_cost=price)
        else:
            chosen = min(int(p), len(candidates))
            solution = coverage.mclp(
                cost, radius, chosen, weights=population, existing=existing_index
            )
        new_sites = solution.new_sites
        optimal = solution.optimal
    opened = np.concatenate([existing_index, new_sites]).astype(np.int64)
    covered_after: NDArray[np.bool_] = np.asarray(within[:, opened].any(axis=1), dtype=bool)

    def village_row(i: int) -> dict[str, Any]:
        v = villages[i]
        return {
            "code": v.code,
            "name": v.name,
            "town": v.town,
            "population": v.population,
            "minutes": round(float(nearest[i]), 1) if np.isfinite(nearest[i]) else None,
        }

    gained = np.flatnonzero(covered_after & ~covered_before)
    proposed: list[dict[str, Any]] = []
    brought: list[list[dict[str, Any]]] = [[] for _ in new_sites]
    for i in gained.tolist():
        choices = [(float(cost[i, c]), k) for k, c in enumerate(new_sites) if cost[i, c] <= radius]
        if choices:
            reach, k = min(choices)
            brought[k].append(village_row(i) | {"minutes": round(reach, 1)})
    for k, column in enumerate(new_sites.tolist()):
        site = candidates[column - len(offering)]
        kind = PointKind.VILLAGE_STATION if site.kind == COMMITTEE else site.kind
        proposed.append(
            {
                "site": site,
                "villages": brought[k],
                "population": sum(int(v["population"]) for v in brought[k]),
                "delegable": kind in item.point_kinds,
            }
        )
    uncovered = sorted(
        (village_row(i) for i in np.flatnonzero(~covered_before).tolist()),
        key=lambda v: (-v["population"], v["code"]),
    )
    unreachable = [village_row(i) for i in np.flatnonzero(~reachable & ~covered_before).tolist()]
    village_points = []
    for i, v in enumerate(villages):
        lat, lon, boundary = village_rows[v.code]
        status = "covered" if covered_before[i] else "gained" if covered_after[i] else "uncovered"
        village_points.append(
            {
                "code": v.code,
                "name": v.name,
                "population": v.population,
                "lat": lat,
                "lon": lon,
                "boundary": boundary,
                "status": status,
            }
        )
    return CirclePlan(
        item_code=item.code,
        item_name=item.name,
        minutes=radius,
        p=p,
        method=method,
        optimal=optimal,
        villages=n_villages,
        population=int(population.sum()),
        covered_before=int(covered_before.sum()),
        covered_population_before=int(population[covered_before].sum()),
        covered_after=int(covered_after.sum()),
        covered_population_after=int(population[covered_after].sum()),
        uncovered=uncovered,
        unreachable=unreachable,
        proposed=proposed,
        existing=existing,
        candidates=len(candidates),
        village_points=village_points,
    )
