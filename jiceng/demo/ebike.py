"""The demo county's e-bike fire safety (电动自行车): buildings, ~60,000 e-bikes, shops,
recyclers, charging places, lift blockers and a year of inspections, patrols, alerts,
sales, trade-ins and scrappings."""

from __future__ import annotations


def seed_ebike(*, seed: int, county: str) -> dict[str, int]:
    """Seed the module's demo records for `county`; returns counts by kind."""
    return {}


def demo_ebike_delete() -> None:
    """Delete the module's demo records (they refer to regions, people and organisations)."""
