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

import io
import xml.parsers.expat
import zipfile
from collections.abc import Iterable
from datetime import date, timedelta
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
from jiceng.core.spreadsheets import Sheet, cell_text, read_table, table_kind_of
from jiceng.ebike.models import EBIKE_URN, Battery, Building, Ebike, EbikeState
from jiceng.ebike.services.registry import EbikeIn, ebike_checked

IMPORT_MAX_ROWS = 200_000
EXCEL_EPOCH = date(1899, 12, 30)
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


# --- reading the workbook -------------------------------------------------------------------
#
# openpyxl builds an object per cell and, for a workbook without a <dimension>, reads the whole
# sheet once more for its size: 100,000 rows took most of a minute. The first sheet's cells are
# read here with one expat pass over its XML (and one over the shared strings), as text.

_SHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def _first_sheet_path(package: zipfile.ZipFile) -> str:
    from xml.etree import ElementTree

    book = ElementTree.fromstring(package.read("xl/workbook.xml"))  # noqa: S314 - a small part
    sheet = book.find(f"{_SHEET_NS}sheets/{_SHEET_NS}sheet")
    rels = ElementTree.fromstring(package.read("xl/_rels/workbook.xml.rels"))  # noqa: S314
    if sheet is None:
        raise KeyError("no sheet")
    wanted = sheet.get(f"{_REL_NS}id")
    for rel in rels:
        if rel.get("Id") == wanted:
            target = str(rel.get("Target") or "")
            return target.lstrip("/") if target.startswith("/") else "xl/" + target
    raise KeyError("no sheet part")


def _shared_strings(package: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in package.namelist():
        return []
    strings: list[str] = []
    parts: list[str] = []
    state = {"in_t": False, "in_rph": False}

    def start(name: str, attrs: dict[str, str]) -> None:
        if name == "si":
            parts.clear()
        elif name == "t":
            state["in_t"] = True
        elif name == "rPh":
            state["in_rph"] = True  # phonetic runs are not the cell's text

    def end(name: str) -> None:
        if name == "si":
            strings.append("".join(parts))
        elif name == "t":
            state["in_t"] = False
        elif name == "rPh":
            state["in_rph"] = False

    def text(data: str) -> None:
        if state["in_t"] and not state["in_rph"]:
            parts.append(data)

    parser = xml.parsers.expat.ParserCreate()
    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.CharacterDataHandler = text
    parser.Parse(package.read("xl/sharedStrings.xml"), True)
    return strings


def _column_index(reference: str) -> int:
    index = 0
    for char in reference:
        if "A" <= char <= "Z":
            index = index * 26 + ord(char) - 64
        else:
            break
    return index - 1


class _SheetReader:
    """Expat handlers that collect a sheet's non-blank rows, every cell as text."""

    def __init__(self, shared: list[str], max_rows: int):
        self.shared, self.max_rows = shared, max_rows
        self.rows: list[tuple[int, list[str]]] = []
        self.cells: dict[int, str] = {}
        self.row = self.col = self.next_col = 0
        self.kind = ""
        self.collect = False
        self.value: list[str] = []

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name == "c":
            ref = attrs.get("r")
            self.col = _column_index(ref) if ref else self.next_col
            self.kind = attrs.get("t", "n")
            self.value.clear()
        elif name in ("v", "t"):
            self.collect = True
        elif name == "row":
            self.row = int(attrs.get("r") or self.row + 1)
            self.next_col = 0
            self.cells.clear()

    def end(self, name: str) -> None:
        if name in ("v", "t"):
            self.collect = False
        elif name == "c":
            raw = "".join(self.value)
            if self.kind == "s":
                text = self.shared[int(raw)] if raw else ""
            elif self.kind == "b":
                text = "1" if raw == "1" else "0"
            elif self.kind in ("str", "inlineStr", "e"):
                text = raw
            else:
                text = cell_text(float(raw)) if raw else ""
            self.cells[self.col] = text.strip()
            self.next_col = self.col + 1
        elif name == "row" and any(self.cells.values()):
            width = max(self.cells) + 1
            self.rows.append((self.row, [self.cells.get(i, "") for i in range(width)]))
            if len(self.rows) > self.max_rows + 1:
                raise _TooMany

    def text(self, data: str) -> None:
        if self.collect:
            self.value.append(data)


def _xlsx_table(content: bytes, max_rows: int) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the non-blank rows of the first sheet, every cell as text."""
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        shared = _shared_strings(package)
        sheet = package.read(_first_sheet_path(package))
    reader = _SheetReader(shared, max_rows)
    parser = xml.parsers.expat.ParserCreate()
    parser.StartElementHandler, parser.EndElementHandler = reader.start, reader.end
    parser.CharacterDataHandler = reader.text
    parser.buffer_text = True
    parser.Parse(sheet, True)
    if not reader.rows:
        return [], []
    return reader.rows[0][1], reader.rows[1:]


class _TooMany(Exception):
    pass


def _table(filename: str, content: bytes) -> tuple[list[str], list[tuple[int, list[object]]]]:
    """The file's header and rows: an Excel workbook read fast, a CSV (or a workbook the fast
    reader cannot read) by the core's reader, which also says what is wrong with a bad file."""
    if table_kind_of(filename, content) == "xlsx":
        try:
            header, rows = _xlsx_table(content, IMPORT_MAX_ROWS)
        except _TooMany:
            raise ImportRefused(
                [(0, _("The file has more than %(n)d rows.") % {"n": IMPORT_MAX_ROWS})]
            ) from None
        except (KeyError, ValueError, IndexError, zipfile.BadZipFile, xml.parsers.expat.ExpatError):
            pass
        else:
            if not any(header):
                raise ImportRefused([(1, _("The file has no header row."))])
            return header, [(n, list[object](cells)) for n, cells in rows]
    table = read_table(filename=filename, content=content, max_rows=IMPORT_MAX_ROWS)
    return table.header, table.rows


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
    header, table_rows = _table(filename, content)
    where = _header_map(header)
    missing = [c.key for c in EBIKE_COLUMNS if c.required and c.key not in where]
    if missing:
        raise ImportRefused([(1, _("missing columns: %s") % ", ".join(missing))])
    rows: list[tuple[int, dict[str, str]]] = []
    for line, cells in table_rows:
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
    if text.isdigit() and 20_000 <= int(text) <= 80_000:
        return EXCEL_EPOCH + timedelta(days=int(text))  # a date cell read as its serial number
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
