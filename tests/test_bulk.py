"""The one bulk row writer (jiceng/core/bulk.py) that the demo seeds write their volume with: rows
and unsaved instances land as the ORM would have stored them, ids continue after rows written
with their ids, and a column the writer does not know is refused before anything is written."""

from __future__ import annotations

from datetime import date

import pytest

from jiceng.cases.models import CalendarDay, CaseCounter
from jiceng.core.bulk import (
    check_columns,
    insert_objects,
    insert_rows,
    insert_statement,
    reset_sequences,
)
from jiceng.core.models import Region

pytestmark = pytest.mark.django_db


def test_rows_are_written_in_batches_and_ids_continue_after_them():
    rows = [(n, "330483", 2000 + n, n * 10) for n in range(1, 6)]
    assert insert_rows(CaseCounter, ["id", "county_code", "year", "last"], rows, batch=2) == 5
    reset_sequences(CaseCounter)
    assert list(CaseCounter.objects.order_by("pk").values_list("year", "last")) == [
        (2001, 10),
        (2002, 20),
        (2003, 30),
        (2004, 40),
        (2005, 50),
    ]
    assert CaseCounter.objects.create(county_code="330483", year=2030).pk == 6


def test_unsaved_instances_are_stored_as_the_orm_reads_them_back():
    boundary = {"type": "Point", "coordinates": [120.56, 30.63]}
    regions = [
        Region(code="339901", name="试验县", level="county", prefix="339901", boundary=boundary),
        Region(code="339902", name="另一县", level="county", prefix="339902", lat=30.5),
    ]
    assert insert_objects(Region, regions) == 2
    first, second = Region.objects.order_by("code")
    assert first.boundary == boundary and first.name == "试验县"
    assert second.boundary is None and second.lat == 30.5
    insert_objects(CalendarDay, [CalendarDay(date=date(2041, 1, 5), is_workday=True, name="调休")])
    assert CalendarDay.objects.get(date=date(2041, 1, 5)).is_workday


def test_instances_without_an_id_are_numbered_by_the_database():
    written = insert_objects(
        CaseCounter, [CaseCounter(county_code="330483", year=y) for y in (1, 2)]
    )
    assert written == 2 and CaseCounter.objects.count() == 2
    assert insert_objects(CaseCounter, []) == 0


def test_a_column_the_model_does_not_have_is_refused_and_nothing_is_written():
    with pytest.raises(ValueError, match="no column colour"):
        insert_rows(CaseCounter, ["county_code", "colour"], [("330483", "red")])
    assert CaseCounter.objects.count() == 0
    with pytest.raises(RuntimeError, match="columns of CaseCounter"):
        check_columns(CaseCounter, ["id", "county_code", "year"])
    check_columns(CaseCounter, ["id", "county_code", "year", "last"])
    assert "INSERT INTO" in insert_statement(CaseCounter, ["county_code", "year"])
