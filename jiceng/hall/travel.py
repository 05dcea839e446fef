"""Travel time estimated from coordinates: great-circle distance × a detour factor, at a speed.
Pure numpy; the parameters are data (TravelModel rows with effective dates)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

EARTH_RADIUS_KM = 6371.0088


def haversine_km(origins: ArrayLike, destinations: ArrayLike) -> NDArray[np.float64]:
    """Distances (km) between every origin and every destination, both (n, 2) arrays of
    (lat, lon) in degrees: an (n, m) matrix."""
    a = np.radians(np.asarray(origins, dtype=float).reshape(-1, 2))
    b = np.radians(np.asarray(destinations, dtype=float).reshape(-1, 2))
    lat1, lon1 = a[:, 0:1], a[:, 1:2]
    lat2, lon2 = b[:, 0][None, :], b[:, 1][None, :]
    h = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def estimated_minutes(
    origins: ArrayLike, destinations: ArrayLike, *, detour_factor: float, speed_kmh: float
) -> NDArray[np.float64]:
    """Travel minutes: straight-line distance × detour factor at `speed_kmh`."""
    if detour_factor < 1 or speed_kmh <= 0:
        raise ValueError("the detour factor is at least 1 and the speed positive")
    return haversine_km(origins, destinations) * detour_factor / speed_kmh * 60.0
