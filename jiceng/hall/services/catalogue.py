"""The service catalogue: loaded from jiceng/reference/insurance-items.csv, completed by the
defaults of jiceng/reference/hall-catalogue-defaults.json (queue groups, materials), editable
afterwards. The CSV is the one list of items; the defaults file only adds what a queue needs."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jiceng.core import roles
from jiceng.core.models import User
from jiceng.hall.models import Audience, ItemGroup, PointKind, ServiceItem
from jiceng.reference import REFERENCE

CATALOGUE_FILE = REFERENCE / "insurance-items.csv"
DEFAULTS_FILE = REFERENCE / "hall-catalogue-defaults.json"
REQUIRED_COLUMNS = (
    "code",
    "name",
    "audience",
    "high_frequency",
    "standard_minutes",
    "promised_workdays",
    "point_types",
)
YES = frozenset({"yes", "y", "true", "1", "是"})
NO = frozenset({"no", "n", "false", "0", "否", ""})


def catalogue_defaults() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DEFAULTS_FILE.read_text(encoding="utf-8"))
    return data


def _check_administrator(actor: User | None) -> None:
    if actor is not None and not roles.may_administer(actor):
        raise PermissionDenied(_("Only a county administrator may change the service catalogue."))


def _group_for(row: dict[str, Any], audience: str, defaults: dict[str, Any]) -> str:
    for group in defaults["groups"]:
        if row["code"] in group.get("items", []):
            return str(group["code"])
    for group in defaults["groups"]:
        if group.get("audience") == audience:
            return str(group["code"])
    return str(defaults["groups"][0]["code"])


def _parse_rows(text: str, defaults: dict[str, Any]) -> list[dict[str, Any]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ValidationError({"file": _("Missing columns: %s") % ", ".join(missing)})
    group_codes = {g["code"] for g in defaults["groups"]}
    rows, problems, seen = [], [], set()
    for line, raw in enumerate(reader, start=2):
        rec = {k: (v or "").strip() for k, v in raw.items() if k}
        code = rec["code"]
        why = []
        if not code or len(code) > 20:
            why.append(_("a code of 1 to 20 characters is required"))
        if code in seen:
            why.append(_("code %s appears twice") % code)
        seen.add(code)
        if not rec["name"]:
            why.append(_("a name is required"))
        if rec["audience"] not in Audience.values:
            why.append(_("audience must be person or enterprise, not %r") % rec["audience"])
        flag = rec["high_frequency"].lower()
        if flag not in YES | NO:
            why.append(_("high_frequency must be yes or no, not %r") % rec["high_frequency"])
        numbers = {}
        for column in ("standard_minutes", "promised_workdays"):
            value = rec[column]
            if not value.isdigit() or int(value) > 10_000:
                why.append(
                    _("%(column)s must be a whole number, not %(value)r")
                    % {"column": column, "value": value}
                )
            else:
                numbers[column] = int(value)
        if numbers.get("standard_minutes") == 0:
            why.append(_("standard_minutes must be at least 1"))
        kinds = [k.strip() for k in rec["point_types"].split(";") if k.strip()]
        unknown = [k for k in kinds if k not in PointKind.values]
        if unknown or not kinds:
            why.append(
                _("unknown point types: %s") % ", ".join(unknown)
                if unknown
                else _("point_types is empty")
            )
        group = rec.get("group") or _group_for(rec, rec["audience"], defaults)
        if group not in group_codes and not ItemGroup.objects.filter(code=group).exists():
            why.append(_("unknown group %r") % group)
        if why:
            problems.append(_("line %(line)d: %(why)s") % {"line": line, "why": "; ".join(why)})
            continue
        materials = (
            [m.strip() for m in rec["materials"].split(";") if m.strip()]
            if rec.get("materials")
            else list(defaults.get("materials", {}).get(code, []))
        )
        rows.append(
            {
                "code": code,
                "name": rec["name"][:100],
                "name_en": rec.get("name_en", "")[:100],
                "audience": rec["audience"],
                "high_frequency": flag in YES,
                "standard_minutes": numbers["standard_minutes"],
                "promised_workdays": numbers["promised_workdays"],
                "point_kinds": kinds,
                "group_id": group,
                "materials": materials,
            }
        )
    if problems:
        raise ValidationError({"file": problems})
    return rows


def catalogue_load(*, actor: User | None = None, text: str | None = None) -> int:
    """Create or update the item groups and service items from a catalogue CSV (by default the
    shipped reference file), all or nothing. Items missing from the file are kept as they are."""
    _check_administrator(actor)
    defaults = catalogue_defaults()
    rows = _parse_rows(
        text if text is not None else CATALOGUE_FILE.read_text(encoding="utf-8"), defaults
    )
    with transaction.atomic():
        for order, group in enumerate(defaults["groups"]):
            ItemGroup.objects.get_or_create(
                code=group["code"],
                defaults={
                    "name": group["name"],
                    "name_en": group.get("name_en", ""),
                    "order": order,
                },
            )
        for row in rows:
            ServiceItem.objects.update_or_create(
                code=row["code"], defaults={k: v for k, v in row.items() if k != "code"}
            )
    return len(rows)


EDITABLE_ITEM_FIELDS = frozenset(
    {
        "name",
        "name_en",
        "high_frequency",
        "standard_minutes",
        "promised_workdays",
        "materials",
        "point_kinds",
        "group",
        "is_active",
    }
)


def item_update(*, actor: User | None, item: ServiceItem, **changes: Any) -> ServiceItem:
    """Change fields of a service item; every value is checked before anything is saved."""
    _check_administrator(actor)
    unknown = sorted(set(changes) - EDITABLE_ITEM_FIELDS)
    if unknown:
        raise ValidationError({"fields": _("Not editable: %s") % ", ".join(unknown)})
    if "point_kinds" in changes:
        kinds = list(changes["point_kinds"])
        if not kinds or any(k not in PointKind.values for k in kinds):
            raise ValidationError({"point_kinds": _("Give one or more known point types.")})
        changes["point_kinds"] = kinds
    if "materials" in changes:
        changes["materials"] = [
            str(m).strip()[:100] for m in changes["materials"] if str(m).strip()
        ]
    if "group" in changes:
        group = ItemGroup.objects.filter(code=str(changes["group"])).first()
        if group is None:
            raise ValidationError({"group": _("Unknown group: %s") % changes["group"]})
        changes["group"] = group
    for field, value in changes.items():
        setattr(item, field, value)
    item.full_clean()
    item.save(update_fields=list(changes))
    return item


def group_save(
    *, actor: User | None, code: str, name: str, name_en: str = "", order: int = 0
) -> ItemGroup:
    """Create or rename an item group (its code is the prefix of its ticket numbers)."""
    _check_administrator(actor)
    group = ItemGroup.objects.filter(code=code).first() or ItemGroup(code=code)
    group.name, group.name_en, group.order = name.strip(), name_en.strip(), order
    group.full_clean()
    group.save()
    return group
