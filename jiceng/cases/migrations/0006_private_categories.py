"""Data migration: categories that jiceng/reference/case-categories.json marks `"public": false`
(cases about one person's own affairs) are left out of the public Open311 view. Reversing makes
them public again (the field's default), as before 0005."""

import json
from pathlib import Path

from django.db import migrations

CATALOGUE = Path(__file__).resolve().parents[2] / "reference" / "case-categories.json"


def _private_codes():
    data = json.loads(CATALOGUE.read_text(encoding="utf-8"))
    return [spec["code"] for spec in data["categories"] if spec.get("public", True) is False]


def mark_private(apps, schema_editor):
    Category = apps.get_model("cases", "Category")
    Category.objects.filter(code__in=_private_codes()).update(public=False)


def mark_public(apps, schema_editor):
    Category = apps.get_model("cases", "Category")
    Category.objects.filter(code__in=_private_codes()).update(public=True)


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_category_public")]

    operations = [migrations.RunPython(mark_private, mark_public)]
