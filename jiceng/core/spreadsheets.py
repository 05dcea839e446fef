"""Tables in files: reading an uploaded CSV or Excel (.xlsx) file after checking what it really
is, and writing CSV (streamed) or Excel files that spreadsheet programs open safely.

A file is recognised by its content, not its name: an .xlsx file is a ZIP package holding an
Excel workbook, a CSV file is text (UTF-8, or GB 18030 as Excel on a Chinese system saves it).
Anything else is refused, with the reason, through ImportRefused.
"""

from __future__ import annotations

import csv
import io
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Literal

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell

from jiceng.core.services.regions import ImportRefused

TableKind = Literal["csv", "xlsx"]
# The most rows an Excel worksheet holds, less the header row.
XLSX_MAX_DATA_ROWS = 1_048_575
# An .xlsx package may expand to at most this many bytes (its parts are compressed XML).
XLSX_MAX_EXPANDED_BYTES = 256 * 1024 * 1024
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97–2003 (.xls) and other OLE files
# A cell that starts with one of these is a formula to a spreadsheet program.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Table:
    kind: TableKind
    header: list[str]
    # (line or row number in the file, the row's cells); blank rows are left out.
    rows: list[tuple[int, list[object]]]


def table_kind_of(filename: str, content: bytes) -> TableKind:
    """What the file is by its content, checked against its name; ImportRefused otherwise."""
    suffix = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    if suffix not in ("csv", "xlsx"):
        raise ImportRefused([(0, _("Only .xlsx and .csv files can be imported."))])
    if content.startswith(_OLE_MAGIC):
        raise ImportRefused(
            [(0, _("This is an old Excel (.xls) file: save it as .xlsx or .csv and try again."))]
        )
    if content.startswith(_ZIP_MAGIC):
        if suffix != "xlsx":
            raise ImportRefused([(0, _("The file is named .csv but is not a text file."))])
        _check_xlsx_package(content)
        return "xlsx"
    if suffix == "xlsx":
        raise ImportRefused([(0, _("The file is named .xlsx but is not an Excel workbook."))])
    if b"\x00" in content[:65536]:
        raise ImportRefused([(0, _("The file is not a text (CSV) file."))])
    return "csv"


def _check_xlsx_package(content: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as package:
            names = set(package.namelist())
            expanded = sum(info.file_size for info in package.infolist())
    except zipfile.BadZipFile:
        raise ImportRefused([(0, _("The file is not a readable Excel workbook."))]) from None
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise ImportRefused([(0, _("The file is a ZIP archive but not an Excel workbook."))])
    if expanded > XLSX_MAX_EXPANDED_BYTES:
        raise ImportRefused([(0, _("The workbook expands to more data than may be imported."))])


def decode_text(content: bytes) -> str:
    """A CSV file's text: UTF-8 (with or without its byte-order mark) or GB 18030, else refused."""
    if content.startswith(b"\xef\xbb\xbf"):
        content = content[3:]
    for encoding in ("utf-8", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportRefused([(0, _("The CSV file is neither UTF-8 nor GB 18030 text."))])


def _blank(cells: Sequence[object]) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def _too_many_rows(max_rows: int) -> ImportRefused:
    return ImportRefused(
        [
            (
                0,
                _("The file has more than %(n)d rows: split it into smaller files.")
                % {"n": max_rows},
            )
        ]
    )


def _csv_rows(content: bytes) -> Iterator[tuple[int, list[object]]]:
    reader = csv.reader(io.StringIO(decode_text(content), newline=""))
    try:
        for record in reader:
            yield reader.line_num, list[object](record)
    except csv.Error as exc:
        raise ImportRefused([(reader.line_num, _("Malformed CSV: %s") % exc)]) from None


def _xlsx_rows(content: bytes) -> Iterator[tuple[int, list[object]]]:
    unreadable = ImportRefused([(0, _("The file is not a readable Excel workbook."))])
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a damaged package
        raise unreadable from None
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list[object](values)
    except ImportRefused:
        raise
    except Exception:  # a damaged sheet fails while it is read
        raise unreadable from None
    finally:
        workbook.close()


def read_table(*, filename: str, content: bytes, max_rows: int) -> Table:
    """The header and the non-blank rows of the first sheet of an uploaded file."""
    kind = table_kind_of(filename, content)
    rows: list[tuple[int, list[object]]] = []
    header: list[str] | None = None
    source = _csv_rows(content) if kind == "csv" else _xlsx_rows(content)
    for number, cells in source:
        if _blank(cells):
            continue
        if header is None:
            header = [cell_text(cell) for cell in cells]
            continue
        if len(rows) >= max_rows:
            raise _too_many_rows(max_rows)
        rows.append((number, cells))
    if header is None or not any(header):
        raise ImportRefused([(1, _("The file has no header row."))])
    return Table(kind=kind, header=header, rows=rows)


def cell_text(value: object) -> str:
    """A cell's value as text: Excel numbers without a trailing .0, dates as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def safe_for_spreadsheet(value: object) -> object:
    """Text that a spreadsheet program would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        if value[0] in "+-" and value[1:].replace(".", "", 1).replace(" ", "").isdigit():
            return value  # a signed number or a phone number such as +86 138…
        return "'" + value
    return value


def csv_stream(rows: Iterable[Sequence[object]]) -> Iterator[bytes]:
    """CSV as UTF-8 with a byte-order mark (so that Excel reads Chinese), one line at a time."""

    class _Line:
        def __init__(self) -> None:
            self.text = ""

        def write(self, text: str) -> None:
            self.text = text

    line = _Line()
    writer = csv.writer(line)
    yield "\ufeff".encode()
    for row in rows:
        writer.writerow(["" if v is None else safe_for_spreadsheet(v) for v in row])
        yield line.text.encode("utf-8")


class TooManyRowsForExcel(Exception):
    """More rows than one Excel worksheet holds."""


@dataclass(frozen=True)
class Sheet:
    title: str
    rows: Iterable[Sequence[object]]
    # 0-based columns formatted as text, so that Excel keeps long digit strings (ID numbers,
    # credit codes, division codes) intact when the file is edited.
    text_columns: Iterable[int] = ()


def xlsx_file(sheets: Sequence[Sheet]) -> IO[bytes]:
    """An Excel workbook written row by row (constant memory) into a temporary file, rewound.

    Strings are always stored as text, never as formulas, whatever they start with.
    """
    workbook = Workbook(write_only=True)
    for spec in sheets:
        text_at = set(spec.text_columns)
        sheet = workbook.create_sheet(title=spec.title[:31])
        for count, row in enumerate(spec.rows):
            if count > XLSX_MAX_DATA_ROWS:
                raise TooManyRowsForExcel
            cells = []
            for index, value in enumerate(row):
                cell = WriteOnlyCell(sheet, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"
                if index in text_at:
                    cell.number_format = "@"
                cells.append(cell)
            sheet.append(cells)
    target = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the caller, who closes it
    workbook.save(target)
    target.seek(0)
    return target
