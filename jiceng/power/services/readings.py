"""Imports of 15-minute meter readings and of county temperatures.

Readings come as a table (CSV, or the first sheet of an Excel workbook) with the columns
`time,kw` for one meter, or `meter,time,kw` for many. A time is ISO 8601 with its offset
(`2026-08-03T14:15:00+08:00`; a time without an offset, as Excel writes it, is local time) and
starts its quarter hour: the reading is the mean load (kW) over [time, time + 15 min).

All or nothing: every row is checked first and one bad row refuses the whole file, naming each
bad row (its line, the header being line 1) and the reason, and storing nothing. A row is bad
when its meter is unknown (or not the importer's to write), its time is not a time, not on a
quarter hour (:00, :15, :30, :45 with no seconds), or outside the day the import is for; its kW
is not a number, negative, or absurd (above power-rules.json's limits); or it repeats a time
with another value. A file whose readings are spaced more widely than 15 minutes (hourly data)
is refused too. A repeated time with the same value and the quarters missing from a day
(gaps) are reported, not refused.

What passes replaces, for every meter-day it holds, what was stored for that meter-day (a re-
import of a corrected day is how a day is corrected); each meter-day is one `MeterDay` row of 96
values."""

from __future__ import annotations

import csv
import io
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, cast
from zoneinfo import ZoneInfo

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext as _

from jiceng.core.bulk import adapters, insert_rows
from jiceng.core.models import Region
from jiceng.core.scope import county_of, scope_queryset
from jiceng.core.services.regions import ImportRefused
from jiceng.core.spreadsheets import (
    XLSX_MAX_DATA_ROWS,
    cell_text,
    decode_text,
    read_table,
    table_kind_of,
)
from jiceng.power import access
from jiceng.power.models import MISSING, QUARTERS, DailyTemperature, Meter, MeterDay
from jiceng.power.reference_data import rules

if TYPE_CHECKING:
    from jiceng.core.models import User

MAX_PROBLEMS = 100  # the report names at most this many bad rows (the file is refused anyway)
# A CSV of many meters may be longer than a worksheet: a year of one meter is 35,040 rows.
MAX_ROWS = 4_000_000
DAY_COLUMNS = ("meter_id", "day", "watts", "readings", "kwh", "max_kw")


@dataclass(frozen=True)
class Gap:
    meter: str
    day: date
    missing: int  # quarters without a reading
    first: str  # the first missing quarter, "HH:MM"


@dataclass
class ReadingsReport:
    """What an import stored: readings, meter-days, and what it noticed without refusing."""

    stored: int
    days: int
    gaps: list[Gap] = field(default_factory=list)
    duplicates: list[int] = field(default_factory=list)  # lines repeating a reading


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _limit_kw(meter: Meter) -> float:
    limits = rules()["readings"]
    limit = float(limits["max_kw"])
    if meter.contracted_kw:
        limit = min(limit, float(meter.contracted_kw) * float(limits["contracted_factor"]))
    return limit


def _parse_time(value: object, zone: ZoneInfo) -> datetime | None:
    if isinstance(value, datetime):
        moment = value
    else:
        text = cell_text(value)
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=zone)
    return moment.astimezone(zone)


_DIGITS = np.array([0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 23, 24])
_SEPARATORS = {4: b"-", 7: b"-", 13: b":", 16: b":", 22: b":"}


def _clean_file(
    rows: list[tuple[int, list[object]]], meter: Meter, zone: ZoneInfo, day: date | None
) -> dict[tuple[int, date], np.ndarray[Any, np.dtype[np.int32]]] | None:
    """One meter's file checked all at once with numpy, when every time is text in the form
    `YYYY-MM-DDTHH:MM:SS+HH:MM` with the local offset and every row passes; None as soon as
    anything is unusual (the row-by-row check then names what is wrong, or reports the gaps
    and repeats): the common case of a clean file costs a few milliseconds, not seconds."""
    count = len(rows)
    try:
        times = [cells[0] for _n, cells in rows]
        joined = "".join(times).encode("ascii")  # type: ignore[arg-type]
        kw = np.array([cells[1] for _n, cells in rows], dtype=np.float64)
    except (TypeError, ValueError, IndexError, UnicodeEncodeError):
        return None
    if len(joined) != 25 * count or kw.shape != (count,):
        return None
    chars = np.frombuffer(joined, dtype=np.uint8).reshape(count, 25)
    digits = chars[:, _DIGITS].astype(np.int64) - 48
    if (digits < 0).any() or (digits > 9).any():
        return None
    if not ((chars[:, 10] == ord("T")) | (chars[:, 10] == ord(" "))).all():
        return None
    for at, sign in _SEPARATORS.items():
        if not (chars[:, at] == sign[0]).all():
            return None
    hour = digits[:, 8] * 10 + digits[:, 9]
    minute = digits[:, 10] * 10 + digits[:, 11]
    second = digits[:, 12] * 10 + digits[:, 13]
    if (hour > 23).any() or (minute % 15).any() or second.any():
        return None
    heads = np.ascontiguousarray(chars[:, :10]).view("S10").ravel()
    offsets = np.ascontiguousarray(chars[:, 19:]).view("S6").ravel()
    unique, inverse = np.unique(heads, return_inverse=True)
    days: list[date] = []
    expected: list[bytes] = []
    for head in unique:
        known = _day_offset(head.decode(), zone)
        if known is None or (day is not None and known[0] != day):
            return None
        days.append(known[0])
        expected.append(known[1].encode())
    if not (offsets == np.array(expected, dtype="S6")[inverse]).all():
        return None
    if not np.isfinite(kw).all() or (kw < 0).any() or (kw > _limit_kw(meter)).any():
        return None
    quarter = hour * 4 + minute // 15
    ordinals = np.array([d.toordinal() for d in days], dtype=np.int64)
    absolute = ordinals[inverse] * QUARTERS + quarter
    if np.unique(absolute).size != count:
        return None  # a repeated time: reported or refused row by row
    if count > 1 and np.abs(np.diff(absolute)).min() > 1:
        return None  # readings spaced more widely than 15 minutes
    watts = np.rint(kw * 1000).astype(np.int32)
    found: dict[tuple[int, date], np.ndarray[Any, np.dtype[np.int32]]] = {}
    order = np.argsort(inverse, kind="stable")
    bounds = np.searchsorted(inverse[order], np.arange(len(days) + 1))
    for i, on in enumerate(days):
        picked = order[bounds[i] : bounds[i + 1]]
        values = np.full(QUARTERS, MISSING, dtype=np.int32)
        values[quarter[picked]] = watts[picked]
        found[(meter.pk, on)] = values
    return found


def _quarter_of(
    value: object, zone: ZoneInfo, days_seen: dict[str, tuple[date, str] | None]
) -> tuple[date, int] | str:
    """The local day and quarter (0..95) a time starts, or the reason it is refused. Text in
    the common form `YYYY-MM-DDTHH:MM:SS+HH:MM` whose offset is the local one all day is read
    by slicing (a year of 2,000 meters is 70 million rows); anything else through datetime."""
    if type(value) is str and len(value) == 25 and value[10] in "T " and value[13] == ":":
        head = value[:10]
        if head in days_seen:
            known = days_seen[head]
        else:
            known = days_seen[head] = _day_offset(head, zone)
        if known is not None and value[19:] == known[1] and value[16] == ":":
            try:
                hour, minute, second = int(value[11:13]), int(value[14:16]), int(value[17:19])
            except ValueError:
                hour = minute = second = -1
            if 0 <= hour < 24 and 0 <= minute < 60 and 0 <= second < 60:
                if second or minute % 15:
                    return _not_on_quarter(value)
                return known[0], hour * 4 + minute // 15
    moment = _parse_time(value, zone)
    if moment is None:
        return _("%(value)s is not a time (ISO 8601, e.g. 2026-08-03T14:15:00+08:00)") % {
            "value": cell_text(value) or "—"
        }
    if moment.second or moment.microsecond or moment.minute % 15:
        return _not_on_quarter(moment.isoformat())
    return moment.date(), moment.hour * 4 + moment.minute // 15


def _not_on_quarter(text: str) -> str:
    return _("%(value)s is not on a quarter hour: readings are every 15 minutes") % {"value": text}


def _day_offset(head: str, zone: ZoneInfo) -> tuple[date, str] | None:
    """The day of `head` (YYYY-MM-DD) and its local offset as text ("+08:00"), when the offset
    is the same all day; None otherwise (a daylight-saving change: read each time whole)."""
    try:
        on = date.fromisoformat(head)
    except ValueError:
        return None
    first = datetime(on.year, on.month, on.day, tzinfo=zone).utcoffset()
    last = datetime(on.year, on.month, on.day, 23, 59, tzinfo=zone).utcoffset()
    if first is None or first != last:
        return None
    minutes = int(first.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return on, f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _parse_kw(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(Decimal(cell_text(value).replace(",", "")))
    except (InvalidOperation, ValueError):
        return None


def _read(filename: str, content: bytes) -> tuple[list[object], list[tuple[int, list[object]]]]:
    """The header and the non-blank rows (line number, cells) of a CSV or Excel file. A CSV
    without quotes is split by hand, a third of the time of the csv module's reader (a year of
    one meter is 35,040 lines)."""
    if table_kind_of(filename, content) == "xlsx":
        table = read_table(filename=filename, content=content, max_rows=XLSX_MAX_DATA_ROWS)
        return list(table.header), table.rows
    text = decode_text(content)
    numbered: list[tuple[int, list[object]]]
    if '"' in text:
        reader = csv.reader(io.StringIO(text, newline=""))
        try:
            numbered = [
                (reader.line_num, list[object](cells))
                for cells in reader
                if any(c.strip() for c in cells)
            ]
        except csv.Error as exc:
            raise ImportRefused([(reader.line_num, _("Malformed CSV: %s") % exc)]) from None
    else:
        split: list[tuple[int, list[str]]] = [
            (n, line.split(","))
            for n, line in enumerate(text.splitlines(), 1)
            if line.strip(" ,\t")
        ]
        numbered = cast(list[tuple[int, list[object]]], split)
    rows = numbered
    if not rows:
        raise ImportRefused([(1, _("The file has no header row."))])
    if len(rows) - 1 > MAX_ROWS:
        raise ImportRefused(
            [
                (
                    0,
                    _("The file has more than %(n)d rows: split it into smaller files.")
                    % {"n": MAX_ROWS},
                )
            ]
        )
    return rows[0][1], rows[1:]


def _meters_writable(actor: User | None) -> Any:
    meters = Meter.objects.all()
    if actor is not None:
        meters = scope_queryset(meters, actor)
    return meters


def readings_import(
    *,
    actor: User | None,
    content: bytes,
    filename: str = "readings.csv",
    meter: Meter | None = None,
    day: date | None = None,
) -> ReadingsReport:
    """Check every row, then store the meter-days (replacing those stored); see the module's
    docstring. `meter`: the file is that meter's (`time,kw`); else it names each row's meter
    (`meter,time,kw`). `day`: every reading must lie in that local day. Raises ImportRefused."""
    access.check_manage(actor)
    if meter is not None:
        access.check_in_scope(actor, meter.region_id)
    raw_header, table_rows = _read(filename, content)
    header = [cell_text(h).lower().lstrip("\ufeff") for h in raw_header]
    if meter is None:
        wanted = ["meter", "time", "kw"]
    else:
        wanted = ["time", "kw"]
        if header[:3] == ["meter", "time", "kw"]:
            wanted = header[:3]
    if header[: len(wanted)] != wanted:
        raise ImportRefused(
            [
                (
                    1,
                    _("The first row must name the columns: %(columns)s.")
                    % {"columns": ",".join(wanted)},
                )
            ]
        )
    if not table_rows:
        raise ImportRefused([(0, _("The file holds no readings."))])
    zone = _zone()
    if meter is not None and len(wanted) == 2:
        clean = _clean_file(table_rows, meter, zone, day)
        if clean is not None:
            return _store(clean, {meter.pk: meter.code}, [])
    problems: list[tuple[int, str]] = []
    by_code: dict[str, Meter] = {}
    if len(wanted) == 3:
        codes = {cell_text(cells[0]) for _n, cells in table_rows if cells}
        by_code = {m.code: m for m in _meters_writable(actor).filter(code__in=codes)}
    limits: dict[int, float] = {}
    # (meter id, day) -> the 96 values in watts, and the line of each
    values: dict[tuple[int, date], list[int]] = {}
    lines: dict[tuple[int, date], list[int]] = {}
    duplicates: list[int] = []
    first_line: dict[int, int] = {}
    finest: dict[int, int] = {}  # meter id -> the smallest step seen (quarters)
    last_seen: dict[int, int] = {}  # meter id -> the last reading's absolute quarter
    code_of: dict[int, str] = {}
    days_seen: dict[str, tuple[date, str] | None] = {}
    offset = len(wanted) - 2
    columns = len(wanted)
    for number, cells in table_rows:
        if len(cells) < columns:
            problems.append(
                (number, _("expected the columns %(columns)s") % {"columns": ",".join(wanted)})
            )
            if len(problems) >= MAX_PROBLEMS:
                break
            continue
        row_meter = meter
        if offset:
            code = cell_text(cells[0])
            row_meter = by_code.get(code)
            if row_meter is None and meter is not None and code == meter.code:
                row_meter = meter
            if row_meter is None:
                problems.append((number, _("unknown meter %(code)s") % {"code": code or "—"}))
                if len(problems) >= MAX_PROBLEMS:
                    break
                continue
        assert row_meter is not None
        found = _quarter_of(cells[offset], zone, days_seen)
        raw_kw = cells[offset + 1]
        try:
            kw: float | None = float(raw_kw)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            kw = _parse_kw(raw_kw)
        reason = None
        if isinstance(found, str):
            reason = found
        elif day is not None and found[0] != day:
            reason = _("%(value)s is outside the day %(day)s") % {
                "value": cell_text(cells[offset]),
                "day": day.isoformat(),
            }
        elif kw is None or not math.isfinite(kw) or isinstance(raw_kw, bool):
            reason = _("%(value)s is not a number of kW") % {"value": cell_text(raw_kw) or "—"}
        elif kw < 0:
            reason = _("a negative load (%(kw)s kW)") % {"kw": f"{kw:g}"}
        else:
            limit = limits.get(row_meter.id)
            if limit is None:
                limit = limits[row_meter.pk] = _limit_kw(row_meter)
                code_of[row_meter.pk] = row_meter.code
            if kw > limit:
                reason = _("%(kw)s kW is beyond what meter %(code)s can carry (%(limit)s kW)") % {
                    "kw": f"{kw:g}",
                    "code": row_meter.code,
                    "limit": f"{limit:g}",
                }
        if reason is not None:
            problems.append((number, reason))
            if len(problems) >= MAX_PROBLEMS:
                break
            continue
        assert not isinstance(found, str) and kw is not None
        on, quarter = found
        meter_id = row_meter.id
        key = (meter_id, on)
        watts = round(kw * 1000)
        stored = values.get(key)
        if stored is None:
            stored = values[key] = [MISSING] * QUARTERS
            lines[key] = [0] * QUARTERS
        if stored[quarter] != MISSING:
            if stored[quarter] == watts:
                duplicates.append(number)
            else:
                problems.append(
                    (
                        number,
                        _("the time %(value)s appears twice (line %(line)d) with another value")
                        % {"value": cell_text(cells[offset]), "line": lines[key][quarter]},
                    )
                )
                if len(problems) >= MAX_PROBLEMS:
                    break
            continue
        stored[quarter] = watts
        lines[key][quarter] = number
        absolute = on.toordinal() * QUARTERS + quarter
        previous = last_seen.get(meter_id)
        if previous is None:
            first_line[meter_id] = number
        else:
            step = abs(absolute - previous)
            if step < finest.get(meter_id, 1 << 30):
                finest[meter_id] = step
        last_seen[meter_id] = absolute
    for meter_id, step in finest.items():
        if step > 1 and len(problems) < MAX_PROBLEMS:
            problems.append(
                (
                    first_line[meter_id],
                    _("the readings of meter %(code)s are %(step)d minutes apart, not 15")
                    % {"code": code_of[meter_id], "step": step * 15},
                )
            )
    if problems:
        problems.sort()
        raise ImportRefused(problems)
    return _store(values, code_of, duplicates)


def _store(
    values: Mapping[tuple[int, date], Sequence[int] | np.ndarray[Any, Any]],
    code_of: dict[int, str],
    duplicates: list[int],
) -> ReadingsReport:
    """Store the checked meter-days (replacing those stored) and report what was stored."""
    report = ReadingsReport(stored=0, days=len(values), duplicates=duplicates)
    rows = []
    for (meter_id, on), listed in sorted(values.items(), key=lambda item: item[0]):
        watts_of = np.array(listed, dtype=np.int32)
        present = watts_of != MISSING
        count = int(present.sum())
        kw = watts_of[present].astype(np.float64) / 1000.0
        rows.append(
            (
                meter_id,
                on,
                watts_of.astype("<i4").tobytes(),
                count,
                float(kw.sum() * 0.25),
                float(kw.max(initial=0.0)),
            )
        )
        report.stored += count
        if count < QUARTERS:
            first = int(np.argmin(present))
            report.gaps.append(
                Gap(
                    code_of[meter_id],
                    on,
                    QUARTERS - count,
                    f"{first // 4:02d}:{first % 4 * 15:02d}",
                )
            )
    _store_days(rows)
    return report


def _store_days(rows: list[tuple[Any, ...]]) -> None:
    """Replace the meter-days of `rows` (meter id, day, watts, readings, kwh, max kW)."""
    by_meter: dict[int, list[date]] = defaultdict(list)
    for row in rows:
        by_meter[row[0]].append(row[1])
    chunk = 900 if connection.vendor == "sqlite" else 20_000
    adapt = adapters(MeterDay, DAY_COLUMNS)
    prepared = [
        tuple(v if a is None else a(v) for v, a in zip(row, adapt, strict=True)) for row in rows
    ]
    with transaction.atomic():
        for meter_id, days in by_meter.items():
            days.sort()
            if len(days) > 2 and (days[-1] - days[0]).days + 1 == len(days):
                MeterDay.objects.filter(
                    meter_id=meter_id, day__gte=days[0], day__lte=days[-1]
                ).delete()
                continue
            for i in range(0, len(days), chunk):
                MeterDay.objects.filter(meter_id=meter_id, day__in=days[i : i + chunk]).delete()
        insert_rows(MeterDay, DAY_COLUMNS, prepared)


def temperatures_import(
    *,
    actor: User | None,
    content: bytes,
    filename: str = "temperatures.csv",
    county: str | None = None,
) -> int:
    """Daily temperatures of a county: columns `date,max[,min]` (°C), all or nothing; a day
    already stored is replaced. A day at or above power-rules.json's `heat_day_max_c` (35 °C) is
    a heat day. `county`: the county's code (default: the importer's county). Returns the days
    stored."""
    access.check_manage(actor)
    if county is None:
        region = getattr(actor, "region", None)
        if region is None:
            raise ImportRefused([(0, _("Say which county the temperatures are of."))])
        county = county_of(region.code)
    region = getattr(actor, "region", None)
    if actor is not None and (region is None or county_of(region.code) != county):
        # A town's staff import their own county's weather; nobody another county's.
        access.check_in_scope(actor, county)
    if not Region.objects.filter(code=county).exists():
        raise ImportRefused([(0, _("Unknown county %(code)s.") % {"code": county})])
    table = read_table(filename=filename, content=content, max_rows=10_000)
    header = [cell_text(h).lower() for h in table.header]
    if header[:2] != ["date", "max"]:
        raise ImportRefused([(1, _("The first row must name the columns: date,max[,min]."))])
    has_min = len(header) > 2 and header[2] == "min"
    threshold = Decimal(str(rules()["heat_day_max_c"]))
    problems: list[tuple[int, str]] = []
    found: dict[date, tuple[Decimal, Decimal | None]] = {}
    for number, cells in table.rows:
        text = cell_text(cells[0]) if cells else ""
        try:
            on = date.fromisoformat(text[:10])
        except ValueError:
            problems.append((number, _("%(value)s is not a date") % {"value": text or "—"}))
            continue
        try:
            high = Decimal(cell_text(cells[1])).quantize(Decimal("0.1"))
            low = (
                Decimal(cell_text(cells[2])).quantize(Decimal("0.1"))
                if has_min and len(cells) > 2 and cell_text(cells[2])
                else None
            )
        except (InvalidOperation, IndexError):
            problems.append((number, _("a temperature is not a number")))
            continue
        if not Decimal(-60) <= high <= Decimal(60) or (
            low is not None and not Decimal(-60) <= low <= high
        ):
            problems.append((number, _("the temperatures are out of range")))
            continue
        if on in found:
            problems.append((number, _("the day %(day)s appears twice") % {"day": on.isoformat()}))
            continue
        found[on] = (high, low)
    if problems:
        raise ImportRefused(problems[:MAX_PROBLEMS])
    if not found:
        raise ImportRefused([(0, _("The file holds no temperatures."))])
    with transaction.atomic():
        DailyTemperature.objects.filter(region_id=county, day__in=list(found)).delete()
        DailyTemperature.objects.bulk_create(
            DailyTemperature(
                region_id=county, day=on, max_c=high, min_c=low, heat_day=high >= threshold
            )
            for on, (high, low) in sorted(found.items())
        )
    return len(found)
