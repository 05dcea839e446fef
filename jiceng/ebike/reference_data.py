"""The ebike module's data (jiceng/reference/ebike-*.json): formats of plates, frame numbers and
battery codes, the lithium voltage limit, the rules that flag sales, the alert rules, the case
category of each kind of failed checklist item, the building colour rules (loaded into the risk
engine) and the inspection checklists (loaded into the inspections engine)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

REFERENCE = Path(__file__).resolve().parent.parent / "reference"
RULES_FILE = REFERENCE / "ebike-rules.json"
RISK_RULES_FILE = REFERENCE / "ebike-risk-rules.json"
CHECKLISTS_FILE = REFERENCE / "ebike-checklists.json"
BUILDING_SCHEME = "ebike-building"
MODULE = "ebike"


@cache
def rules() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(RULES_FILE.read_text(encoding="utf-8"))
    return data


@cache
def checklists() -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(CHECKLISTS_FILE.read_text(encoding="utf-8"))[
        "checklists"
    ]
    return data


@cache
def _pattern(name: str) -> re.Pattern[str]:
    return re.compile(rules()["formats"][name]["pattern"])


def plate_valid(text: str) -> bool:
    return bool(_pattern("plate").fullmatch(text))


def frame_number_valid(text: str) -> bool:
    return bool(_pattern("frame_number").fullmatch(text))


def battery_code_valid(text: str) -> bool:
    return bool(_pattern("battery_code").fullmatch(text))


def lithium_max_voltage() -> Decimal:
    return Decimal(str(rules()["lithium_max_voltage_v"]))


@dataclass(frozen=True)
class SaleRule:
    """A sale that is kept but flagged, and opens a case (`case_category`) against the shop:
    a bike of `standard` sold after `sold_after`, or a battery of `chemistry` with `ccc` sold
    on or after `sold_from`."""

    code: str
    flag: str
    case_category: str
    reason: str
    reason_en: str
    standard: str | None = None
    sold_after: date | None = None
    chemistry: str | None = None
    ccc: bool | None = None
    sold_from: date | None = None

    def bike_breaks(self, *, standard: str | None, day: date) -> bool:
        return (
            self.standard is not None
            and standard == self.standard
            and self.sold_after is not None
            and day > self.sold_after
        )

    def battery_breaks(self, *, chemistry: str | None, ccc: bool | None, day: date) -> bool:
        return (
            self.chemistry is not None
            and chemistry == self.chemistry
            and ccc is not None
            and ccc == self.ccc
            and self.sold_from is not None
            and day >= self.sold_from
        )


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


@cache
def sale_rules() -> tuple[SaleRule, ...]:
    return tuple(
        SaleRule(
            code=r["code"],
            flag=r["flag"],
            case_category=r["case_category"],
            reason=r["reason"],
            reason_en=r.get("reason_en", ""),
            standard=r.get("standard"),
            sold_after=_day(r.get("sold_after")),
            chemistry=r.get("chemistry"),
            ccc=r.get("ccc"),
            sold_from=_day(r.get("sold_from")),
        )
        for r in rules()["sale_rules"]
    )


def modification_rule() -> dict[str, str]:
    data: dict[str, str] = rules()["modification"]
    return data


def finding_case_category(category: str) -> str:
    """The case category a failed item of a checklist category opens (fire → the fire brigade's,
    market → market supervision's, registration → the traffic police's, property → the town's
    property management office's)."""
    found = rules()["finding_categories"].get(category) or rules()["finding_categories"]["fire"]
    return str(found["case_category"])


def finding_case_categories() -> tuple[str, ...]:
    return tuple(
        dict.fromkeys(str(v["case_category"]) for v in rules()["finding_categories"].values())
    )


def building_rules_ensure() -> None:
    """Load the building colour rules into the risk engine unless they are there already (the
    ebike data migration loads them into every new database; tests whose database was emptied
    call this)."""
    from jiceng.risk.models import RuleSet
    from jiceng.risk.services import ruleset_load_file

    if not RuleSet.objects.filter(code=BUILDING_SCHEME).exists():
        ruleset_load_file(path=RISK_RULES_FILE)


def alert_rules_ensure() -> None:
    """The default alert rules, unless some are there (as building_rules_ensure)."""
    from jiceng.ebike.models import AlertRule

    if AlertRule.objects.exists():
        return
    AlertRule.objects.bulk_create(
        AlertRule(
            kind=r["kind"],
            count=int(r["count"]),
            window_hours=int(r["window_hours"]),
            case_category=r["case_category"],
            effective_from=date.fromisoformat(r["effective_from"]),
            effective_to=_day(r.get("effective_to")),
        )
        for r in rules()["alert_rules"]
    )


def checklists_ensure() -> int:
    """Load the ebike checklists into the inspections engine's tables, unless there (the data
    migration does it for every new database). Answers the number of checklists created."""
    from jiceng.inspections.models import Checklist, ChecklistItem

    created = 0
    for spec in checklists():
        checklist, made = Checklist.objects.get_or_create(
            code=spec["code"],
            defaults={
                "name": spec["name"],
                "name_en": spec.get("name_en", ""),
                "module": MODULE,
                "deadline_days": spec["deadline_days"],
            },
        )
        if not made:
            continue
        created += 1
        ChecklistItem.objects.bulk_create(
            ChecklistItem(
                checklist=checklist,
                code=item["code"],
                text=item["text"],
                text_en=item.get("text_en", ""),
                category=item["category"],
                severity=item["severity"],
                position=position,
            )
            for position, item in enumerate(spec["items"])
        )
    return created
