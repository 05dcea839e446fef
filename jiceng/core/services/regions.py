"""Importing the region tree from CSV and boundaries from GeoJSON, all or nothing."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from jiceng.core import region_codes
from jiceng.core.geography import GEOGRAPHY_CACHE
from jiceng.core.models import Region

CSV_COLUMNS = ("code", "name", "level", "parent", "lat", "lon")


class ImportRefused(Exception):
    """A file was refused as a whole; `problems` lists (line, reason)."""

    def __init__(self, problems: list[tuple[int, str]]):
        self.problems = problems
        super().__init__("; ".join(f"line {n}: {why}" for n, why in problems[:20]))


@dataclass(frozen=True)
class RegionRow:
    line: int
    code: str
    name: str
    level: str
    parent: str | None
    lat: float | None
    lon: float | None


def _float(raw: str, what: str, low: float, high: float) -> float | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    value = float(raw)  # ValueError handled by the caller
    if not low <= value <= high:
        raise ValueError(_("%(what)s %(value)s is out of range") % {"what": what, "value": raw})
    return value


def parse_region_csv(text: str) -> list[RegionRow]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in CSV_COLUMNS[:3] if c not in (reader.fieldnames or [])]
    if missing:
        raise ImportRefused([(1, _("missing columns: %s") % ", ".join(missing))])
    rows, problems = [], []
    for line, rec in enumerate(reader, start=2):
        code = (rec.get("code") or "").strip()
        try:
            if not region_codes.is_well_formed(code):
                raise ValueError(_("%r is not a division code (6, 9, 12 or 15 digits)") % code)
            level = (rec.get("level") or "").strip() or region_codes.level_of(code)
            if level != region_codes.level_of(code):
                raise ValueError(
                    _("level %(given)s does not match code %(code)s (%(derived)s)")
                    % {"given": level, "code": code, "derived": region_codes.level_of(code)}
                )
            name = (rec.get("name") or "").strip()
            if not name:
                raise ValueError(_("name is empty"))
            parent = (rec.get("parent") or "").strip() or region_codes.parent_code(code)
            if parent and not (
                code.startswith(region_codes.scope_prefix(parent))
                and region_codes.LEVELS.index(region_codes.level_of(parent))
                < region_codes.LEVELS.index(level)
            ):
                raise ValueError(_("parent %(p)s cannot hold %(c)s") % {"p": parent, "c": code})
            rows.append(
                RegionRow(
                    line=line,
                    code=code,
                    name=name,
                    level=level,
                    parent=parent,
                    lat=_float(rec.get("lat", ""), _("latitude"), -90, 90),
                    lon=_float(rec.get("lon", ""), _("longitude"), -180, 180),
                )
            )
        except ValueError as exc:
            problems.append((line, str(exc)))
    if problems:
        raise ImportRefused(problems)
    return rows


def region_import_rows(rows: Iterable[RegionRow]) -> int:
    """Create or update regions; parents must exist or come earlier in the same file."""
    rows = list(rows)
    known = set(Region.objects.values_list("code", flat=True))
    problems = []
    for row in rows:
        if row.parent and row.parent not in known:
            problems.append((row.line, _("parent %s is unknown") % row.parent))
        known.add(row.code)
    if problems:
        raise ImportRefused(problems)
    with transaction.atomic():
        for row in rows:
            Region.objects.update_or_create(
                code=row.code,
                defaults={
                    "name": row.name,
                    "level": row.level,
                    "parent_id": row.parent,
                    "prefix": region_codes.scope_prefix(row.code),
                    "lat": row.lat,
                    "lon": row.lon,
                },
            )
    return len(rows)


def region_import_csv(text: str) -> int:
    return region_import_rows(parse_region_csv(text))


def region_import_boundaries(text: str) -> int:
    """Set boundaries from a GeoJSON FeatureCollection whose features carry `properties.code`."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportRefused([(exc.lineno, _("not JSON: %s") % exc.msg)]) from None
    features = data.get("features") if isinstance(data, dict) else None
    if data.get("type") != "FeatureCollection" or not isinstance(features, list):
        raise ImportRefused([(1, _("not a GeoJSON FeatureCollection"))])
    problems, updates = [], {}
    known = set(Region.objects.values_list("code", flat=True))
    for index, feature in enumerate(features, start=1):
        code = str((feature.get("properties") or {}).get("code", ""))
        geometry = feature.get("geometry") or {}
        if code not in known:
            problems.append(
                (index, _("feature %(i)d: unknown region code %(c)r") % {"i": index, "c": code})
            )
        elif geometry.get("type") not in ("Polygon", "MultiPolygon"):
            problems.append((index, _("feature %d: geometry is not a (multi)polygon") % index))
        else:
            updates[code] = geometry
    if problems:
        raise ImportRefused(problems)
    with transaction.atomic():
        for code, geometry in updates.items():
            Region.objects.filter(code=code).update(boundary=geometry)
    GEOGRAPHY_CACHE.forget()
    return len(updates)
