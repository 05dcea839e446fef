"""Synthetic boundaries: an irregular county outline around its towns, Voronoi cells for towns,
villages and grids nested inside one another, points inside them, and GeoJSON out.

Shapes are built in a local plane in kilometres (so that distances are isotropic) and turned
into longitude/latitude at the end, rounded to 5 decimals (about a metre).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely.geometry import MultiPoint, MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

KM_PER_DEGREE_LAT = 110.574
KM_PER_DEGREE_LON_AT_EQUATOR = 111.320
COORDINATE_DECIMALS = 5


@dataclass(frozen=True)
class LocalPlane:
    """An equirectangular projection around (lat0, lon0), in kilometres."""

    lat0: float
    lon0: float

    @property
    def km_per_degree_lon(self) -> float:
        return KM_PER_DEGREE_LON_AT_EQUATOR * math.cos(math.radians(self.lat0))

    def to_km(self, lat: float, lon: float) -> tuple[float, float]:
        return (lon - self.lon0) * self.km_per_degree_lon, (lat - self.lat0) * KM_PER_DEGREE_LAT

    def to_lat_lon(self, x: float, y: float) -> tuple[float, float]:
        return self.lat0 + y / KM_PER_DEGREE_LAT, self.lon0 + x / self.km_per_degree_lon

    def geometry_to_lon_lat(self, geometry: BaseGeometry) -> BaseGeometry:
        kx = self.km_per_degree_lon

        def convert(xy: np.ndarray) -> np.ndarray:
            out = np.empty_like(xy)
            out[:, 0] = self.lon0 + xy[:, 0] / kx
            out[:, 1] = self.lat0 + xy[:, 1] / KM_PER_DEGREE_LAT
            return out

        return shapely.set_precision(
            shapely.transform(geometry, convert), 10.0**-COORDINATE_DECIMALS
        )


def irregular_outline(
    points: np.ndarray,
    *,
    margin_km: float,
    rng: np.random.Generator,
    vertices: int = 96,
) -> Polygon:
    """A star-shaped, irregular outline that holds every point at least a third of the margin in.

    It follows the convex hull of the points grown by the margin, its radius pushed in and out
    by up to 0.7 margin with a few random harmonics and some jitter; being star-shaped around
    its centre, it is always a valid simple polygon.
    """
    base = MultiPoint([tuple(p) for p in points]).convex_hull.buffer(margin_km, quad_segs=16)
    centre = np.array(base.centroid.coords[0])
    angles = np.linspace(0.0, 2 * math.pi, vertices, endpoint=False)
    reach = 4 * math.sqrt(base.area) + 4 * margin_km
    radii = np.empty(vertices)
    for k, angle in enumerate(angles):
        tip = centre + reach * np.array([math.cos(angle), math.sin(angle)])
        crossing = base.exterior.intersection(shapely.LineString([centre, tip]))
        radii[k] = Point(centre).distance(crossing)
    harmonics = np.arange(2, 12)
    amplitudes = rng.uniform(0.3, 1.0, len(harmonics)) / np.sqrt(harmonics)
    phases = rng.uniform(0, 2 * math.pi, len(harmonics))
    jitter = rng.uniform(-0.35, 0.35, vertices)
    shape = (np.cos(np.outer(angles, harmonics) + phases) * amplitudes).sum(axis=1) + jitter
    shape /= np.abs(shape).max()
    holder = MultiPoint([tuple(p) for p in points]).buffer(margin_km / 3)
    for amount in (0.7, 0.5, 0.3, 0.0):
        r = radii + amount * margin_km * shape
        ring = np.column_stack([centre[0] + r * np.cos(angles), centre[1] + r * np.sin(angles)])
        outline = Polygon(ring)
        if outline.is_valid and outline.contains(holder):
            return outline
    return base


def voronoi_cells(points: np.ndarray, within: BaseGeometry) -> list[BaseGeometry]:
    """The Voronoi cell of each point clipped to `within`, in the order of the points.

    A clipped cell that falls apart keeps the piece holding its point and any piece of at least
    a tenth of it; slivers are dropped (a gap is harmless, an overlap is not).
    """
    if len(points) == 1:
        return [within]
    diagram = shapely.voronoi_polygons(
        MultiPoint([tuple(p) for p in points]), extend_to=within, ordered=True
    )
    cells = []
    for point, cell in zip(points, diagram.geoms, strict=True):
        clipped = cell.intersection(within)
        cells.append(polygonal_part(clipped, Point(point)))
    return cells


def polygonal_part(geometry: BaseGeometry, anchor: Point) -> BaseGeometry:
    """The polygons of a geometry: the one holding `anchor` and those at least 10 % of its area."""
    parts = [g for g in getattr(geometry, "geoms", [geometry]) if isinstance(g, Polygon)]
    nested = [
        p for g in getattr(geometry, "geoms", []) if isinstance(g, MultiPolygon) for p in g.geoms
    ]
    parts += nested
    if not parts:
        return geometry
    main = next((p for p in parts if p.covers(anchor)), max(parts, key=lambda p: p.area))
    kept = [main] + [p for p in parts if p is not main and p.area >= 0.1 * main.area]
    return kept[0] if len(kept) == 1 else MultiPolygon(kept)


def scatter_points(
    within: BaseGeometry,
    count: int,
    rng: np.random.Generator,
    *,
    min_distance: float,
    around: tuple[float, float] | None = None,
    spread: float = 0.0,
    avoid: np.ndarray | None = None,
) -> np.ndarray:
    """`count` points inside `within`, at least about `min_distance` apart (dart throwing).

    With `around` and `spread` the points cluster normally around a centre (a town's core),
    otherwise they fall uniformly. The distance is relaxed when the darts keep missing.
    """
    minx, miny, maxx, maxy = within.bounds
    placed: list[tuple[float, float]] = [tuple(p) for p in avoid] if avoid is not None else []
    first_new = len(placed)
    distance = min_distance
    misses = 0
    while len(placed) - first_new < count:
        if around is not None and spread > 0:
            x, y = rng.normal(around[0], spread), rng.normal(around[1], spread)
        else:
            x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        ok = within.contains(Point(x, y)) and all(
            (x - px) ** 2 + (y - py) ** 2 >= distance**2 for px, py in placed
        )
        if ok:
            placed.append((x, y))
            misses = 0
        else:
            misses += 1
            if misses > 200:
                distance *= 0.8
                misses = 0
    return np.array(placed[first_new:], dtype=float).reshape(-1, 2)


def random_points_in(
    geometry: BaseGeometry, count: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """`count` points uniformly inside a (lon/lat or plane) geometry, as x and y arrays."""
    minx, miny, maxx, maxy = geometry.bounds
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    have = 0
    shapely.prepare(geometry)
    while have < count:
        want = max(16, int((count - have) * 1.6))
        x = rng.uniform(minx, maxx, want)
        y = rng.uniform(miny, maxy, want)
        inside = shapely.contains_xy(geometry, x, y)
        xs.append(x[inside])
        ys.append(y[inside])
        have += int(inside.sum())
    return np.concatenate(xs)[:count], np.concatenate(ys)[:count]


def _rounded(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        if value and isinstance(value[0], float):
            return [round(v, COORDINATE_DECIMALS) for v in value]
        return [_rounded(v) for v in value]
    return value


def geojson_geometry(geometry: BaseGeometry) -> dict[str, Any]:
    """A GeoJSON geometry with coordinates rounded to 5 decimals."""
    mapped = shapely.geometry.mapping(geometry)
    return {"type": mapped["type"], "coordinates": _rounded(mapped["coordinates"])}
