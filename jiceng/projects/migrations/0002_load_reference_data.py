"""Data migration: the review settings (ranking indicators and weights, boards, contest criteria,
annual weights) and the case categories of project problems (征迁, 抛荒, power, water, approval,
financing, routed to department kinds), from jiceng/reference/projects.json. Rows that exist
are kept as they are (a county may have edited them)."""

import json
from pathlib import Path

from django.db import migrations

FILE = Path(__file__).resolve().parents[2] / "reference" / "projects.json"
FIELDS = ("name", "name_en", "description", "accept_hours", "resolve_days", "escalate_after_hours")


def load(apps, schema_editor):
    data = json.loads(FILE.read_text(encoding="utf-8"))
    ReviewSetting = apps.get_model("projects", "ReviewSetting")
    for key in ("ranking", "contest", "annual"):
        ReviewSetting.objects.get_or_create(key=key, defaults={"value": data[key]})
    Category = apps.get_model("cases", "Category")
    CategoryRoute = apps.get_model("cases", "CategoryRoute")
    for spec in data["problem_categories"]:
        category, created = Category.objects.get_or_create(
            code=spec["code"],
            defaults={
                **{f: spec[f] for f in FIELDS if f in spec},
                "group": "重点项目",
                "group_en": "Key projects",
            },
        )
        if created:
            CategoryRoute.objects.bulk_create(
                CategoryRoute(category=category, level=level, department_kind=kind)
                for level, kind in spec["routes"].items()
            )


def unload(apps, schema_editor):
    data = json.loads(FILE.read_text(encoding="utf-8"))
    apps.get_model("projects", "ReviewSetting").objects.filter(
        key__in=["ranking", "contest", "annual"]
    ).delete()
    codes = [c["code"] for c in data["problem_categories"]]
    Category = apps.get_model("cases", "Category")
    Case = apps.get_model("cases", "Case")
    unused = Category.objects.filter(code__in=codes).exclude(pk__in=Case.objects.values("category"))
    unused.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0001_initial"),
        ("cases", "0004_load_categories_and_departments"),
    ]

    operations = [migrations.RunPython(load, unload)]
