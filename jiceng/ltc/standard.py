"""The disability assessment standard (长期护理失能等级评估标准（试行）, 医保办发〔2021〕37号), read
as data from jiceng/reference/ltc-assessment-2021.json, and the scoring that it defines.

Nothing of the standard is written here: the items with their score options, the bands that turn
an indicator's total into a grade, the order of the grades and the combination table that turns
the three grades into the final level all come from the file, so that a region can correct them.

Scoring: each indicator's total is the sum of its items' scores; the total falls in one band of
that indicator (its grade). The final level is the combination table's cell whose row is the ADL
grade and whose column is the worse of the cognition and the sensory grades.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

STANDARD_FILE = Path(__file__).resolve().parent.parent / "reference" / "ltc-assessment-2021.json"
STANDARD_CODE = "2021"


@dataclass(frozen=True)
class Option:
    score: int
    label: str


@dataclass(frozen=True)
class Item:
    id: str
    indicator: str
    name: str
    options: tuple[Option, ...]

    @property
    def scores(self) -> frozenset[int]:
        return frozenset(o.score for o in self.options)


@dataclass(frozen=True)
class Standard:
    title: str
    indicators: dict[str, dict[str, Any]]  # code -> {"name", "max"}
    items: tuple[Item, ...]
    grades: tuple[str, ...]  # from best to worst: intact, mild, moderate, severe
    grade_names: dict[str, str]
    bands: dict[str, dict[str, tuple[int, int]]]  # indicator -> grade -> (low, high)
    combination: dict[str, dict[str, int]]  # ADL grade -> worse other grade -> level
    levels: dict[int, str]
    # The indicators whose worse grade is the combination table's column.
    column_indicators: tuple[str, ...]
    row_indicator: str

    def item(self, item_id: str) -> Item | None:
        return next((i for i in self.items if i.id == item_id), None)

    def as_data(self) -> dict[str, Any]:
        """What the assessment form's script needs, as JSON-ready data."""
        return {
            "indicators": self.indicators,
            "items": [
                {
                    "id": i.id,
                    "indicator": i.indicator,
                    "name": i.name,
                    "options": [{"score": o.score, "label": o.label} for o in i.options],
                }
                for i in self.items
            ],
            "grades": list(self.grades),
            "grade_names": self.grade_names,
            "bands": {k: {g: list(b) for g, b in v.items()} for k, v in self.bands.items()},
            "combination": self.combination,
            "levels": {str(k): v for k, v in self.levels.items()},
            "row": self.row_indicator,
            "columns": list(self.column_indicators),
        }


def standard_parse(raw: dict[str, Any]) -> Standard:
    grades, grade_names = [], {}
    for entry in raw["bands"]["_grades"]:
        code, _space, name = str(entry).partition(" ")
        grades.append(code)
        grade_names[code] = name or code
    indicators = {k: dict(v) for k, v in raw["indicators"].items()}
    row = "adl" if "adl" in indicators else next(iter(indicators))
    return Standard(
        title=raw.get("standard", ""),
        indicators=indicators,
        items=tuple(
            Item(
                id=i["id"],
                indicator=i["indicator"],
                name=i["name"],
                options=tuple(Option(int(o["score"]), o["label"]) for o in i["options"]),
            )
            for i in raw["items"]
        ),
        grades=tuple(grades),
        grade_names=grade_names,
        bands={
            indicator: {g: (int(b[0]), int(b[1])) for g, b in bands.items()}
            for indicator, bands in raw["bands"].items()
            if not indicator.startswith("_")
        },
        combination={
            r: {c: int(v) for c, v in cols.items()}
            for r, cols in raw["combination"].items()
            if not r.startswith("_")
        },
        levels={int(k): v for k, v in raw["levels"].items()},
        column_indicators=tuple(k for k in indicators if k != row),
        row_indicator=row,
    )


@lru_cache(maxsize=1)
def current_standard() -> Standard:
    return standard_parse(json.loads(STANDARD_FILE.read_text(encoding="utf-8")))


@dataclass(frozen=True)
class Result:
    totals: dict[str, int]  # indicator -> total score
    grades: dict[str, str]  # indicator -> grade code
    level: int

    @property
    def level_name(self) -> str:
        return current_standard().levels.get(self.level, str(self.level))


def _as_score(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def scores_check(scores: dict[str, Any], standard: Standard | None = None) -> dict[str, int]:
    """The scores as integers, one per item of the standard; ValidationError naming each item
    that is missing, unknown or scored with a value that is not among its options."""
    standard = standard or current_standard()
    errors: dict[str, str] = {}
    clean: dict[str, int] = {}
    for item in standard.items:
        if item.id not in scores or scores[item.id] in (None, ""):
            errors[item.id] = _("Item %(item)s (%(name)s) has no score.") % {
                "item": item.id,
                "name": item.name,
            }
            continue
        value = scores[item.id]
        number = _as_score(value)
        if number is None or number not in item.scores:
            errors[item.id] = _("Item %(item)s scores one of %(options)s, not %(value)s.") % {
                "item": item.id,
                "options": ", ".join(str(s) for s in sorted(item.scores)),
                "value": value,
            }
            continue
        clean[item.id] = number
    for unknown in sorted(set(scores) - {i.id for i in standard.items}):
        errors[unknown] = _("%(item)s is not an item of the standard.") % {"item": unknown}
    if errors:
        raise ValidationError(errors)
    return clean


def grade_of(standard: Standard, indicator: str, total: int) -> str:
    for grade, (low, high) in standard.bands[indicator].items():
        if low <= total <= high:
            return grade
    raise ValueError(f"no band of {indicator} holds {total}")


def level_of(standard: Standard, grades: dict[str, str]) -> int:
    worst = max((grades[c] for c in standard.column_indicators), key=standard.grades.index)
    return standard.combination[grades[standard.row_indicator]][worst]


def assess(scores: dict[str, Any], standard: Standard | None = None) -> Result:
    """Check the scores and compute the totals, the three grades and the final level."""
    standard = standard or current_standard()
    clean = scores_check(scores, standard)
    totals = dict.fromkeys(standard.indicators, 0)
    for item in standard.items:
        totals[item.indicator] += clean[item.id]
    grades = {k: grade_of(standard, k, v) for k, v in totals.items()}
    return Result(totals=totals, grades=grades, level=level_of(standard, grades))
