"""Load checklists from a reference file (jiceng/reference/*-checklist(s).json) into the
engine's tables. Run by the modules' data migrations, so a fresh database has them without the
demo; idempotent: a checklist already present is left as it is (the county may have edited it),
and items it lacks are added.

The file's shape:

    {"about": "...", "checklists": [
      {"code": "gas_site", "name": "瓶装燃气用户安检", "name_en": "...", "module": "gas",
       "deadline_days": {"major": 3, "minor": 15},
       "items": [{"code": "hose", "text": "...", "text_en": "...", "category": "hose",
                  "severity": "minor"}, ...]}]}
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "reference"


def checklists_file(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((REFERENCE_DIR / name).read_text(encoding="utf-8"))
    return data


def checklists_load(name: str, apps: Any = None) -> int:
    """Create the file's checklists and the items they lack; answers the rows created."""
    if apps is None:
        from django.apps import apps as installed

        apps = installed
    checklist_model = apps.get_model("inspections", "Checklist")
    item_model = apps.get_model("inspections", "ChecklistItem")
    created = 0
    for entry in checklists_file(name)["checklists"]:
        checklist, made = checklist_model.objects.get_or_create(
            code=entry["code"],
            defaults={
                "name": entry["name"],
                "name_en": entry.get("name_en", ""),
                "module": entry["module"],
                "deadline_days": entry.get("deadline_days", {"major": 3, "minor": 7}),
            },
        )
        created += made
        have = set(item_model.objects.filter(checklist=checklist).values_list("code", flat=True))
        for position, item in enumerate(entry["items"]):
            if item["code"] in have:
                continue
            item_model.objects.create(
                checklist=checklist,
                code=item["code"],
                text=item["text"],
                text_en=item.get("text_en", ""),
                category=item.get("category", ""),
                severity=item.get("severity", "minor"),
                position=position,
            )
            created += 1
    return created


def checklists_unload(name: str, apps: Any) -> None:
    """Undo `checklists_load`: the file's checklists that nobody answered."""
    checklist_model = apps.get_model("inspections", "Checklist")
    inspection_model = apps.get_model("inspections", "Inspection")
    codes = [entry["code"] for entry in checklists_file(name)["checklists"]]
    used = set(
        inspection_model.objects.filter(checklist__code__in=codes).values_list(
            "checklist__code", flat=True
        )
    )
    checklist_model.objects.filter(code__in=set(codes) - used).delete()
