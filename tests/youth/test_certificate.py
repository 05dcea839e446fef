"""The volunteer service record certificate: read back from the PDF, it names the person with
the ID number masked, each service with its platform, hours and who recorded (certified) it,
the total and the star level."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date

import pytest
from django.test import Client

from jiceng.documents.content import Table
from jiceng.youth.certificate import certificate_document, certificate_pdf
from jiceng.youth.services import activity_record, platform_create
from tests.youth.conftest import WUTONG, id_for

pytestmark = pytest.mark.django_db


def pdf_text(pdf: bytes) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing: apt-get install -y poppler-utils")
    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return done.stdout.decode("utf-8")


def test_the_certificate_lists_each_service_its_certifier_the_total_and_the_stars(youth, wang):
    organiser = youth["organiser"]
    patrol = platform_create(
        actor=organiser, name="梧桐青年平安巡逻队", kind="patrol", region_code=WUTONG
    )
    for name, on in (
        ("夜间平安巡逻", date(2026, 3, 1)),
        ("防汛巡查", date(2026, 6, 1)),
        ("节假日安全巡查", date(2026, 10, 1)),
        ("校园周边护学", date(2026, 10, 8)),
        ("夜间平安巡逻", date(2026, 11, 1)),
    ):
        activity_record(
            actor=organiser, platform=patrol, name=name, on=on, hours=20, participants=[wang.pk]
        )
    text = pdf_text(certificate_pdf(wang, today=date(2026, 11, 20)))
    assert "王小明" in text and wang.person.id_masked in text
    assert id_for(date(2000, 3, 1), 11) not in text
    assert "夜间平安巡逻" in text and "防汛巡查" in text and "梧桐青年平安巡逻队" in text
    assert "20.0" in text and "100.0" in text
    tables = [
        b for b in certificate_document(wang, today=date(2026, 11, 20)).blocks
        if isinstance(b, Table)
    ]  # fmt: skip
    summary = tables[-1]  # the volunteer, the services, the total
    assert [c.text for c in summary.rows[0]] == ["100.0", "5", "★"]
    assert "organiser" in text  # who recorded, and so certified, the hours
    assert "67" in text  # 民政部令第67号


def test_the_certificate_page_is_for_those_who_see_the_record(youth, wang, li):
    client = Client()
    client.force_login(youth["wang_account"])
    answer = client.get(f"/youth/people/{wang.pk}/certificate.pdf")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    assert "王小明" in pdf_text(answer.content)
    assert client.get(f"/youth/people/{li.pk}/certificate.pdf").status_code == 404
