"""Data migration: the service catalogue shipped in jiceng/reference/insurance-items.csv, with
the queue groups and materials of jiceng/reference/hall-catalogue-defaults.json, so that a
deployment has its catalogue without the demo. Later changes go through jiceng.hall.services.catalogue."""

import csv
import json
from pathlib import Path

from django.db import migrations

HERE = Path(__file__).resolve().parents[1]
ITEMS = HERE.parent / "reference" / "insurance-items.csv"
DEFAULTS = HERE.parent / "reference" / "hall-catalogue-defaults.json"


def _group(code, audience, groups):
    for group in groups:
        if code in group.get("items", []):
            return group["code"]
    for group in groups:
        if group.get("audience") == audience:
            return group["code"]
    return groups[0]["code"]


def load(apps, schema_editor):
    ItemGroup = apps.get_model("hall", "ItemGroup")
    ServiceItem = apps.get_model("hall", "ServiceItem")
    defaults = json.loads(DEFAULTS.read_text(encoding="utf-8"))
    for order, group in enumerate(defaults["groups"]):
        ItemGroup.objects.get_or_create(
            code=group["code"],
            defaults={"name": group["name"], "name_en": group.get("name_en", ""), "order": order},
        )
    with ITEMS.open(encoding="utf-8") as f:
        for rec in csv.DictReader(f):
            ServiceItem.objects.get_or_create(
                code=rec["code"],
                defaults={
                    "name": rec["name"],
                    "audience": rec["audience"],
                    "high_frequency": rec["high_frequency"].strip().lower() == "yes",
                    "standard_minutes": int(rec["standard_minutes"]),
                    "promised_workdays": int(rec["promised_workdays"]),
                    "point_kinds": [k for k in rec["point_types"].split(";") if k],
                    "materials": defaults["materials"].get(rec["code"], []),
                    "group_id": _group(rec["code"], rec["audience"], defaults["groups"]),
                },
            )


def unload(apps, schema_editor):
    apps.get_model("hall", "ServiceItem").objects.all().delete()
    apps.get_model("hall", "ItemGroup").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("hall", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
