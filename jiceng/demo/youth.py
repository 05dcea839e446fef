"""The demo district's youth talent reserve (青苗计划): ~1,000 young people across the stages
of party membership, reserve cadres, practice platforms and volunteer hours, and the
youth mediation studio."""

from __future__ import annotations


def seed_youth(*, seed: int, county: str) -> dict[str, int]:
    """Seed the module's demo records for `county`; returns counts by kind."""
    return {}


def demo_youth_delete() -> None:
    """Delete the module's demo records (they refer to regions, people and organisations)."""
