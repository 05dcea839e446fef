"""The pages: the report's figures link to the records they sum; scope and role hold."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from jiceng.lottery.models import DailySale
from jiceng.lottery.services import sales_import

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def sold(outlets):
    sales_import(
        actor=None,
        data="date,outlet,game,amount\n2023-03-01,wt1,ssq,1000000\n2023-04-02,py1,kl8,200\n",
    )


def test_every_figure_of_the_report_page_links_to_its_records(staff, sold):
    page = _client(staff["fucai"]).get("/lottery/report/?year=2023")
    assert page.status_code == 200
    html = page.content.decode()
    assert "1,000,200.00" in html
    assert 'href="/lottery/sales/?year=2023&amp;game=ssq"' in html
    assert 'href="/lottery/grants/?year=2023&amp;category=elderly"' in html
    sales = _client(staff["fucai"]).get("/lottery/sales/?year=2023&game=ssq")
    assert sales.status_code == 200
    assert "1,000,000.00" in sales.content.decode()


def test_a_town_sees_only_its_outlets_and_sales(staff, sold):
    client = _client(staff["fucai_wutong"])
    outlets = client.get("/lottery/outlets/").content.decode()
    assert "梧桐一号站" in outlets and "濮院一号站" not in outlets
    fund = client.get("/lottery/?year=2023").content.decode()
    assert "1,000,000.00" in fund and "1,000,200.00" not in fund


@pytest.mark.parametrize("username", ["wutong", "clerk"])
def test_users_without_the_role_get_403(staff, sold, username):
    client = _client(staff[username])
    for url in (
        "/lottery/",
        "/lottery/report/",
        "/lottery/outlets/",
        "/lottery/sales/",
        "/lottery/prizes/",
        "/lottery/grants/",
        "/lottery/responsibility/",
        "/lottery/report/2023.pdf",
    ):
        assert client.get(url).status_code == 403, url


def test_the_import_form_refuses_a_bad_file_naming_the_row(staff, outlets):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(
        "sales.csv", b"date,outlet,game,amount\n2023-03-01,wt1,ssq,5\n2023-03-01,wt1,nope,5\n"
    )
    page = _client(staff["fucai"]).post("/lottery/sales/", {"file": upload})
    assert page.status_code == 200
    assert "nope" in page.content.decode()
    assert DailySale.objects.count() == 0


def test_an_excel_workbook_imports_like_a_csv(staff, outlets):
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["date", "outlet", "game", "amount"])
    sheet.append([date(2023, 3, 1), "wt1", "ssq", 100])
    out = io.BytesIO()
    book.save(out)
    assert sales_import(actor=staff["fucai"], data=out.getvalue(), filename="s.xlsx") == 1


def test_the_report_pdf_reads_back_in_chinese(staff, sold, tmp_path):
    import shutil
    import subprocess

    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils is not installed")
    pdf = _client(staff["fucai"]).get("/lottery/report/2023.pdf")
    assert pdf.status_code == 200
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf.content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert "1,000,200.00" in text


def test_a_complaint_about_an_outlet_opens_a_case_in_its_town(staff, outlets):
    from jiceng.cases.models import Case

    page = _client(staff["fucai"]).post(
        "/lottery/responsibility/",
        {"outlet": "wt1", "description": "向未成年人出售彩票", "reporter_phone": "13800000000"},
    )
    assert page.status_code == 302
    case = Case.objects.get()
    assert case.category.code == "lottery_complaint"
    assert case.region_id == "330483001001"
    assert "wt1" in case.description


def test_a_complaint_about_another_towns_outlet_is_refused(staff, outlets):
    from jiceng.cases.models import Case

    page = _client(staff["fucai_wutong"]).post(
        "/lottery/responsibility/", {"outlet": "py1", "description": "服务态度差"}
    )
    assert page.status_code == 200 and Case.objects.count() == 0


def test_a_report_pdf_of_a_year_out_of_range_is_a_404(staff):
    assert _client(staff["fucai"]).get("/lottery/report/999999.pdf").status_code == 404


def test_supervisors_their_visits_and_publicity_activities_are_recorded_in_ones_region(
    staff, outlets
):
    from jiceng.lottery.models import PublicityActivity, Supervisor, SupervisorVisit

    client = _client(staff["fucai_wutong"])
    answer = client.post(
        "/lottery/responsibility/",
        {
            "action": "supervisor",
            "name": "周明",
            "affiliation": "人大代表",
            "appointed_on": "2023-08-16",
        },
    )
    assert answer.status_code == 302
    supervisor = Supervisor.objects.get()
    assert supervisor.region_id == "330483001"
    client.post(
        "/lottery/responsibility/",
        {
            "action": "visit",
            "supervisor": supervisor.pk,
            "outlet": "py1",
            "visited_on": "2023-09-01",
            "findings": "另一镇的网点",
        },
    )
    assert SupervisorVisit.objects.count() == 0  # 濮院's outlet is not in 梧桐's scope
    client.post(
        "/lottery/responsibility/",
        {
            "action": "visit",
            "supervisor": supervisor.pk,
            "outlet": "wt1",
            "visited_on": "2023-09-01",
            "findings": "禁售标识到位",
        },
    )
    client.post(
        "/lottery/responsibility/",
        {
            "action": "activity",
            "kind": "training",
            "title": "责任彩票专题培训",
            "held_on": "2023-09-20",
            "participants": 40,
        },
    )
    assert SupervisorVisit.objects.get().outlet.code == "wt1"
    assert PublicityActivity.objects.get().region_id == "330483001"
    page = client.get("/lottery/responsibility/?year=2023").content.decode()
    assert "周明" in page and "禁售标识到位" in page and "责任彩票专题培训" in page
