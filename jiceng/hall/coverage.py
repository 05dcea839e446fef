"""The ten-minute service circle: for each item, which villages have a point offering it within
the travel time of the model in force (TravelModel; 10 minutes by default), the gaps, and the
population not covered.

Travel time from a village (its centroid) to a point is the routing engine's time where one was
imported (TravelTime), else the estimate from coordinates (straight-line distance × detour
factor at a speed). Population is the number of residents of the village in the core registry
(Person rows under the village's code). Villages are those in the user's scope; the points that
may serve them are all the active points of their county, whatever their town.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from django.db.models import Count
from django.db.models.functions import Substr
from numpy.typing import NDArray

from jiceng.core.models import Person, Region, RegionLevel, User
from jiceng.core.scope import county_of, region_prefix_q, scope_queryset
from jiceng.hall.models import ServiceItem, ServicePoint, TravelModel, TravelTime
from jiceng.hall.travel import estimated_minutes

# Used while no TravelModel row exists: an e-bike or a short ride on village roads.
DEFAULT_MODEL = TravelModel(
    detour_factor=1.3,
    speed_kmh=15.0,
    threshold_minutes=10.0,
    note="default: no travel model configured",
)


def travel_model_on(day: date) -> TravelModel:
    """The travel model in force on a day (the latest `valid_from` not after it)."""
    return (
        TravelModel.objects.filter(valid_from__lte=day).order_by("-valid_from").first()
        or DEFAULT_MODEL
    )


@dataclass(frozen=True)
class Village:
    code: str
    name: str
    town: str
    population: int


@dataclass(frozen=True)
class Point:
    id: int
    code: str
    name: str
    kind: str
    region: str
    items: frozenset[str]


@dataclass(frozen=True)
class TravelMatrix:
    villages: list[Village]
    points: list[Point]
    minutes: NDArray[np.float64]  # villages × points
    imported: int  # how many pairs come from a routing engine
    model: TravelModel
    villages_without_coordinates: int


def population_by_village(prefix: str) -> dict[str, int]:
    rows = (
        Person.objects.filter(region_prefix_q(prefix, "region"))
        .annotate(village=Substr("region_id", 1, 12))
        .values("village")
        .annotate(n=Count("pk"))
        .values_list("village", "n")
    )
    return {code: int(n) for code, n in rows}


def travel_matrix(user: User, *, as_of: date) -> TravelMatrix:
    """Villages in the user's scope × the active points of their counties, in minutes."""
    model = travel_model_on(as_of)
    regions = scope_queryset(Region.objects.filter(level=RegionLevel.VILLAGE), user).order_by(
        "code"
    )
    rows = list(regions.values_list("code", "name", "parent__name", "lat", "lon"))
    located = [r for r in rows if r[3] is not None and r[4] is not None]
    counties = sorted({county_of(r[0]) for r in located})
    populations: dict[str, int] = {}
    for county in counties:
        populations.update(population_by_village(county))
    villages = [
        Village(code, name, town or "", populations.get(code, 0))
        for code, name, town, _lat, _lon in located
    ]
    point_rows = []
    items: dict[int, set[str]] = {}
    for county in counties:
        qs = ServicePoint.objects.filter(
            region_prefix_q(county, "region"), is_active=True, lat__isnull=False, lon__isnull=False
        )
        point_rows += list(qs.values_list("pk", "code", "name", "kind", "region_id", "lat", "lon"))
        for point_id, code in ServicePoint.items.through.objects.filter(
            servicepoint__in=qs, serviceitem__is_active=True
        ).values_list("servicepoint_id", "serviceitem__code"):
            items.setdefault(point_id, set()).add(code)
    points = [
        Point(p[0], p[1], p[2], p[3], p[4], frozenset(items.get(p[0], ()))) for p in point_rows
    ]
    if villages and points:
        minutes = estimated_minutes(
            np.array([(r[3], r[4]) for r in located], dtype=float),
            np.array([(p[5], p[6]) for p in point_rows], dtype=float),
            detour_factor=model.detour_factor,
            speed_kmh=model.speed_kmh,
        )
    else:
        minutes = np.zeros((len(villages), len(points)))
    village_index = {v.code: i for i, v in enumerate(villages)}
    point_index = {p.id: j for j, p in enumerate(points)}
    imported = 0
    if villages and points:
        for village, point, value in TravelTime.objects.filter(
            village_id__in=list(village_index), point_id__in=list(point_index)
        ).values_list("village_id", "point_id", "minutes"):
            minutes[village_index[village], point_index[point]] = value
            imported += 1
    return TravelMatrix(villages, points, minutes, imported, model, len(rows) - len(located))


def _nearest(matrix: TravelMatrix, item: str) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Per village: minutes to the nearest point offering the item (inf: none), and its index."""
    columns = np.array([item in p.items for p in matrix.points], dtype=bool)
    if not len(matrix.villages) or not columns.any():
        return np.full(len(matrix.villages), np.inf), np.full(len(matrix.villages), -1)
    masked = np.where(columns[None, :], matrix.minutes, np.inf)
    index = masked.argmin(axis=1)
    return masked[np.arange(len(matrix.villages)), index], index


def item_coverage(matrix: TravelMatrix, item: ServiceItem) -> dict[str, Any]:
    """The villages an item's points cover within the circle, the gaps and who lives there."""
    threshold = matrix.model.threshold_minutes
    minutes, index = _nearest(matrix, item.code)
    villages: list[dict[str, Any]] = []
    for i, village in enumerate(matrix.villages):
        reachable = bool(np.isfinite(minutes[i]))
        nearest = matrix.points[int(index[i])] if reachable else None
        villages.append(
            {
                "code": village.code,
                "name": village.name,
                "town": village.town,
                "population": village.population,
                "minutes": round(float(minutes[i]), 1) if reachable else None,
                "covered": reachable and float(minutes[i]) <= threshold,
                "nearest": {
                    "id": nearest.id,
                    "code": nearest.code,
                    "name": nearest.name,
                    "kind": nearest.kind,
                }
                if nearest
                else None,
            }
        )
    gaps = [v for v in villages if not v["covered"]]
    population = sum(v["population"] for v in villages)
    uncovered = sum(v["population"] for v in gaps)
    return {
        "item": {"code": item.code, "name": item.name},
        "threshold_minutes": threshold,
        "villages": len(villages),
        "covered": len(villages) - len(gaps),
        "population": population,
        "uncovered_population": uncovered,
        "covered_share": round(1 - len(gaps) / len(villages), 4) if villages else None,
        "gaps": sorted(gaps, key=lambda v: (-v["population"], v["code"])),
        "list": villages,
    }


def coverage_overview(matrix: TravelMatrix, items: list[ServiceItem]) -> list[dict[str, Any]]:
    """Per item: villages covered, population not covered (no village lists)."""
    out = []
    for item in items:
        found = item_coverage(matrix, item)
        out.append(
            {k: v for k, v in found.items() if k not in ("gaps", "list")}
            | {"gaps": len(found["gaps"])}
        )
    return out


def matrix_source(matrix: TravelMatrix) -> dict[str, Any]:
    model = matrix.model
    return {
        "detour_factor": model.detour_factor,
        "speed_kmh": model.speed_kmh,
        "threshold_minutes": model.threshold_minutes,
        "valid_from": model.valid_from,
        "note": model.note,
        "imported_pairs": matrix.imported,
        "estimated_pairs": int(matrix.minutes.size) - matrix.imported,
        "villages_without_coordinates": matrix.villages_without_coordinates,
    }
