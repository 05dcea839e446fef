"""The demo county's summer peak load (迎峰度夏): meters of a few hundred enterprises with a
summer of 15-minute load, machines for their plans, and demand-response events."""

from __future__ import annotations


def seed_power(*, seed: int, county: str) -> dict[str, int]:
    """Seed the module's demo records for `county`; returns counts by kind."""
    return {}


def demo_power_delete() -> None:
    """Delete the module's demo records (they refer to regions, people and organisations)."""
