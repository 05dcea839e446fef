"""The power module's reference data: the time-of-use tariff versions from
jiceng/reference/power-tou-zhejiang.json (a copy of the project's research file, with sources and
confidence), loaded into `TariffVersion` rows by a data migration so a fresh database has them;
and the module's own defaults (jiceng/reference/power-rules.json: holiday names, heat days,
reading limits, plan assumptions, demand-response thresholds), read from the file where used.
Idempotent: a version already present is left as it is, since an administrator may have
corrected it."""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

REFERENCE = Path(__file__).resolve().parent.parent / "reference"
TARIFF_FILE = REFERENCE / "power-tou-zhejiang.json"
RULES_FILE = REFERENCE / "power-rules.json"


def tariff_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(TARIFF_FILE.read_text(encoding="utf-8"))
    return data


@cache
def rules() -> dict[str, Any]:
    """power-rules.json, read once per process."""
    data: dict[str, Any] = json.loads(RULES_FILE.read_text(encoding="utf-8"))
    return data


def tariffs_load(apps: Any = None) -> int:
    """Create the tariff versions that are missing; returns how many were created."""
    if apps is None:
        from django.apps import apps as installed

        apps = installed
    model = apps.get_model("power", "TariffVersion")
    created = 0
    for version in tariff_data()["versions"]:
        deep = version.get("holidays_deep_valley") or {}
        _, made = model.objects.get_or_create(
            code=version["id"],
            defaults={
                "document": version.get("document", "")[:200],
                "effective_from": date.fromisoformat(version["effective_from"]),
                "seasons": version["seasons"],
                "holidays": deep.get("holidays", []),
                "holiday_periods": deep.get("periods", []),
                "ratios": version["ratios_to_flat"],
                "confidence": version.get("confidence", ""),
            },
        )
        created += made
    return created


def tariffs_unload(apps: Any) -> None:
    codes = [v["id"] for v in tariff_data()["versions"]]
    apps.get_model("power", "TariffVersion").objects.filter(code__in=codes).delete()
