"""Importing e-bikes (with their batteries) from an Excel (.xlsx) or CSV sheet, all or nothing.

Every row is checked first, as the registration service checks one bike (plate and frame-number
formats, standard, purchase day, a building in the importer's region, the battery's fields and
the lithium voltage limit), and against the registry and the rest of the file (a plate, frame
number or battery code registered already, or twice in the file). A file with any problem is
refused whole with each problem by row and field (`ImportRefused`); otherwise every bike and
battery is written with the bulk writer in one transaction and the colours of the buildings
concerned are recomputed. Imported registrations are not written to the ledger one by one (a
county's backlog is hundreds of thousands of bikes); their chain starts with their next event.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiceng.core.bulk import insert_objects
from jiceng.core.models import User
from jiceng.core.roles import may_write
from jiceng.core.scope import code_in_scope
from jiceng.core.services.regions import ImportRefused
from jiceng.core.services.registry_io import PROBLEMS_LISTED, Column
from jiceng.core.spreadsheets import Sheet, cell_text, read_table
from jiceng.ebike.models import EBIKE_URN, Battery, Building, Ebike, EbikeState
from jiceng.ebike.services.registry import EbikeIn, ebike_checked

IMPORT_MAX_ROWS = 200_000
CHUNK = 900  # values per IN (…): within SQLite's parameter limit

EBIKE_COLUMNS = (
    Column("plate", ("号牌", "车牌"), True, gettext_lazy("Plate, e.g. 桐乡A12345."), 20),
    Column("frame_number", ("车架号",), True, gettext_lazy("Frame number."), 30),
    Column(
        "standard",
        ("标准",),
        True,
        gettext_lazy("GB17761-2024, GB17761-2018 or nonstandard."),
        20,
    ),
    Column("bought_on", ("购买日期",), False, gettext_lazy("Day bought (YYYY-MM-DD)."), 10),
    Column("building", ("楼栋编号",), True, gettext_lazy("Number of the owner's building."), 12),
    Column("owner_name", ("车主",), False, gettext_lazy("Owner's name."), 50),
    Column("owner_phone", ("车主电话",), False, gettext_lazy("Owner's phone."), 30),
    Column("battery_code", ("电池编码",), False, gettext_lazy("Battery's unique code."), 40),
    Column("chemistry", ("电池类型",), False, gettext_lazy("lithium or lead_acid."), 20),
    Column("voltage_v", ("电压",), False, gettext_lazy("Battery voltage (V)."), 10),
    Column("capacity_ah", ("容量",), False, gettext_lazy("Battery capacity (Ah)."), 10),
    Column("ccc", ("CCC",), False, gettext_lazy("1 when the battery has CCC, else 0."), 5),
)
_TRUE = {"1", "true", "yes", "y", "是", "有"}
_FALSE = {"0", "false", "no", "n", "否", "无", ""}


def import_template_sheets() -> list[Sheet]:
    data = Sheet(
        title="ebikes",
        rows=[
            [c.key for c in EBIKE_COLUMNS],
            [
                "桐乡A12345",
                "TX2025A0001234",
                "GB17761-2024",
                "2025-10-01",
                "1",
                "张三",
                "13800000000",
                "BAT-2025-000001",
                "lithium",
                "48",
                "20",
                "1",
            ],
        ],
        text_columns=range(len(EBIKE_COLUMNS)),
    )
    instructions = Sheet(
        title=_("Instructions"),
        rows=[
            [_("Column"), _("Required"), _("What it holds")],
            *[[c.key, _("yes") if c.required else _("no"), str(c.help)] for c in EBIKE_COLUMNS],
        ],
    )
    return [data, instructions]


def _header_map(header: list[str]) -> dict[str, int]:
    where: dict[str, int] = {}
    for index, title in enumerate(header):
        title = title.strip()
        for column in EBIKE_COLUMNS:
            if title.lower() == column.key or title in column.aliases:
                where.setdefault(column.key, index)
    return where


def _existing(field: str, values: set[str], model: Any = Ebike, **extra: Any) -> set[str]:
    found: set[str] = set()
    ordered = sorted(values)
    for start in range(0, len(ordered), CHUNK):
        found.update(
            model.objects.filter(**{f"{field}__in": ordered[start : start + CHUNK]}, **extra)
            .values_list(field, flat=True)
            .order_by()
        )
    return found


def _buildings(ids: set[int], actor: User | None) -> dict[int, Building]:
    found: dict[int, Building] = {}
    ordered = sorted(ids)
    for start in range(0, len(ordered), CHUNK):
        for building in Building.objects.filter(pk__in=ordered[start : start + CHUNK]).only(
            "pk", "region_id"
        ):
            if actor is None or code_in_scope(actor, building.region_id):
                found[building.pk] = building
    return found


def _message(exc: ValidationError) -> tuple[str, str]:
    if hasattr(exc, "error_dict"):
        field, errors = next(iter(exc.error_dict.items()))
        return field, " ".join(str(m) for e in errors for m in e.messages)
    return "", " ".join(exc.messages)


def ebike_import(*, actor: User | None, filename: str, content: bytes) -> int:
    """Register every e-bike of the file, or none (ImportRefused names each row and field).
    Answers the number of bikes registered."""
    if actor is not None and not may_write(actor):
        raise ImportRefused([(0, _("Your role may not change the e-bike registries."))])
    table = read_table(filename=filename, content=content, max_rows=IMPORT_MAX_ROWS)
    where = _header_map(table.header)
    missing = [c.key for c in EBIKE_COLUMNS if c.required and c.key not in where]
    if missing:
        raise ImportRefused([(1, _("missing columns: %s") % ", ".join(missing))])
    rows: list[tuple[int, dict[str, str]]] = []
    for line, cells in table.rows:
        rows.append(
            (
                line,
                {
                    c.key: cell_text(cells[where[c.key]])
                    if c.key in where and where[c.key] < len(cells)
                    else ""
                    for c in EBIKE_COLUMNS
                },
            )
        )
    building_ids = {int(v["building"]) for _n, v in rows if v["building"].isdigit()}
    buildings = _buildings(building_ids, actor)
    today = timezone.localdate()
    problems: list[tuple[int, str]] = []
    checked: list[EbikeIn] = []
    plates: dict[str, int] = {}
    frames: dict[str, int] = {}
    codes: dict[str, int] = {}

    def problem(line: int, field: str, reason: str) -> None:
        problems.append((line, f"{field}: {reason}" if field else reason))

    for line, values in rows:
        try:
            bike = ebike_checked(
                actor=None,  # the building's scope was checked when the buildings were read
                plate=values["plate"],
                frame_number=values["frame_number"],
                standard=values["standard"],
                bought_on=_day(values["bought_on"]),
                building=int(values["building"]) if values["building"].isdigit() else None,
                owner_name=values["owner_name"],
                owner_phone=values["owner_phone"],
                battery=_battery(values),
                buildings=buildings,
                today=today,
            )
        except ValidationError as exc:
            field, reason = _message(exc)
            problem(line, field, reason)
        else:
            for seen, key, field in (
                (plates, bike.plate, "plate"),
                (frames, bike.frame_number, "frame_number"),
                (codes, bike.battery.code if bike.battery else "", "battery_code"),
            ):
                if key and key in seen:
                    problem(
                        line,
                        field,
                        _("%(value)s appears twice in the file (row %(row)d)")
                        % {"value": key, "row": seen[key]},
                    )
                elif key:
                    seen[key] = line
            checked.append(bike)
        if len(problems) >= PROBLEMS_LISTED:
            break
    if not problems:
        for known, seen, field in (
            (_existing("plate", set(plates), registered=True), plates, "plate"),
            (_existing("frame_number", set(frames)), frames, "frame_number"),
            (_existing("plate", set(plates), registered=False), plates, "plate"),
            (_existing("code", set(codes), model=Battery), codes, "battery_code"),
        ):
            for value in sorted(known, key=lambda v: seen[v]):
                problem(seen[value], field, _("%s is registered already") % value)
    if problems:
        raise ImportRefused(sorted(problems)[:PROBLEMS_LISTED])
    _write(checked)
    return len(checked)


def _day(text: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise ValidationError({"bought_on": _("Not a date: %s") % text}) from None


def _battery(values: dict[str, str]) -> dict[str, Any] | None:
    if not values["battery_code"]:
        return None
    ccc = values["ccc"].strip().lower()
    if ccc not in _TRUE | _FALSE:
        raise ValidationError({"ccc": _("1 or 0, not %s") % values["ccc"]})
    return {
        "code": values["battery_code"],
        "chemistry": values["chemistry"],
        "voltage_v": values["voltage_v"],
        "capacity_ah": values["capacity_ah"],
        "ccc": ccc in _TRUE,
    }


def _write(bikes: list[EbikeIn]) -> None:
    with transaction.atomic():
        insert_objects(
            Ebike,
            [
                Ebike(
                    identifier=f"{EBIKE_URN}{b.plate}",
                    plate=b.plate,
                    frame_number=b.frame_number,
                    registered=True,
                    standard=b.standard,
                    bought_on=b.bought_on,
                    owner_name=b.owner_name,
                    owner_phone=b.owner_phone,
                    building_id=b.building.pk,
                    region_id=b.building.region_id,
                    state=EbikeState.IN_USE,
                )
                for b in bikes
            ],
        )
        with_battery = [b for b in bikes if b.battery is not None]
        if with_battery:
            ids = _ids_of({f"{EBIKE_URN}{b.plate}" for b in with_battery})
            insert_objects(
                Battery,
                [
                    Battery(
                        code=b.battery.code,
                        chemistry=b.battery.chemistry,
                        voltage_v=b.battery.voltage_v,
                        capacity_ah=b.battery.capacity_ah,
                        ccc=b.battery.ccc,
                        ebike_id=ids[f"{EBIKE_URN}{b.plate}"],
                        state=Battery.State.IN_USE,
                    )
                    for b in with_battery
                    if b.battery is not None
                ],
            )
        from jiceng.ebike.services.colours import building_colours_refresh

        building_colours_refresh(building_ids={b.building.pk for b in bikes})


def _ids_of(identifiers: Iterable[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    ordered = sorted(identifiers)
    for start in range(0, len(ordered), CHUNK):
        found.update(
            Ebike.objects.filter(identifier__in=ordered[start : start + CHUNK])
            .values_list("identifier", "pk")
            .order_by()
        )
    return found
