"""Importing e-bikes from Excel: all or nothing, with each problem by row and field."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from jiceng.core.services.regions import ImportRefused
from jiceng.ebike.models import Battery, Ebike
from jiceng.ebike.reference_data import BUILDING_SCHEME
from jiceng.ebike.services.imports import EBIKE_COLUMNS, ebike_import
from jiceng.risk.selectors import colour_of


def workbook(rows: list[list[object]], header: list[str] | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header or [c.key for c in EBIKE_COLUMNS])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def row(world, n: int, **change: object) -> list[object]:
    values = {
        "plate": f"桐乡A2{n:04d}",
        "frame_number": f"TX2025B{n:07d}",
        "standard": "GB17761-2024",
        "bought_on": "2025-10-01",
        "building": world.building.pk,
        "owner_name": "李四",
        "owner_phone": "13900000000",
        "battery_code": f"BAT-B-{n:06d}",
        "chemistry": "lithium",
        "voltage_v": 48,
        "capacity_ah": 20,
        "ccc": 1,
    } | change
    return [values[c.key] for c in EBIKE_COLUMNS]


def test_a_good_file_registers_every_bike_and_battery(world, users):
    count = ebike_import(
        actor=users["admin"],
        filename="bikes.xlsx",
        content=workbook([row(world, n) for n in range(12)] + [row(world, 99, battery_code="")]),
    )
    assert count == 13
    assert Ebike.objects.filter(registered=True, building=world.building).count() == 13
    assert Battery.objects.filter(ebike__isnull=False).count() == 12
    assert colour_of(BUILDING_SCHEME, world.building.pk) is not None


def test_a_file_with_problems_is_refused_whole_naming_rows_and_fields(world, users):
    rows = [
        row(world, 1),
        row(world, 2, plate="AB"),
        row(world, 3, building=world.puyuan.pk),
        row(world, 4, voltage_v=72),
        row(world, 1, frame_number="TX2025B9999999", battery_code="BAT-B-999999"),
        row(world, 6, bought_on="2099-01-01"),
    ]
    with pytest.raises(ImportRefused) as refused:
        ebike_import(actor=users["wutong"], filename="bikes.xlsx", content=workbook(rows))
    problems = dict(refused.value.problems)
    assert problems[3].startswith("plate")
    assert problems[4].startswith("building")
    assert problems[5].startswith("battery.voltage_v")
    assert problems[6].startswith("plate")
    assert problems[7].startswith("bought_on")
    assert 2 not in problems
    assert not Ebike.objects.exists() and not Battery.objects.exists()


def test_a_plate_registered_already_and_missing_columns(world, users):
    ebike_import(actor=None, filename="a.xlsx", content=workbook([row(world, 1)]))
    with pytest.raises(ImportRefused) as refused:
        ebike_import(actor=None, filename="b.xlsx", content=workbook([row(world, 1)]))
    assert "registered already" in refused.value.problems[0][1]
    with pytest.raises(ImportRefused) as refused:
        ebike_import(actor=None, filename="c.xlsx", content=workbook([["x"]], header=["plate"]))
    assert refused.value.problems[0][0] == 1
    assert Ebike.objects.count() == 1


def test_excel_dates_and_a_csv_file(world, users):
    from datetime import date, datetime

    rows = [row(world, 1, bought_on=datetime(2025, 10, 1)), row(world, 2, bought_on=None)]
    assert ebike_import(actor=None, filename="a.xlsx", content=workbook(rows)) == 2
    assert Ebike.objects.get(plate="桐乡A20001").bought_on == date(2025, 10, 1)
    assert Ebike.objects.get(plate="桐乡A20002").bought_on is None
    header = ",".join(c.key for c in EBIKE_COLUMNS)
    line = ",".join(str(v) for v in row(world, 3))
    assert ebike_import(actor=None, filename="b.csv", content=f"{header}\n{line}\n".encode()) == 1
