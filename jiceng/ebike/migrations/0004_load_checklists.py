"""Data migration: the ebike checklists (community, shop, night_patrol; module "ebike", with
their days to rectify by severity) from jiceng/reference/ebike-checklists.json into the
inspections engine's tables. A checklist present already (edited by the county) is kept."""

import json
from pathlib import Path

from django.db import migrations

FILE = Path(__file__).resolve().parents[2] / "reference" / "ebike-checklists.json"


def _checklists():
    return json.loads(FILE.read_text(encoding="utf-8"))["checklists"]


def load(apps, schema_editor):
    Checklist = apps.get_model("inspections", "Checklist")
    ChecklistItem = apps.get_model("inspections", "ChecklistItem")
    for spec in _checklists():
        checklist, created = Checklist.objects.get_or_create(
            code=spec["code"],
            defaults={
                "name": spec["name"],
                "name_en": spec.get("name_en", ""),
                "module": "ebike",
                "deadline_days": spec["deadline_days"],
            },
        )
        if not created:
            continue
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


def unload(apps, schema_editor):
    Checklist = apps.get_model("inspections", "Checklist")
    Inspection = apps.get_model("inspections", "Inspection")
    for spec in _checklists():
        if not Inspection.objects.filter(checklist__code=spec["code"]).exists():
            Checklist.objects.filter(code=spec["code"], module="ebike").delete()


class Migration(migrations.Migration):
    dependencies = [("ebike", "0003_load_reference"), ("inspections", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
