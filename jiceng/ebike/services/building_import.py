"""The buildings import (楼栋导入): an Excel or CSV sheet of residential buildings, all or
nothing. Each row is registered through `building_create` (the same checks as one building
entered on a page), every row inside one transaction and each under its own savepoint: a row
the service refuses is reported with its reason and, if any row was refused, the whole
transaction is rolled back. A county has thousands of buildings, not hundreds of thousands, so
the row-by-row service costs seconds at most. (The e-bikes' import, with its volume, is
`jiceng.ebike.services.imports.ebike_import`.)"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiceng.core.models import User
from jiceng.core.services.regions import ImportRefused
from jiceng.core.services.registry_io import Column
from jiceng.core.spreadsheets import Sheet, cell_text, read_table
from jiceng.ebike.models import Building
from jiceng.ebike.services.registry import building_create

BUILDING_MAX_ROWS = 20_000
PROBLEMS_SHOWN = 200

BUILDING_COLUMNS = (
    Column("name", ("楼栋", "名称"), True, gettext_lazy("Building, e.g. 梧桐苑3幢."), 200),
    Column("region", ("网格编码", "区划代码"), True, gettext_lazy("Code of its grid."), 15),
    Column(
        "kind",
        ("类型",),
        False,
        gettext_lazy("compound (小区楼栋) or self_built (自建房); compound when empty."),
        20,
    ),
    Column("compound", ("小区",), False, gettext_lazy("Compound (小区) name."), 100),
    Column("address", ("地址",), False, gettext_lazy("Address."), 300),
    Column("floors", ("层数",), True, gettext_lazy("Floors above ground."), 4),
    Column("households", ("户数",), False, gettext_lazy("Households."), 6),
    Column("height_m", ("高度",), False, gettext_lazy("Height in metres (over 27: high-rise)."), 8),
    Column("property_company", ("物业公司",), False, gettext_lazy("Property company."), 200),
    Column("lat", ("纬度",), False, gettext_lazy("Latitude."), 12),
    Column("lon", ("经度",), False, gettext_lazy("Longitude."), 12),
)


def building_template_sheets() -> list[Sheet]:
    """The template: the columns with one example row, and the instructions."""
    example = [
        "梧桐苑3幢",
        "330483001001001",
        "compound",
        "梧桐苑",
        "梧桐街道庆丰路8号",
        "18",
        "72",
        "54",
        "梧桐物业",
        "30.631",
        "120.561",
    ]
    return [
        Sheet(
            title="buildings",
            rows=[[c.key for c in BUILDING_COLUMNS], example],
            text_columns=range(len(BUILDING_COLUMNS)),
        ),
        Sheet(
            title=_("Instructions"),
            rows=[
                [_("Column"), _("Required"), _("What it holds")],
                *[
                    [c.key, _("yes") if c.required else _("no"), str(c.help)]
                    for c in BUILDING_COLUMNS
                ],
            ],
        ),
    ]


def _header(header: list[str]) -> dict[str, int]:
    where: dict[str, int] = {}
    for index, raw in enumerate(header):
        text = str(raw or "").strip()
        for column in BUILDING_COLUMNS:
            if text == column.key or text in column.aliases:
                where.setdefault(column.key, index)
    return where


def _number(text: str, field: str, *, whole: bool) -> Any:
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValidationError({field: _("Not a number: %s") % text[:20]}) from None
    if whole:
        if value != value.to_integral_value():
            raise ValidationError({field: _("Not a whole number: %s") % text[:20]})
        return int(value)
    return value


def _fields(values: dict[str, str]) -> dict[str, Any]:
    floors = _number(values["floors"], "floors", whole=True)
    if floors is None:
        raise ValidationError({"floors": _("This field is required.")})
    lat = _number(values["lat"], "lat", whole=False)
    lon = _number(values["lon"], "lon", whole=False)
    return {
        "name": values["name"],
        "region_code": values["region"],
        "kind": values["kind"] or Building.Kind.COMPOUND,
        "compound": values["compound"],
        "address": values["address"],
        "floors": floors,
        "households": _number(values["households"], "households", whole=True) or 0,
        "height_m": _number(values["height_m"], "height_m", whole=False),
        "property_company": values["property_company"],
        "lat": float(lat) if lat is not None else None,
        "lon": float(lon) if lon is not None else None,
    }


def _reason(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items())
    return " ".join(error.messages)


def building_import(*, actor: User, filename: str, content: bytes) -> int:
    """Register every building of the file or none; answers how many were registered.
    Refused (ImportRefused) with each problem by row."""
    table = read_table(filename=filename, content=content, max_rows=BUILDING_MAX_ROWS)
    where = _header(table.header)
    missing = [c.key for c in BUILDING_COLUMNS if c.required and c.key not in where]
    if missing:
        raise ImportRefused([(1, _("missing columns: %s") % ", ".join(missing))])
    problems: list[tuple[int, str]] = []
    created = 0
    with transaction.atomic():  # ImportRefused leaving it rolls every row back
        for line, cells in table.rows:
            values = {
                c.key: cell_text(cells[where[c.key]])
                if c.key in where and where[c.key] < len(cells)
                else ""
                for c in BUILDING_COLUMNS
            }
            try:
                with transaction.atomic():
                    building_create(actor=actor, **_fields(values))
                created += 1
            except ValidationError as error:
                problems.append((line, _reason(error)))
            except PermissionDenied as error:
                problems.append((line, str(error)))
            if len(problems) >= PROBLEMS_SHOWN:
                break
        if problems:
            raise ImportRefused(problems)
    return created
