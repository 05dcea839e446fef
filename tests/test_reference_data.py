"""Reference data comes with the database: a deployment migrated without the demo has the case
categories and department kinds, the colour rules, the hall catalogue and the working calendar,
from the files in jiceng/reference/; the county and towns it imports get their departments."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from jiceng.cases.models import CalendarDay, Category, CategoryAttribute, CategoryRoute, Department
from jiceng.cases.reference_data import categories_load, departments_create
from jiceng.core.models import Region
from jiceng.gas.reference_data import SITE_SCHEME, site_rules_ensure
from jiceng.hall.models import ItemGroup, ServiceItem
from jiceng.hall.services.catalogue import catalogue_load
from jiceng.projects.reference_data import problem_category_codes
from jiceng.risk.models import Rule, RuleSet
from jiceng.risk.selectors import rules_of

REFERENCE = Path(__file__).resolve().parent.parent / "jiceng" / "reference"
CATALOGUE = json.loads((REFERENCE / "case-categories.json").read_text(encoding="utf-8"))
RULES = json.loads((REFERENCE / "gas-risk-rules.json").read_text(encoding="utf-8"))
with (REFERENCE / "insurance-items.csv").open(encoding="utf-8") as items_file:
    ITEMS = list(csv.DictReader(items_file))

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            Category,
            CategoryRoute,
            CategoryAttribute,
            Department,
            RuleSet,
            Rule,
            ItemGroup,
            ServiceItem,
        )
    }


def test_a_migrated_database_has_every_case_category_with_its_routes_and_questions():
    assert not Region.objects.exists()  # nothing seeded
    categories = {c.code: c for c in Category.objects.prefetch_related("routes", "attributes")}
    # Modules add their own categories by data migration (key projects: projects.json).
    module_categories = set(problem_category_codes())
    assert set(categories) == {spec["code"] for spec in CATALOGUE["categories"]} | module_categories
    for spec in CATALOGUE["categories"]:
        category = categories[spec["code"]]
        assert category.name == spec["name"] and category.resolve_days == spec["resolve_days"]
        routes = {r.level: r.department_kind for r in category.routes.all()}
        assert routes == spec.get("routes", {})
        questions = [a.code for a in category.attributes.order_by("order")]
        assert questions == [a["code"] for a in spec.get("attributes", [])]


def test_a_migrated_database_has_the_gas_site_colour_rules_without_a_first_use():
    ruleset = RuleSet.objects.get(code=SITE_SCHEME)
    (spec,) = [s for s in RULES["rulesets"] if s["code"] == SITE_SCHEME]
    assert ruleset.name == spec["name"]
    assert [r.code for r in rules_of(SITE_SCHEME)] == [r["code"] for r in spec["rules"]]


def test_a_migrated_database_has_the_hall_catalogue_and_the_calendar():
    items = dict(ServiceItem.objects.values_list("code", "name"))
    assert items == {row["code"]: row["name"] for row in ITEMS}
    assert set(ItemGroup.objects.values_list("code", flat=True)) == {"A", "B", "C"}
    assert not ServiceItem.objects.filter(materials=[]).exists()
    assert CalendarDay.objects.filter(is_workday=False).exists()


def test_an_imported_county_and_its_towns_get_their_departments(regions):
    kinds = CATALOGUE["department_kinds"]
    county_kinds = {k for k, spec in kinds.items() if spec["level"] == "county"}
    town_kinds = {k for k, spec in kinds.items() if spec["level"] == "town"}
    towns = list(Region.objects.filter(level="town"))
    assert len(towns) == 11
    assert set(Department.objects.filter(region_id="330483").values_list("kind", flat=True)) == (
        county_kinds
    )
    for town in towns:
        found = Department.objects.filter(region=town)
        assert set(found.values_list("kind", flat=True)) == town_kinds
    fire = Department.objects.get(region_id="330483001", kind="fire_station")
    assert fire.name == "梧桐街道" + kinds["fire_station"]["name"]
    assert fire.code == "330483001-fire-station"
    # Villages and grids have no departments of their own.
    assert not Department.objects.filter(region__level__in=["village", "grid"]).exists()


def test_loading_the_reference_files_again_changes_nothing(regions):
    before = _counts()
    categories_load()
    assert departments_create(county_code="330483") == 0
    site_rules_ensure()
    catalogue_load()
    assert _counts() == before
