"""Places for the demo county's sites: QR tokens and phone numbers drawn from the seeded
generator (so that the same seed gives the same tokens), coordinates inside a region, and ids
handed out in order."""

from __future__ import annotations

import base64
from dataclasses import dataclass

import numpy as np
from shapely.geometry import Point

from jiceng.core.models import Site
from jiceng.demo.geography import random_points_in
from jiceng.demo.region_tree import PlannedRegion

QR_TOKEN_BYTES = 16  # as Site.new_qr_token: 22 URL-safe characters
SITE_COORDINATE_DECIMALS = 6
MOBILE_PREFIXES = np.array(
    [133, 135, 136, 137, 138, 139, 150, 151, 152, 157, 158, 159, 177, 180, 181, 182, 187, 188,
     189, 198, 199]
)  # fmt: skip


def qr_tokens(rng: np.random.Generator, count: int) -> list[str]:
    raw = rng.bytes(QR_TOKEN_BYTES * count)
    return [
        base64.urlsafe_b64encode(raw[i : i + QR_TOKEN_BYTES]).rstrip(b"=").decode()
        for i in range(0, len(raw), QR_TOKEN_BYTES)
    ]


def mobile_numbers(rng: np.random.Generator, count: int) -> list[str]:
    prefixes = MOBILE_PREFIXES[rng.integers(0, len(MOBILE_PREFIXES), count)]
    rest = rng.integers(0, 10**8, count)
    return [f"{p}{r:08d}" for p, r in zip(prefixes.tolist(), rest.tolist(), strict=True)]


def landline_number(rng: np.random.Generator, area_code: str) -> str:
    return f"{area_code}-8{int(rng.integers(0, 10**7)):07d}"


def points_in_region(
    region: PlannedRegion, count: int, rng: np.random.Generator
) -> list[tuple[float, float]]:
    """`count` (lat, lon) points inside a region's boundary (or at its centre if it has none)."""
    if count == 0:
        return []
    if region.shape is None:
        assert region.lat is not None and region.lon is not None
        return [(region.lat, region.lon)] * count
    lon, lat = random_points_in(region.shape, count, rng)
    return list(
        zip(
            np.round(lat, SITE_COORDINATE_DECIMALS).tolist(),
            np.round(lon, SITE_COORDINATE_DECIMALS).tolist(),
            strict=True,
        )
    )


def point_near_centre(
    region: PlannedRegion, rng: np.random.Generator, *, radius_degrees: float = 0.006
) -> tuple[float, float]:
    """A point within about half a kilometre of a region's centre and inside its boundary."""
    assert region.lat is not None and region.lon is not None
    centre = Point(region.lon, region.lat)
    area = centre.buffer(radius_degrees)
    if region.shape is not None:
        area = area.intersection(region.shape)
    lon, lat = random_points_in(area, 1, rng)
    return round(float(lat[0]), SITE_COORDINATE_DECIMALS), round(
        float(lon[0]), SITE_COORDINATE_DECIMALS
    )


@dataclass
class SiteBook:
    """Unsaved Site rows with ids handed out in order and tokens from the seeded generator."""

    next_id: int
    rng: np.random.Generator

    def make(
        self,
        *,
        name: str,
        kind: str,
        region: str,
        address: str,
        lat: float,
        lon: float,
        organisation_id: int | None = None,
        qr_token: str | None = None,
    ) -> Site:
        site = Site(
            id=self.next_id,
            name=name[:200],
            kind=kind,
            region_id=region,
            address=address[:300],
            lat=lat,
            lon=lon,
            organisation_id=organisation_id,
            qr_token=qr_token or qr_tokens(self.rng, 1)[0],
        )
        self.next_id += 1
        return site
