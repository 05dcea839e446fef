"""Import and export of the registries: whole files refused with every problem named, scope and
masking respected, only real .xlsx and .csv files accepted."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from jiceng.core.models import Organisation, Person, Site
from tests.registry_factories import (
    PUYUAN,
    PUYUAN_VILLAGE,
    WUTONG,
    WUTONG_VILLAGE,
    credit_code,
    id_number,
    make_organisation,
    make_person,
    make_site,
)

PEOPLE_HEADER = "name,id_number,region_code,phone,address\n"


@pytest.fixture(autouse=True)
def _pages_in_english(settings):
    """Messages are asserted in English, whatever catalogues the default language has."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def _csv(text: str, name: str = "people.csv", encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def _xlsx(rows: list[list[object]], name: str = "file.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def _import(client, registry: str, upload: SimpleUploadedFile):
    return client.post(reverse(f"{registry}-import"), {"file": upload})


def _download(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def _csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(_download(response).decode("utf-8-sig"))))


# --- Import ---------------------------------------------------------------------------------


def test_people_are_imported_from_csv_and_recorded_in_the_audit_log(client, users):
    client.force_login(users["admin"])
    upload = _csv(
        PEOPLE_HEADER
        + f"沈一,{id_number(1)},{WUTONG_VILLAGE},13900000001,庆丰路1号\n"
        + f"沈二,{id_number(2).lower()},{PUYUAN_VILLAGE},,\n"
    )
    response = _import(client, "people", upload)
    assert response.status_code == 200
    assert "2 records were imported" in response.content.decode()
    first = Person.objects.get(name="沈一")
    assert (first.region_id, first.phone, first.gender) == (WUTONG_VILLAGE, "13900000001", "M")
    entries = LogEntry.objects.filter(action=LogEntry.Action.CREATE, content_type__model="person")
    assert entries.count() == 2
    assert {entry.actor for entry in entries} == {users["admin"]}
    assert id_number(1) not in str([entry.changes for entry in entries])


def test_organisations_are_imported_from_excel_with_chinese_headers(client, users):
    client.force_login(users["admin"])
    upload = _xlsx(
        [
            ["名称", "类型", "统一社会信用代码", "区划代码", "从业人数"],
            ["梧桐纺织", "enterprise", credit_code(1), WUTONG, 30],
            [
                "庆丰经济合作社",
                "rural_collective",
                credit_code(2, authority="N", kind="2"),
                int(WUTONG_VILLAGE),
                None,
            ],
            ["梧桐街道办", "department", None, WUTONG, None],
        ]
    )
    response = _import(client, "organisations", upload)
    assert response.status_code == 200, response.content.decode()
    assert Organisation.objects.count() == 3
    assert Organisation.objects.get(name="梧桐纺织").employees == 30
    assert Organisation.objects.get(name="庆丰经济合作社").region_id == WUTONG_VILLAGE


def test_sites_are_imported_with_their_organisation(client, users):
    org = make_organisation("梧桐纺织", WUTONG, 3)
    client.force_login(users["admin"])
    upload = _csv(
        "name,kind,region_code,address,lat,lon,organisation_credit_code\n"
        f"纺织车间,premises,{WUTONG},,30.6,120.5,{credit_code(3)}\n"
        "文化礼堂,public,330483001201,,,,\n",
        name="sites.csv",
    )
    response = _import(client, "sites", upload)
    assert response.status_code == 200, response.content.decode()
    assert Site.objects.get(name="纺织车间").organisation == org
    assert Site.objects.get(name="文化礼堂").kind == "public"


def test_a_file_with_one_bad_row_is_refused_whole_naming_each_line(client, users):
    client.force_login(users["admin"])
    bad_check = id_number(4)[:17] + ("1" if id_number(4)[17] != "1" else "2")
    upload = _csv(
        PEOPLE_HEADER
        + f"好人,{id_number(3)},{WUTONG},,\n"
        + f"坏号,{bad_check},{WUTONG},,\n"
        + f",{id_number(5)},999999999,,\n"
    )
    response = _import(client, "people", upload)
    assert response.status_code == 400
    text = response.content.decode()
    assert "nothing was imported" in text
    assert "Line 3" in text and "check character" in text
    assert "Line 4" in text and "unknown region code 999999999" in text and "is empty" in text
    assert not Person.objects.exists()


def test_rows_outside_the_importers_scope_are_refused(client, users):
    client.force_login(users["admin"])
    upload = _csv(PEOPLE_HEADER + f"外地人,{id_number(6)},330400,,\n")
    response = _import(client, "people", upload)
    assert response.status_code == 400
    assert "outside your scope" in response.content.decode()
    assert not Person.objects.exists()


def test_duplicates_in_the_file_and_in_the_registry_are_refused(client, users):
    make_person("已登记", WUTONG, 7)
    client.force_login(users["admin"])
    upload = _csv(
        PEOPLE_HEADER
        + f"甲,{id_number(8)},{WUTONG},,\n"
        + f"乙,{id_number(8)},{WUTONG},,\n"
        + f"丙,{id_number(7)},{WUTONG},,\n"
    )
    response = _import(client, "people", upload)
    text = response.content.decode()
    assert response.status_code == 400
    assert "the same ID number is on line 2" in text
    assert "registered already" in text
    assert Person.objects.count() == 1


def test_organisation_duplicates_and_bad_credit_codes_are_named(client, users):
    make_organisation("已有企业", WUTONG, 9)
    client.force_login(users["admin"])
    upload = _csv(
        "name,kind,credit_code,region_code\n"
        f"新企业,enterprise,{credit_code(9)},{WUTONG}\n"
        f"错码企业,enterprise,{credit_code(10)[:-1]}0,{WUTONG}\n"
        f"无码企业,enterprise,,{WUTONG}\n"
        f"怪类型,factory,{credit_code(11)},{WUTONG}\n",
        name="orgs.csv",
    )
    text = _import(client, "organisations", upload).content.decode()
    assert "registered already" in text
    assert "check character" in text
    assert "a credit code is required" in text
    assert "unknown kind factory" in text
    assert Organisation.objects.count() == 1


def test_an_id_number_stored_as_an_excel_number_is_refused_with_the_reason(client, users):
    client.force_login(users["admin"])
    upload = _xlsx([["name", "id_number", "region_code"], ["数字号", 330483198005170011, WUTONG]])
    text = _import(client, "people", upload).content.decode()
    assert "stored as a number" in text
    assert not Person.objects.exists()


def test_a_csv_saved_by_a_chinese_excel_is_read(client, users):
    client.force_login(users["admin"])
    upload = _csv(
        "姓名,身份证号,区划代码\n" + f"国标,{id_number(12)},{WUTONG}\n", encoding="gb18030"
    )
    response = _import(client, "people", upload)
    assert response.status_code == 200, response.content.decode()
    assert Person.objects.filter(name="国标").exists()


def test_unknown_and_missing_columns_refuse_the_file(client, users):
    client.force_login(users["admin"])
    response = _import(client, "people", _csv("name,shoe_size\n张,42\n"))
    text = response.content.decode()
    assert response.status_code == 400
    assert "shoe_size: unknown column" in text
    assert "id_number: required column is missing" in text


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("people.txt", b"name\n", "Only .xlsx and .csv"),
        ("people.exe", b"MZ\x90\x00", "Only .xlsx and .csv"),
        ("people.xlsx", PEOPLE_HEADER.encode(), "not an Excel workbook"),
        ("people.csv", b"PK\x03\x04rest", "not a text file"),
        ("people.csv", b"\x00\x01\x02binary", "not a text (CSV) file"),
        ("people.xls.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old", "old Excel (.xls)"),
    ],
)
def test_only_real_xlsx_and_csv_files_are_accepted(client, users, name, content, reason):
    client.force_login(users["admin"])
    response = _import(client, "people", SimpleUploadedFile(name, content))
    assert response.status_code == 400
    assert reason in response.content.decode()


def test_a_zip_that_is_not_a_workbook_is_refused(client, users):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("evil.txt", "x")
    client.force_login(users["admin"])
    response = _import(client, "people", SimpleUploadedFile("people.xlsx", buffer.getvalue()))
    assert "ZIP archive but not an Excel workbook" in response.content.decode()


@pytest.mark.parametrize("count", [100, 3000])
def test_files_over_the_upload_limit_are_refused(client, users, settings, count):
    settings.UPLOAD_MAX_BYTES = 2048
    client.force_login(users["admin"])
    rows = "".join(f"人{n},{id_number(n)},{WUTONG},,\n" for n in range(100, 100 + count))
    response = _import(client, "people", _csv(PEOPLE_HEADER + rows))
    assert response.status_code == 413
    assert "larger than" in response.content.decode()
    assert not Person.objects.exists()


@pytest.mark.parametrize("username", ["regulator", "wutong", "clerk"])
def test_only_administrators_import(client, users, username):
    client.force_login(users[username])
    assert client.get(reverse("people-import")).status_code == 403
    upload = _csv(PEOPLE_HEADER + f"越权,{id_number(13)},{WUTONG},,\n")
    assert _import(client, "people", upload).status_code == 403
    assert not Person.objects.exists()


@pytest.mark.parametrize("registry", ["people", "organisations", "sites"])
def test_import_templates_download_as_csv_and_excel(client, users, registry):
    client.force_login(users["admin"])
    header = _csv_rows(client.get(reverse(f"{registry}-import-template-csv")))[0]
    assert "name" in header and "region_code" in header
    response = client.get(reverse(f"{registry}-import-template-xlsx"))
    workbook = load_workbook(io.BytesIO(_download(response)))
    assert [cell.value for cell in workbook.worksheets[0][1]] == header
    assert len(workbook.worksheets) == 2


def test_an_import_template_imports_once_filled_in(client, users):
    client.force_login(users["admin"])
    template = _download(client.get(reverse("people-import-template-xlsx")))
    workbook = load_workbook(io.BytesIO(template))
    workbook.worksheets[0].append(["填表人", id_number(14), WUTONG])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = _import(client, "people", SimpleUploadedFile("filled.xlsx", buffer.getvalue()))
    assert response.status_code == 200, response.content.decode()
    assert Person.objects.filter(name="填表人").exists()


# --- Export ---------------------------------------------------------------------------------


@pytest.fixture
def two_towns(users):
    return {
        "wutong": make_person("梧桐人", WUTONG, 21),
        "puyuan": make_person("濮院人", PUYUAN, 22),
        "wutong_org": make_organisation("梧桐厂", WUTONG, 23),
        "puyuan_org": make_organisation("濮院厂", PUYUAN, 24),
        "wutong_site": make_site("梧桐场所", WUTONG_VILLAGE),
        "puyuan_site": make_site("濮院场所", PUYUAN_VILLAGE),
    }


@pytest.mark.parametrize(
    ("registry", "own", "other"),
    [
        ("people", "梧桐人", "濮院人"),
        ("organisations", "梧桐厂", "濮院厂"),
        ("sites", "梧桐场所", "濮院场所"),
    ],
)
def test_an_export_holds_only_the_users_own_town(client, users, two_towns, registry, own, other):
    client.force_login(users["wutong"])
    response = client.get(reverse(f"{registry}-export"), {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    names = [row[0] for row in _csv_rows(response)[1:]]
    assert names == [own]
    assert other not in _download(response).decode("utf-8-sig")


def test_a_people_export_masks_id_numbers_and_leaves_out_birth_dates(client, users, two_towns):
    client.force_login(users["clerk"])
    rows = _csv_rows(
        client.get(reverse("people-export"), {"format": "csv", "clear_id_numbers": "on"})
    )
    header, row = rows[0], rows[1]
    assert row[header.index("id_number")] == two_towns["wutong"].id_masked
    assert "birth_date" not in header
    assert id_number(21) not in str(rows)


def test_a_clerk_exports_clear_id_numbers_when_asking_and_the_export_is_recorded(
    client, users, two_towns
):
    client.force_login(users["clerk"])
    response = client.post(reverse("people-export"), {"format": "csv", "clear_id_numbers": "on"})
    rows = _csv_rows(response)
    assert rows[1][rows[0].index("id_number")] == id_number(21)
    assert "no-store" in response["Cache-Control"]
    entry = LogEntry.objects.get(action=LogEntry.Action.ACCESS, actor=users["clerk"])
    assert entry.additional_data["clear_id_numbers"] is True
    assert entry.additional_data["format"] == "csv"


def test_a_town_officer_cannot_export_clear_id_numbers(client, users, two_towns):
    client.force_login(users["wutong"])
    response = client.post(reverse("people-export"), {"format": "csv", "clear_id_numbers": "on"})
    assert response.status_code == 403
    assert id_number(21).encode() not in _download(response)


def test_an_export_follows_the_lists_filters(client, users, two_towns):
    make_person("梧桐另一人", WUTONG_VILLAGE, 25)
    client.force_login(users["admin"])
    rows = _csv_rows(
        client.get(reverse("people-export"), {"format": "csv", "region": WUTONG_VILLAGE})
    )
    assert [row[0] for row in rows[1:]] == ["梧桐另一人"]


def test_an_excel_export_opens_and_keeps_formula_like_text_as_text(client, users, two_towns):
    make_organisation('=HYPERLINK("http://x")', WUTONG, 26)
    client.force_login(users["wutong"])
    response = client.get(reverse("organisations-export"), {"format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(_download(response))).worksheets[0]
    names = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert "梧桐厂" in names and "濮院厂" not in names
    cell = next(row[0] for row in sheet.iter_rows(min_row=2) if "HYPERLINK" in str(row[0].value))
    assert cell.data_type == "s"


def test_a_csv_export_defuses_formulas(client, users, two_towns):
    make_organisation("=1+2", WUTONG, 27)
    client.force_login(users["wutong"])
    rows = _csv_rows(client.get(reverse("organisations-export"), {"format": "csv"}))
    assert "'=1+2" in [row[0] for row in rows]


def test_a_regulator_exports_the_whole_county_masked(client, users, two_towns):
    client.force_login(users["regulator"])
    response = client.get(reverse("people-export"), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(_download(response))).worksheets[0]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert {row[0] for row in values[1:]} == {"梧桐人", "濮院人"}
    assert id_number(21) not in str(values) and id_number(22) not in str(values)
    sites = _csv_rows(client.get(reverse("sites-export"), {"format": "csv"}))
    assert {row[0] for row in sites[1:]} == {"梧桐场所", "濮院场所"}
