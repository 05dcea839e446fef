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
