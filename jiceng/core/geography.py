"""Where a point lies: the deepest region whose boundary contains it.

Boundaries are the regions' own GeoJSON (no internet). The index is built once per process from
the deepest levels that have boundaries and refreshed when regions change
(`GEOGRAPHY_CACHE.forget()`).
"""

from __future__ import annotations

from dataclasses import dataclass

from shapely import STRtree
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

from jiceng.core.caching import ProcessCache, process_cache
from jiceng.core.models import Region

_LEVEL_ORDER = ("grid", "village", "town", "county")


@dataclass
class _Index:
    levels: list[tuple[str, STRtree, list[str], list[BaseGeometry]]]


GEOGRAPHY_CACHE: ProcessCache[_Index] = process_cache(
    "core.geography", seconds=None, exclusive_load=True
)


def _build() -> _Index:
    levels = []
    for level in _LEVEL_ORDER:
        rows = Region.objects.filter(level=level, boundary__isnull=False).values_list(
            "code", "boundary"
        )
        codes, geoms = [], []
        for code, geometry in rows.iterator(chunk_size=2000):
            try:
                geom = shape(geometry)
            except (ValueError, TypeError, KeyError, AttributeError):
                continue
            if not geom.is_empty:
                codes.append(code)
                geoms.append(geom)
        if geoms:
            levels.append((level, STRtree(geoms), codes, geoms))
    return _Index(levels)


def region_at_point(lat: float, lon: float) -> Region | None:
    """The deepest region (grid, village, town, county) that contains the point, or None."""
    index = GEOGRAPHY_CACHE.get_one(_build)
    point = Point(lon, lat)
    for _level, tree, codes, geoms in index.levels:
        for i in tree.query(point):
            if geoms[int(i)].covers(point):
                return Region.objects.get(code=codes[int(i)])
    return None
