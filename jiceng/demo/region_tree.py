"""The demo county's region tree, planned in memory: the reference rows (county and real towns),
synthetic villages/communities and grids under them, the neighbour county's synthetic towns,
villages and grids, and a boundary for each, with population weights for placing residents."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from shapely.geometry.base import BaseGeometry

from jiceng.core.services.regions import RegionRow
from jiceng.demo import names
from jiceng.demo.geography import (
    LocalPlane,
    geojson_geometry,
    irregular_outline,
    scatter_points,
    voronoi_cells,
)
from jiceng.demo.profile import CountyProfile, TownProfile

COUNTY_MARGIN_KM = 3.5
NEIGHBOUR_MARGIN_KM = 5.0
GRIDS_PER_VILLAGE = (3, 8)
NEIGHBOUR_GRIDS_PER_VILLAGE = (3, 5)
COORDINATE_DECIMALS = 6


@dataclass
class PlannedRegion:
    code: str
    name: str
    level: str
    parent: str | None
    lat: float | None
    lon: float | None
    shape: BaseGeometry | None = None  # longitude/latitude
    urban: bool = False  # a street (街道) or a community (社区)
    population: float = 0.0  # share of all residents
    roads: list[str] = field(default_factory=list)  # towns: road names for addresses
    children: list[PlannedRegion] = field(default_factory=list)

    def row(self) -> RegionRow:
        return RegionRow(
            line=0,
            code=self.code,
            name=self.name,
            level=self.level,
            parent=self.parent,
            lat=self.lat,
            lon=self.lon,
        )


@dataclass
class RegionTree:
    reference_rows: list[RegionRow]
    county: PlannedRegion
    neighbour: PlannedRegion
    by_code: dict[str, PlannedRegion]

    @property
    def towns(self) -> list[PlannedRegion]:
        return self.county.children

    @property
    def villages(self) -> list[PlannedRegion]:
        return [v for t in self.county.children for v in t.children]

    def all_towns(self) -> list[PlannedRegion]:
        return self.county.children + self.neighbour.children

    def all_villages(self) -> list[PlannedRegion]:
        return [v for t in self.all_towns() for v in t.children]

    def all_grids(self) -> list[PlannedRegion]:
        return [g for v in self.all_villages() for g in v.children]

    def synthetic_rows(self) -> list[RegionRow]:
        """Rows for everything the reference file does not hold, parents first."""
        known = {r.code for r in self.reference_rows}
        towns = [t for t in self.all_towns() if t.code not in known]
        return [r.row() for r in towns + self.all_villages() + self.all_grids()]

    def boundaries(self) -> dict[str, dict[str, Any]]:
        regions = [self.county, self.neighbour, *self.all_towns()]
        regions += self.all_villages() + self.all_grids()
        return {r.code: geojson_geometry(r.shape) for r in regions if r.shape is not None}

    def county_of(self, code: str) -> PlannedRegion:
        return self.county if code.startswith(self.county.code) else self.neighbour

    def address_prefix(self, county: PlannedRegion) -> str:
        """How addresses in a county begin: 桐乡市…, or 湖州市吴兴区… for a city district."""
        city = self.by_code.get(county.parent or "")
        if county.name.endswith("区") and city is not None:
            return city.name + county.name
        return county.name

    def seat_of(self, county: PlannedRegion) -> PlannedRegion:
        """The town nearest to the county's centre (its seat)."""
        return min(
            county.children,
            key=lambda t: (
                ((t.lat or 0) - (county.lat or 0)) ** 2 + ((t.lon or 0) - (county.lon or 0)) ** 2
            ),
        )


def plan_region_tree(
    reference_rows: list[RegionRow], profile: CountyProfile, seed: int
) -> RegionTree:
    rng = random.Random(f"{seed}/regions")
    np_rng = np.random.default_rng([seed, 1])
    planned = {
        r.code: PlannedRegion(r.code, r.name, r.level, r.parent, r.lat, r.lon)
        for r in reference_rows
    }
    county = planned[profile.county]
    neighbour = planned[profile.neighbour.code]
    towns = sorted((r for r in planned.values() if r.parent == county.code), key=lambda r: r.code)
    if [t.code for t in towns] != sorted(profile.towns):
        raise ValueError(
            "the demo profile's towns do not match the reference towns of "
            f"{county.code}: {sorted(profile.towns)} vs {[t.code for t in towns]}"
        )
    county.children = towns
    used_names = {r.name for r in planned.values()}
    _plan_county(county, [profile.towns[t.code] for t in towns], rng, np_rng, used_names)
    _plan_neighbour(neighbour, profile, rng, np_rng, used_names)
    by_code = dict(planned)
    for region in [*county.children, *neighbour.children]:
        by_code[region.code] = region
        for village in region.children:
            by_code[village.code] = village
            for grid in village.children:
                by_code[grid.code] = grid
    return RegionTree(reference_rows, county, neighbour, by_code)


def _point_of(region: PlannedRegion, plane: LocalPlane) -> tuple[float, float]:
    assert region.lat is not None and region.lon is not None, region.code
    return plane.to_km(region.lat, region.lon)


def _plan_county(
    county: PlannedRegion,
    town_profiles: list[TownProfile],
    rng: random.Random,
    np_rng: np.random.Generator,
    used_names: set[str],
) -> None:
    plane = LocalPlane(county.lat or 0.0, county.lon or 0.0)
    points = np.array([_point_of(t, plane) for t in county.children])
    outline = irregular_outline(points, margin_km=COUNTY_MARGIN_KM, rng=np_rng)
    county.shape = plane.geometry_to_lon_lat(outline)
    cells = voronoi_cells(points, outline)
    total = sum(p.population for p in town_profiles)
    for town, town_profile, point, cell in zip(
        county.children, town_profiles, points, cells, strict=True
    ):
        town.shape = plane.geometry_to_lon_lat(cell)
        town.urban = town.name.endswith("街道")
        town.population = town_profile.population / total
        town.roads = _roads(rng, 12 if town.urban else 8)
        _plan_villages(
            town,
            cell,
            point,
            plane,
            communities=town_profile.communities,
            villages=town_profile.villages,
            grids=GRIDS_PER_VILLAGE,
            rng=rng,
            np_rng=np_rng,
            used_names=used_names,
        )


def _plan_neighbour(
    neighbour: PlannedRegion,
    profile: CountyProfile,
    rng: random.Random,
    np_rng: np.random.Generator,
    used_names: set[str],
) -> None:
    spec = profile.neighbour
    plane = LocalPlane(neighbour.lat or 0.0, neighbour.lon or 0.0)
    # The first street sits at the district's centre, the other towns on a ring around it.
    ring = spec.towns - 1
    start = np_rng.uniform(0, 2 * math.pi)
    points = [(0.0, 0.0)] + [
        (
            r * math.cos(start + 2 * math.pi * k / ring + np_rng.uniform(-0.3, 0.3)),
            r * math.sin(start + 2 * math.pi * k / ring + np_rng.uniform(-0.3, 0.3)),
        )
        for k, r in enumerate(np_rng.uniform(5.0, 9.0, ring))
    ]
    town_points = np.array(points)
    outline = irregular_outline(town_points, margin_km=NEIGHBOUR_MARGIN_KM, rng=np_rng)
    neighbour.shape = plane.geometry_to_lon_lat(outline)
    cells = voronoi_cells(town_points, outline)
    streets = 0
    towns = 0
    for index, (point, cell) in enumerate(zip(town_points, cells, strict=True)):
        street = index < spec.streets
        if street:
            streets += 1
            code = f"{neighbour.code}{streets:03d}"
        else:
            towns += 1
            code = f"{neighbour.code}{100 + towns:03d}"
        lat, lon = plane.to_lat_lon(*point)
        town = PlannedRegion(
            code=code,
            name=names.town_name(rng, used_names, street=street),
            level="town",
            parent=neighbour.code,
            lat=round(lat, COORDINATE_DECIMALS),
            lon=round(lon, COORDINATE_DECIMALS),
            shape=plane.geometry_to_lon_lat(cell),
            urban=street,
            population=spec.population / spec.towns,
            roads=_roads(rng, 8),
        )
        neighbour.children.append(town)
        count = rng.randint(*spec.villages)
        communities = count // 2 if street else rng.randint(1, 2)
        _plan_villages(
            town,
            cell,
            point,
            plane,
            communities=communities,
            villages=count - communities,
            grids=NEIGHBOUR_GRIDS_PER_VILLAGE,
            rng=rng,
            np_rng=np_rng,
            used_names=used_names,
        )


def _roads(rng: random.Random, count: int) -> list[str]:
    used: set[str] = set()
    return [names.road_name(rng, used) for _ in range(count)]


def _plan_villages(
    town: PlannedRegion,
    cell: BaseGeometry,
    centre: np.ndarray,
    plane: LocalPlane,
    *,
    communities: int,
    villages: int,
    grids: tuple[int, int],
    rng: random.Random,
    np_rng: np.random.Generator,
    used_names: set[str],
) -> None:
    """Communities cluster around the town's seat, villages spread over the rest of its cell."""
    size = math.sqrt(cell.area)
    core = scatter_points(
        cell,
        communities,
        np_rng,
        min_distance=0.35 * size / math.sqrt(communities + villages),
        around=(float(centre[0]), float(centre[1])),
        spread=0.12 * size,
    )
    rural = scatter_points(
        cell,
        villages,
        np_rng,
        min_distance=0.7 * size / math.sqrt(communities + villages),
        avoid=core,
    )
    points = np.vstack([core, rural])
    cells = voronoi_cells(points, cell)
    # Communities are denser than villages; both vary.
    weights = np.concatenate(
        [np_rng.lognormal(math.log(2.0), 0.35, communities), np_rng.lognormal(0.0, 0.35, villages)]
    )
    weights = weights / weights.sum() * town.population
    mean_weight = town.population / len(weights)
    for index, (point, village_cell, weight) in enumerate(zip(points, cells, weights, strict=True)):
        urban = index < communities
        number = index + 1 if urban else 200 + index - communities + 1
        lat, lon = plane.to_lat_lon(*point)
        village = PlannedRegion(
            code=f"{town.code}{number:03d}",
            name=(names.community_name if urban else names.village_name)(rng, used_names),
            level="village",
            parent=town.code,
            lat=round(lat, COORDINATE_DECIMALS),
            lon=round(lon, COORDINATE_DECIMALS),
            shape=plane.geometry_to_lon_lat(village_cell),
            urban=urban,
            population=float(weight),
        )
        town.children.append(village)
        low, high = grids
        count = int(np.clip(round(0.5 * (low + high) * weight / mean_weight), low, high))
        _plan_grids(village, village_cell, plane, count, np_rng)


def _plan_grids(
    village: PlannedRegion,
    cell: BaseGeometry,
    plane: LocalPlane,
    count: int,
    np_rng: np.random.Generator,
) -> None:
    points = scatter_points(cell, count, np_rng, min_distance=0.6 * math.sqrt(cell.area / count))
    shares = np_rng.dirichlet(np.full(count, 8.0)) * village.population
    short = village.name
    for index, (point, grid_cell, share) in enumerate(
        zip(points, voronoi_cells(points, cell), shares, strict=True), start=1
    ):
        lat, lon = plane.to_lat_lon(*point)
        village.children.append(
            PlannedRegion(
                code=f"{village.code}{index:03d}",
                name=f"{short}{names.chinese_number(index)}网格",
                level="grid",
                parent=village.code,
                lat=round(lat, COORDINATE_DECIMALS),
                lon=round(lon, COORDINATE_DECIMALS),
                shape=plane.geometry_to_lon_lat(grid_cell),
                urban=village.urban,
                population=float(share),
            )
        )
