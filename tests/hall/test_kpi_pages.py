"""The KPI page: figures within the user's scope, breakdowns, charts' data and the Excel file."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from jiceng.hall.services.network import handling_record_create, point_create, point_staff_set
from tests.hall.test_kpis import MONDAY, TUESDAY, at, known  # noqa: F401 - the fixture

PERIOD = {"date_from": MONDAY.isoformat(), "date_to": TUESDAY.isoformat()}


@pytest.fixture
def county(known):  # noqa: F811 - the fixture imported above
    """The known 梧桐 history, and one counter record at a bank outlet in 濮院."""
    network = known["network"]
    bank = point_create(
        actor=None,
        code="330483101-BANK1",
        name="农商银行濮院支行",
        kind="bank_outlet",
        region_code="330483101001",
        lat=30.69,
        lon=120.63,
    )
    point_staff_set(actor=None, point=bank, users=[network.users["puyuan_clerk"]])
    handling_record_create(
        actor=network.users["puyuan_clerk"],
        point_id=bank.pk,
        item_code="YB15",
        started_at=at(MONDAY, "14:00"),
        ended_at=at(MONDAY, "14:30"),
    )
    return known | {"puyuan_bank": bank}


def _figure(page, label: str) -> str:
    return next(value for name, value, _kind in page.context["summary"] if name == label)


def test_a_town_officer_sees_the_figures_of_the_town_only(client, county, users):
    client.force_login(users["wutong"])
    page = client.get(reverse("hall-kpis"), PERIOD)
    assert page.status_code == 200
    # Five tickets; four served at the windows and one record at the 梧桐 bank outlet.
    assert _figure(page, "Tickets") == "5"
    assert _figure(page, "Items handled") == "5"
    assert _figure(page, "Mean wait (minutes)") == "7.4"
    assert _figure(page, "95th-percentile wait (minutes)") == "20"
    assert _figure(page, "Satisfaction rate") == "66.7%"
    assert _figure(page, "Handled in tidal sessions (分流)") == "1"
    client.force_login(users["admin"])
    county_page = client.get(reverse("hall-kpis"), PERIOD)
    assert _figure(county_page, "Items handled") == "6"  # the 濮院 record counts for the county


def test_a_town_officer_may_not_ask_for_another_town_or_its_points(client, county, users):
    client.force_login(users["wutong"])
    other_town = client.get(reverse("hall-kpis"), PERIOD | {"region": "330483101"})
    assert other_town.status_code == 400 and "region" in other_town.context["form"].errors
    other_point = client.get(reverse("hall-kpis"), PERIOD | {"point": county["puyuan_bank"].pk})
    assert other_point.status_code == 400 and "point" in other_point.context["form"].errors
    assert "农商银行濮院支行" not in other_point.content.decode()
    xlsx = client.get(reverse("hall-kpis"), PERIOD | {"region": "330483101", "format": "xlsx"})
    assert xlsx.status_code == 400


def test_a_points_page_breaks_the_queue_down_by_window(client, county, users):
    network = county["network"]
    client.force_login(users["wutong"])
    page = client.get(reverse("hall-kpis"), PERIOD | {"point": network.wutong_point.pk})
    assert page.status_code == 200
    tables = {entry["table"].key: entry for entry in page.context["tables"]}
    windows = tables[f"windows-{network.wutong.pk}"]
    served = {row[0]: row[2] for row in windows["rows"]}
    assert served["Window 1"] == "3" and served["潮汐窗口"] == "0"
    assert _figure(page, "Items handled") == "4"  # the bank outlet is another point
    hours = {row[0]: row[1] for row in tables["hours"]["rows"]}
    assert hours == {"09:00": "3", "12:00": "1"}
    chart = page.context["chart_data"]
    assert chart["hours"] == {"hours": ["09", "12"], "handled": [3, 1]}


def test_weeks_and_months_group_the_days(client, county, users):
    client.force_login(users["admin"])
    page = client.get(reverse("hall-kpis"), PERIOD | {"granularity": "month"})
    series = next(e for e in page.context["tables"] if e["table"].key == "series")
    assert [row[0] for row in series["rows"]] == ["2026-03"]
    assert series["rows"][0][1:3] == ["5", "6"]


def test_a_period_backwards_or_too_long_is_a_form_error(client, county, users):
    client.force_login(users["admin"])
    backwards = client.get(
        reverse("hall-kpis"), {"date_from": "2026-03-10", "date_to": "2026-03-01"}
    )
    assert backwards.status_code == 400 and "date_from" in backwards.context["form"].errors
    too_long = client.get(
        reverse("hall-kpis"), {"date_from": "2024-01-01", "date_to": "2026-03-01"}
    )
    assert too_long.status_code == 400


def test_the_excel_file_holds_the_figures_the_page_shows(client, county, users):
    client.force_login(users["admin"])
    page = client.get(reverse("hall-kpis"), PERIOD)
    response = client.get(reverse("hall-kpis"), PERIOD | {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    summary = {
        row[0]: row[1] if len(row) > 1 else None  # an empty cell ends a row in the file
        for row in workbook["Summary"].iter_rows(values_only=True)
        if row and row[0] is not None
    }
    for label, shown, kind in page.context["summary"]:
        value = summary[label]
        if value is None:
            assert shown == "—"
        elif kind == "percent":
            assert shown == f"{value * 100:.1f}%"
        elif kind == "change":
            assert shown == f"{value * 100:+.1f}%"
        else:
            assert shown == f"{value:g}"
    assert summary["Tickets"] == 5 and summary["Items handled"] == 6
    by_item = list(workbook["By item"].iter_rows(values_only=True))
    assert by_item[0][:3] == ("Item", "Name", "Items handled")
    handled = {row[0]: row[2] for row in by_item[1:]}
    shown = next(e for e in page.context["tables"] if e["table"].key == "items")
    assert {row[0]: str(row[2]) for row in shown["rows"]} == {k: str(v) for k, v in handled.items()}
    assert handled["YB15"] == 4  # two at the window, one at each bank outlet


def test_a_village_worker_and_a_regulator_see_their_own_area(client, county, users):
    client.force_login(users["village"])  # 庆丰社区, where the 梧桐 bank outlet is
    page = client.get(reverse("hall-kpis"), PERIOD)
    assert page.status_code == 200 and _figure(page, "Items handled") == "1"
    client.force_login(users["regulator"])
    page = client.get(reverse("hall-kpis"), PERIOD)
    assert page.status_code == 200 and _figure(page, "Items handled") == "6"
    assert page.context["form"]["date_from"].value() == MONDAY.isoformat()
