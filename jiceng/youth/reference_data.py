"""Load the development steps and the volunteer star levels from
jiceng/reference/party-development.json (a copy of the project's research file: the 25 steps of
《中国共产党发展党员工作细则》 (2014) in five stages, each rule with its article).

Run by a data migration, so that a fresh database checks steps without the demo; idempotent: a
step already present keeps its rules (an administrator may have adjusted one when the text
changed). The county's default reserve-cadre policy (age limit) comes from the same file."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

REFERENCE_FILE = Path(__file__).resolve().parent.parent / "reference" / "party-development.json"


@lru_cache(maxsize=1)
def reference() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))
    return data


def star_thresholds() -> list[int]:
    """Hours for one star, two stars … (100, 300, 600, 1000, 1500 by default)."""
    return [int(h) for h in reference()["volunteer_hours"]["star_levels_hours"]]


def default_max_age() -> int:
    return int(reference()["reserve_cadres"]["typical_age_max"])


def steps_load(apps: Any = None) -> int:
    """Create the steps that are missing; returns how many were created."""
    if apps is None:
        from django.apps import apps as installed

        apps = installed
    step_model = apps.get_model("youth", "Step")
    have = set(step_model.objects.values_list("code", flat=True))
    rows = [
        step_model(
            n=step["n"],
            code=step["code"],
            stage=stage["code"],
            name=step["name"],
            rules=step.get("rules", []),
        )
        for stage in reference()["stages"]
        for step in stage["steps"]
        if step["code"] not in have
    ]
    step_model.objects.bulk_create(rows)
    return len(rows)


def policies_load(apps: Any = None) -> int:
    """A default reserve-cadre policy for each county present that has none."""
    if apps is None:
        from django.apps import apps as installed

        apps = installed
    region_model = apps.get_model("core", "Region")
    policy_model = apps.get_model("youth", "ReservePolicy")
    created = 0
    for county in region_model.objects.filter(level="county"):
        _policy, made = policy_model.objects.get_or_create(
            region=county, defaults={"max_age": default_max_age()}
        )
        created += made
    return created
