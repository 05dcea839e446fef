"""Loading the case loop's data: the working calendar, categories with their routes and
attributes, and the departments of each region. All of it is data, editable afterwards.

A new database has the calendar, the categories and the departments of the regions it holds from
its data migrations (jiceng/cases/migrations); a county or town imported later gets its
departments when it is created (`departments_for_new_region`, connected in jiceng.cases.apps).
The functions here load the same files again, for an operator's update and for the demo."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from jiceng.cases.calendar import CALENDAR_CACHE
from jiceng.cases.models import CalendarDay, Category, CategoryAttribute, CategoryRoute, Department
from jiceng.cases.selectors import CATEGORY_RULES_CACHE
from jiceng.core.models import Region
from jiceng.core.services.regions import ImportRefused

REFERENCE = Path(__file__).resolve().parent.parent / "reference"
CALENDAR_FILE = REFERENCE / "calendar-cn.csv"
CATEGORIES_FILE = REFERENCE / "case-categories.json"


def calendar_load_csv(text: str) -> int:
    """Load public holidays and make-up working days (`date,kind,name`; kind holiday|workday),
    all or nothing; a date already present is replaced."""
    rows, problems = [], []
    for line, rec in enumerate(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))), start=2):
        try:
            day = date.fromisoformat((rec.get("date") or "").strip())
        except ValueError:
            problems.append((line, _("not a date: %r") % rec.get("date")))
            continue
        kind = (rec.get("kind") or "").strip()
        if kind not in ("holiday", "workday"):
            problems.append((line, _("kind must be holiday or workday, not %r") % kind))
            continue
        rows.append(
            CalendarDay(date=day, is_workday=kind == "workday", name=(rec.get("name") or "")[:50])
        )
    if problems:
        raise ImportRefused(problems)
    with transaction.atomic():
        CalendarDay.objects.filter(date__in=[r.date for r in rows]).delete()
        CalendarDay.objects.bulk_create(rows)
    CALENDAR_CACHE.forget()
    return len(rows)


def catalogue() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(CATEGORIES_FILE.read_text(encoding="utf-8"))
    return data


def categories_load(data: dict[str, Any] | None = None) -> int:
    """Create or update categories, their routes and attributes from the catalogue."""
    data = data or catalogue()
    kinds = data["department_kinds"]
    with transaction.atomic():
        for spec in data["categories"]:
            unknown = [k for k in spec.get("routes", {}).values() if k not in kinds]
            if unknown:
                raise ImportRefused(
                    [
                        (
                            0,
                            _("category %(c)s routes to unknown kinds %(k)s")
                            % {"c": spec["code"], "k": unknown},
                        )
                    ]
                )
            category, _created = Category.objects.update_or_create(
                code=spec["code"],
                defaults={
                    field: spec[field]
                    for field in (
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
                    if field in spec
                }
                | {"public": spec.get("public", True)},
            )
            category.routes.all().delete()
            CategoryRoute.objects.bulk_create(
                CategoryRoute(category=category, level=level, department_kind=kind)
                for level, kind in spec.get("routes", {}).items()
            )
            category.attributes.all().delete()
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
    CATEGORY_RULES_CACHE.forget()
    return len(data["categories"])


def departments_create(*, county_code: str, data: dict[str, Any] | None = None) -> int:
    """Create the departments of every kind for a county and each of its towns (existing ones
    are kept)."""
    data = data or catalogue()
    county = Region.objects.get(code=county_code)
    towns = list(Region.objects.filter(parent=county, level="town"))
    created = 0
    with transaction.atomic():
        for kind, spec in data["department_kinds"].items():
            regions = [county] if spec["level"] == "county" else towns
            for region in regions:
                name = spec["name"] if region is county else f"{region.name}{spec['name']}"
                prefix = county.name if region is county else ""
                _department, was_created = Department.objects.get_or_create(
                    region=region,
                    kind=kind,
                    defaults={
                        "code": f"{region.code}-{kind}".replace("_", "-"),
                        "name": f"{prefix}{name}",
                        "name_en": spec.get("name_en", ""),
                    },
                )
                created += was_created
    return created


def departments_for_new_region(region: Region, data: dict[str, Any] | None = None) -> int:
    """The departments of every kind of the region's level (county or town) for a region just
    created, as `departments_create` names them; kinds it has already are left alone."""
    if region.level not in ("county", "town"):
        return 0
    data = data or catalogue()
    rows = [
        Department(
            region=region,
            kind=kind,
            code=f"{region.code}-{kind}".replace("_", "-"),
            name=f"{region.name}{spec['name']}",
            name_en=spec.get("name_en", ""),
        )
        for kind, spec in data["department_kinds"].items()
        if spec["level"] == region.level
    ]
    have = set(Department.objects.filter(region=region).values_list("kind", flat=True))
    new = [row for row in rows if row.kind not in have]
    Department.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)
