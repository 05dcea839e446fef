"""The module's reference data (jiceng/reference/projects.json): stages, the default approval
chain with durations in working days, problem categories, and the review rules' defaults."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

FILE = Path(__file__).resolve().parents[1] / "reference" / "projects.json"


@cache
def reference() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(FILE.read_text(encoding="utf-8"))
    return data


def default_chain() -> list[dict[str, Any]]:
    """The approval milestones of an industrial project, in order, with default durations."""
    return [
        {
            "code": m["code"],
            "name": m["name"],
            "duration_days": m["duration_days"],
            "after": list(m["after"]),
        }
        for m in reference()["milestones"]
    ]


def problem_category_codes() -> list[str]:
    return [c["code"] for c in reference()["problem_categories"]]


def review_defaults() -> dict[str, Any]:
    """The review settings a data migration loads (ReviewSetting rows by key)."""
    data = reference()
    return {"ranking": data["ranking"], "contest": data["contest"], "annual": data["annual"]}
