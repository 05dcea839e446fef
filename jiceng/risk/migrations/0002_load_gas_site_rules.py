"""Data migration: the rule sets shipped in jiceng/reference/gas-risk-rules.json (the three-colour
safety code of bottled-gas user sites), so that a deployment colours its sites without the demo
and without loading rules at first use. Later changes go through jiceng.risk.services.ruleset_load
(which replaces a rule set's rules and stamps it for the other processes)."""

import json
from datetime import date
from pathlib import Path

from django.db import migrations

RULES = Path(__file__).resolve().parents[2] / "reference" / "gas-risk-rules.json"


def _rulesets():
    return json.loads(RULES.read_text(encoding="utf-8"))["rulesets"]


def load(apps, schema_editor):
    RuleSet = apps.get_model("risk", "RuleSet")
    Rule = apps.get_model("risk", "Rule")
    for spec in _rulesets():
        ruleset, created = RuleSet.objects.get_or_create(
            code=spec["code"],
            defaults={
                "name": spec.get("name", spec["code"]),
                "name_en": spec.get("name_en", ""),
                "description": spec.get("description", ""),
            },
        )
        if not created:
            continue  # loaded before (at first use, by an older version): kept as it is
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
    RuleSet = apps.get_model("risk", "RuleSet")
    RuleSet.objects.filter(code__in=[spec["code"] for spec in _rulesets()]).delete()


class Migration(migrations.Migration):
    dependencies = [("risk", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
