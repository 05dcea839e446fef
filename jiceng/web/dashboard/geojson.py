"""The dashboard map's data: a region's children as GeoJSON, with their counts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jiceng.core.models import Region
from jiceng.web.dashboard.selectors import RegionOverview
from jiceng.web.templatetags.region_names import localized_region_name


def region_geometry(region: Region) -> dict[str, Any] | None:
    """The region's boundary, else a point at its centre, else nothing (GeoJSON allows null)."""
    if region.boundary:
        return dict(region.boundary)
    if region.lat is not None and region.lon is not None:
        return {"type": "Point", "coordinates": [region.lon, region.lat]}
    return None


def overview_feature_collection(
    overview: RegionOverview, *, drill_url: Callable[[Region], str]
) -> dict[str, Any]:
    """One feature per child region, with its counts and the URL that drills into it.

    The region itself comes as the first feature, `role` "region", so the map can outline it.
    """
    region = overview.region
    features: list[dict[str, Any]] = [
        {
            "type": "Feature",
            "id": region.code,
            "geometry": region_geometry(region),
            "properties": {
                "role": "region",
                "code": region.code,
                "name": localized_region_name(region),
                "level": region.level,
                **overview.totals,
            },
        }
    ]
    for child in overview.children:
        features.append(
            {
                "type": "Feature",
                "id": child.region.code,
                "geometry": region_geometry(child.region),
                "properties": {
                    "role": "child",
                    "code": child.region.code,
                    "name": localized_region_name(child.region),
                    "level": child.region.level,
                    "url": drill_url(child.region),
                    **child.counts,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def colour_map_collection(
    counts: dict[str, dict[str, int]],
    *,
    shade: Callable[[dict[str, int]], str],
    community_url: Callable[[str], str],
    red_points: list[tuple[Any, float | None, float | None, str]],
) -> dict[str, Any]:
    """The map of a module's three-colour codes (web/colour-map.js): each community with its
    counts by colour and its shade, then the red records as points.

    `counts` is {community code: {colour: count}}; `red_points` is (id, lat, lon, url) for each
    red record with coordinates.
    """
    features: list[dict[str, Any]] = []
    for region in Region.objects.filter(code__in=list(counts)).order_by("code"):
        mine = counts[region.code]
        features.append(
            {
                "type": "Feature",
                "id": region.code,
                "geometry": region_geometry(region),
                "properties": {
                    "role": "community",
                    "code": region.code,
                    "name": localized_region_name(region),
                    "colour": shade(mine),
                    "red": mine.get("red", 0),
                    "yellow": mine.get("yellow", 0),
                    "green": mine.get("green", 0),
                    "url": community_url(region.code),
                },
            }
        )
    features.extend(
        {
            "type": "Feature",
            "id": f"point-{pk}",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {"role": "point", "colour": "red", "url": url},
        }
        for pk, lat, lon, url in red_points
    )
    return {"type": "FeatureCollection", "features": features}
