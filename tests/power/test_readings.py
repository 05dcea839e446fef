"""The readings import: all or nothing, each bad row named with its reason; gaps and duplicates
reported; a re-import of a day replaces it; temperatures with heat days."""

from __future__ import annotations

import io
from datetime import date, datetime

import numpy as np
import pytest
from openpyxl import Workbook

from jiceng.core.services.regions import ImportRefused
from jiceng.power.models import DailyTemperature, MeterDay
from jiceng.power.selectors import day_loads
from jiceng.power.services import readings_import, temperatures_import
from tests.power.conftest import day_csv

DAY = date(2026, 8, 3)


def _refusals(content: str, **kwargs) -> list[tuple[int, str]]:
    with pytest.raises(ImportRefused) as refused:
        readings_import(actor=None, content=content.encode(), **kwargs)
    return refused.value.problems


def test_a_day_is_stored_in_one_row_and_read_back(meters):
    meter = meters["mill"]
    report = readings_import(
        actor=None, content=day_csv(DAY, lambda q: q * 1.5).encode(), meter=meter
    )
    assert (report.stored, report.days, report.gaps, report.duplicates) == (96, 1, [], [])
    row = MeterDay.objects.get(meter=meter, day=DAY)
    assert row.readings == 96 and row.max_kw == 95 * 1.5
    assert row.kwh == pytest.approx(sum(q * 1.5 for q in range(96)) / 4)
    assert np.allclose(day_loads(meter, DAY), [q * 1.5 for q in range(96)])


def test_gaps_and_repeated_readings_are_reported_not_refused(meters):
    lines = day_csv(DAY, lambda q: 10).splitlines()
    del lines[41:45]  # 10:00-10:45 missing
    lines.append(lines[5])  # 01:00 again, same value
    report = readings_import(actor=None, content="\n".join(lines).encode(), meter=meters["mill"])
    assert report.stored == 92
    assert [(g.day, g.missing, g.first) for g in report.gaps] == [(DAY, 4, "10:00")]
    assert report.duplicates == [len(lines)]
    assert np.isnan(day_loads(meters["mill"], DAY)[40:44]).all()


def test_a_re_import_of_the_day_replaces_it(meters):
    meter = meters["mill"]
    readings_import(actor=None, content=day_csv(DAY, lambda q: 10).encode(), meter=meter)
    readings_import(actor=None, content=day_csv(DAY, lambda q: 20).encode(), meter=meter)
    assert MeterDay.objects.filter(meter=meter).count() == 1
    assert (day_loads(meter, DAY) == 20).all()


def test_bad_rows_refuse_the_whole_file_naming_line_and_reason(meters):
    meter = meters["mill"]
    lines = day_csv(DAY, lambda q: 10).splitlines()
    lines[3] = "2026-08-03T00:37:00+08:00,10"  # not on a quarter hour
    lines[4] = "2026-08-03T00:45:00+08:00,-3"  # negative
    lines[5] = "2026-08-03T01:00:00+08:00,9000000"  # absurd
    lines[6] = "yesterday,10"  # not a time
    lines[7] = "2026-08-03T01:30:00+08:00,lots"  # not a number
    lines[8] = "2026-08-03T00:00:00+08:00,11"  # the time of line 2, another value
    problems = _refusals("\n".join(lines), meter=meter)
    assert [line for line, _why in problems] == [4, 5, 6, 7, 8, 9]
    reasons = dict(problems)
    assert "quarter hour" in reasons[4]
    assert "negative" in reasons[5]
    assert "beyond" in reasons[6]
    assert "not a time" in reasons[7]
    assert "not a number" in reasons[8]
    assert "twice" in reasons[9] and "line 2" in reasons[9]
    assert not MeterDay.objects.exists()


def test_a_time_outside_the_day_and_hourly_data_are_refused(meters):
    meter = meters["mill"]
    text = day_csv(DAY, lambda q: 10) + "2026-08-04T00:00:00+08:00,10\n"
    problems = _refusals(text, meter=meter, day=DAY)
    assert problems[0][0] == 98 and "outside the day 2026-08-03" in problems[0][1]
    hourly = "time,kw\n" + "".join(f"2026-08-03T{h:02d}:00:00+08:00,5\n" for h in range(24))
    problems = _refusals(hourly, meter=meter)
    assert "60 minutes apart" in problems[0][1]
    assert not MeterDay.objects.exists()


def test_times_in_another_offset_land_on_the_local_day(meters):
    text = "time,kw\n2026-08-02T16:00:00+00:00,7\n2026-08-02T16:15:00Z,8\n"
    readings_import(actor=None, content=text.encode(), meter=meters["mill"])
    loads = day_loads(meters["mill"], DAY)
    assert loads[0] == 7 and loads[1] == 8


def test_a_file_of_many_meters_names_unknown_ones(meters):
    text = (
        "meter,time,kw\n"
        "M-MILL,2026-08-03T00:00:00+08:00,1\n"
        "M-KNIT,2026-08-03T00:00:00+08:00,2\n"
        "M-NONE,2026-08-03T00:00:00+08:00,3\n"
    )
    assert _refusals(text) == [(4, "unknown meter M-NONE")]
    report = readings_import(actor=None, content=text.rsplit("M-NONE", 1)[0].encode())
    assert report.days == 2 and MeterDay.objects.count() == 2


def test_a_town_account_manager_may_not_write_another_town_s_meters(power, meters):
    text = "meter,time,kw\nM-KNIT,2026-08-03T00:00:00+08:00,2\n"
    with pytest.raises(ImportRefused, match="unknown meter M-KNIT"):
        readings_import(actor=power["users"]["kehu_wt"], content=text.encode())


def test_an_excel_workbook_is_read_as_local_time(meters):
    book = Workbook()
    sheet = book.active
    sheet.append(["time", "kw"])
    sheet.append([datetime(2026, 8, 3, 0, 15), 12.5])
    out = io.BytesIO()
    book.save(out)
    readings_import(actor=None, content=out.getvalue(), filename="r.xlsx", meter=meters["mill"])
    assert day_loads(meters["mill"], DAY)[1] == 12.5


def test_temperatures_mark_heat_days(power):
    text = "date,max,min\n2026-08-03,36.2,28\n2026-08-04,34.9,27.5\n"
    assert temperatures_import(actor=power["users"]["kehu_wt"], content=text.encode()) == 2
    assert dict(DailyTemperature.objects.values_list("day", "heat_day")) == {
        date(2026, 8, 3): True,
        date(2026, 8, 4): False,
    }
    with pytest.raises(ImportRefused):
        temperatures_import(actor=None, content=b"date,max\n2026-08-05,hot\n", county="330483")
