"""The gas module's data: cylinder design life and inspection interval by size, and the rules of
the site safety code (loaded into the risk engine)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

REFERENCE = Path(__file__).resolve().parent.parent / "reference"
CYLINDER_RULES_FILE = REFERENCE / "gas-cylinder-rules.json"
RISK_RULES_FILE = REFERENCE / "gas-risk-rules.json"
SERVICE_FILE = REFERENCE / "gas-service.json"
SITE_SCHEME = "gas-site"


@cache
def cylinder_rules() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(CYLINDER_RULES_FILE.read_text(encoding="utf-8"))
    return data


def cylinder_terms(nominal_kg: int | None) -> tuple[int, int]:
    """(design life, inspection interval) in years for a cylinder size (defaults otherwise)."""
    data = cylinder_rules()
    terms = data["by_nominal_kg"].get(str(nominal_kg), data["default"])
    return int(terms["design_life_years"]), int(terms["inspection_interval_years"])


def nominal_sizes() -> list[int]:
    return [int(kg) for kg in cylinder_rules()["nominal_kg"]]


def site_rules_ensure() -> None:
    """Load the site safety-code rules into the risk engine unless they are there already (the
    risk app's data migration loads them into every new database; the demo seed and tests whose
    database was emptied call this)."""
    from jiceng.risk.models import RuleSet
    from jiceng.risk.services import ruleset_load_file

    if not RuleSet.objects.filter(code=SITE_SCHEME).exists():
        ruleset_load_file(path=RISK_RULES_FILE)


@cache
def service_terms() -> dict[str, Any]:
    """The promised delivery window (hours) and hazard rectification days by grade."""
    data: dict[str, Any] = json.loads(SERVICE_FILE.read_text(encoding="utf-8"))
    return data
