"""Importing staff from an Excel sheet: all or nothing, each problem named by row and field."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from jiceng.core.models import Role, User
from jiceng.core.services.regions import ImportRefused
from jiceng.hall.models import ServicePoint
from jiceng.hall.services.network import point_create
from jiceng.web.accounts.staff_import import parse_roles, staff_import
from tests.accounts.conftest import table_counts

pytestmark = pytest.mark.django_db
HEADER = ["username", "display_name", "region_code", "roles", "point_code", "station_code"]


def workbook(*rows: list[str], header: list[str] = HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def outlet(users) -> ServicePoint:
    return point_create(
        actor=None,
        code="BANK-WT-01",
        name="农商银行梧桐支行",
        kind="bank_outlet",
        region_code="330483001001",
    )


def test_roles_are_read_by_code_or_name_separated_by_commas_or_dunhao():
    assert parse_roles("window_clerk、网格员, Town officer") == (
        [Role.WINDOW_CLERK, Role.GRID_WORKER, Role.TOWN_OFFICER],
        [],
    )
    assert parse_roles("window_clerk，grid_worker") == ([Role.WINDOW_CLERK, Role.GRID_WORKER], [])
    assert parse_roles("boss")[1] == ["boss"]


def test_a_good_sheet_creates_every_account_with_its_workplace(admins, outlet):
    content = workbook(
        ["wt_clerk1", "张三", "330483001001", "window_clerk", "BANK-WT-01", ""],
        ["wt_grid1", "李四", "330483001001001", "grid_worker、village_worker", "", ""],
    )
    created = staff_import(actor=admins["wutong_admin"], filename="staff.xlsx", content=content)
    assert [row.username for row in created] == ["wt_clerk1", "wt_grid1"]
    clerk = User.objects.get(username="wt_clerk1")
    assert clerk.must_change_password and clerk.check_password(created[0].password)
    assert list(outlet.staff.all()) == [clerk]
    grid = User.objects.get(username="wt_grid1")
    assert set(grid.role_grants.values_list("role", flat=True)) == {
        Role.GRID_WORKER,
        Role.VILLAGE_WORKER,
    }


def test_one_bad_row_imports_nothing_and_names_row_and_field(admins, outlet):
    content = workbook(
        ["ok_one", "甲", "330483001", "grid_worker", "", ""],
        ["ok_two", "乙", "330483101", "grid_worker", "", ""],  # another town
        ["bad_role", "丙", "330483001", "boss", "", ""],
        ["clerk", "丁", "330483001", "window_clerk", "", ""],  # exists already
        ["far_point", "戊", "330483001201", "window_clerk", "BANK-WT-01", ""],
    )
    before = table_counts()
    with pytest.raises(ImportRefused) as refused:
        staff_import(actor=admins["wutong_admin"], filename="staff.xlsx", content=content)
    problems = dict(refused.value.problems)
    assert set(problems) == {3, 4, 5, 6}
    assert problems[3].startswith("region_code:") and "outside your region" in problems[3]
    assert problems[4].startswith("roles:") and "boss" in problems[4]
    assert problems[5].startswith("username:")
    assert problems[6].startswith("point_code:") and "BANK-WT-01" in problems[6]
    assert table_counts() == before
    assert not ServicePoint.objects.get(code="BANK-WT-01").staff.exists()


def test_a_town_admin_cannot_import_a_county_admin(admins):
    content = workbook(["boss", "", "330483001", "county_admin", "", ""])
    with pytest.raises(ImportRefused) as refused:
        staff_import(actor=admins["wutong_admin"], filename="staff.xlsx", content=content)
    assert refused.value.problems[0][0] == 2 and refused.value.problems[0][1].startswith("roles:")


def test_a_sheet_without_the_required_columns_is_refused(admins):
    content = workbook(["x"], header=["用户名"])
    with pytest.raises(ImportRefused, match="missing columns"):
        staff_import(actor=admins["admin"], filename="staff.xlsx", content=content)


def test_the_import_page_shows_passwords_once_and_problems_by_row(client, admins, outlet):
    client.force_login(admins["wutong_admin"])
    bad = io.BytesIO(workbook(["x1", "", "330483001", "nope", "", ""]))
    bad.name = "staff.xlsx"
    refused = client.post("/accounts/users/import/", {"file": bad})
    assert refused.status_code == 400 and "roles:" in refused.content.decode()
    good = io.BytesIO(workbook(["x1", "", "330483001", "窗口人员", "", ""]))
    good.name = "staff.xlsx"
    done = client.post("/accounts/users/import/", {"file": good})
    assert done.status_code == 200 and 'id="imported"' in done.content.decode()
    assert User.objects.filter(username="x1").exists()

    template = client.get("/accounts/users/import/template.xlsx")
    assert template.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(template.streaming_content))).worksheets[0]
    assert [c.value for c in next(sheet.iter_rows(max_row=1))] == HEADER
