"""Data migration: the case categories (with their routes and questions) and the department kinds
shipped in jiceng/reference/case-categories.json, so that a deployment routes reports without
the demo. Departments are made for the county and town regions present now; regions imported
later get theirs as they are created (jiceng.cases.apps). Later changes go through
jiceng.cases.reference_data (the same file, loaded again) or the admin."""

import json
from pathlib import Path

from django.db import migrations

CATALOGUE = Path(__file__).resolve().parents[2] / "reference" / "case-categories.json"
CATEGORY_FIELDS = (
    "name",
    "name_en",
    "group",
    "group_en",
    "description",
    "accept_hours",
    "resolve_days",
    "needs_reporter_confirmation",
    "escalate_after_hours",
    "escalate_up_to",
)


def _catalogue():
    return json.loads(CATALOGUE.read_text(encoding="utf-8"))


def load(apps, schema_editor):
    Category = apps.get_model("cases", "Category")
    CategoryRoute = apps.get_model("cases", "CategoryRoute")
    CategoryAttribute = apps.get_model("cases", "CategoryAttribute")
    Department = apps.get_model("cases", "Department")
    Region = apps.get_model("core", "Region")
    data = _catalogue()
    for spec in data["categories"]:
        category, created = Category.objects.get_or_create(
            code=spec["code"], defaults={f: spec[f] for f in CATEGORY_FIELDS if f in spec}
        )
        if not created:
            continue  # loaded before (by an older demo seed): kept as it is
        CategoryRoute.objects.bulk_create(
            CategoryRoute(category=category, level=level, department_kind=kind)
            for level, kind in spec.get("routes", {}).items()
        )
        CategoryAttribute.objects.bulk_create(
            CategoryAttribute(
                category=category,
                order=i,
                code=a["code"],
                description=a["description"],
                description_en=a.get("description_en", ""),
                datatype=a["datatype"],
                required=a.get("required", False),
                values=a.get("values", []),
            )
            for i, a in enumerate(spec.get("attributes", []))
        )
    for county in Region.objects.filter(level="county"):
        towns = list(Region.objects.filter(parent=county, level="town"))
        for kind, spec in data["department_kinds"].items():
            for region in [county] if spec["level"] == "county" else towns:
                prefix = county.name if region.pk == county.pk else region.name
                Department.objects.get_or_create(
                    region=region,
                    kind=kind,
                    defaults={
                        "code": f"{region.code}-{kind}".replace("_", "-"),
                        "name": f"{prefix}{spec['name']}",
                        "name_en": spec.get("name_en", ""),
                    },
                )


def unload(apps, schema_editor):
    data = _catalogue()
    Department = apps.get_model("cases", "Department")
    Category = apps.get_model("cases", "Category")
    Department.objects.filter(kind__in=list(data["department_kinds"]), members=None).delete()
    Category.objects.filter(code__in=[c["code"] for c in data["categories"]]).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_scorecard_covering_indexes"), ("core", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
