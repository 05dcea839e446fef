"""Data migration: what the ebike module needs in a fresh database without the demo — its case
categories and department kinds (the same entries as in jiceng/reference/case-categories.json,
which a fresh database loads first in cases 0004: then this finds them and changes nothing; a
database migrated before gets them here, with departments of the new kinds for the counties and
towns present), the default alert rules (jiceng/reference/ebike-rules.json) and the building
colour rules (jiceng/reference/ebike-risk-rules.json, into the risk engine)."""

import json
from datetime import date
from pathlib import Path

from django.db import migrations

REFERENCE = Path(__file__).resolve().parents[2] / "reference"
CATEGORY_FIELDS = (
    "name",
    "name_en",
    "group",
    "group_en",
    "description",
    "accept_hours",
    "resolve_days",
    "escalate_after_hours",
)
KINDS = ("property_office", "market_supervision", "traffic_police")


def _json(name):
    return json.loads((REFERENCE / name).read_text(encoding="utf-8"))


def _ours(catalogue):
    return [c for c in catalogue["categories"] if c["code"].startswith("ebike_")]


def load(apps, schema_editor):
    Category = apps.get_model("cases", "Category")
    CategoryRoute = apps.get_model("cases", "CategoryRoute")
    Department = apps.get_model("cases", "Department")
    Region = apps.get_model("core", "Region")
    AlertRule = apps.get_model("ebike", "AlertRule")
    RuleSet = apps.get_model("risk", "RuleSet")
    Rule = apps.get_model("risk", "Rule")
    catalogue = _json("case-categories.json")
    for spec in _ours(catalogue):
        fields = {f: spec[f] for f in CATEGORY_FIELDS if f in spec}
        if "public" in [f.name for f in Category._meta.get_fields()]:
            fields["public"] = spec.get("public", True)
        category, created = Category.objects.get_or_create(code=spec["code"], defaults=fields)
        if created:
            CategoryRoute.objects.bulk_create(
                CategoryRoute(category=category, level=level, department_kind=kind)
                for level, kind in spec.get("routes", {}).items()
            )
    kinds = catalogue["department_kinds"]
    for county in Region.objects.filter(level="county"):
        towns = list(Region.objects.filter(parent=county, level="town"))
        for kind in KINDS:
            spec = kinds[kind]
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
    if not AlertRule.objects.exists():
        for rule in _json("ebike-rules.json")["alert_rules"]:
            AlertRule.objects.create(
                kind=rule["kind"],
                count=rule["count"],
                window_hours=rule["window_hours"],
                case_category=rule["case_category"],
                effective_from=date.fromisoformat(rule["effective_from"]),
            )
    for spec in _json("ebike-risk-rules.json")["rulesets"]:
        ruleset, created = RuleSet.objects.get_or_create(
            code=spec["code"],
            defaults={
                "name": spec.get("name", spec["code"]),
                "name_en": spec.get("name_en", ""),
                "description": spec.get("description", ""),
            },
        )
        if not created:
            continue
        Rule.objects.bulk_create(
            Rule(
                ruleset=ruleset,
                order=order,
                code=item["code"],
                colour=item["colour"],
                kind=item["kind"],
                params=dict(item.get("params") or {}),
                reason=item.get("reason") or item["code"],
                reason_en=item.get("reason_en") or "",
                effective_from=date.fromisoformat(item.get("effective_from") or "2000-01-01"),
                effective_to=(
                    date.fromisoformat(item["effective_to"]) if item.get("effective_to") else None
                ),
            )
            for order, item in enumerate(spec.get("rules", []))
        )


def unload(apps, schema_editor):
    Category = apps.get_model("cases", "Category")
    Case = apps.get_model("cases", "Case")
    Department = apps.get_model("cases", "Department")
    RuleSet = apps.get_model("risk", "RuleSet")
    apps.get_model("ebike", "AlertRule").objects.all().delete()
    RuleSet.objects.filter(
        code__in=[s["code"] for s in _json("ebike-risk-rules.json")["rulesets"]]
    ).delete()
    for spec in _ours(_json("case-categories.json")):
        if not Case.objects.filter(category__code=spec["code"]).exists():
            Category.objects.filter(code=spec["code"]).delete()
    used = Case.objects.filter(department__kind__in=KINDS).values("department_id")
    Department.objects.filter(kind__in=KINDS, members=None).exclude(pk__in=used).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("ebike", "0002_ebike_standard_blank"),
        ("cases", "0006_private_categories"),
        ("risk", "0002_load_gas_site_rules"),
        ("core", "0001_initial"),
    ]

    operations = [migrations.RunPython(load, unload)]
