"""The advice letter (节能降耗建议书) of a saved plan prints as a Chinese PDF whose text reads back
with the enterprise's name, its savings and the chart's labels."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date

import pytest

from jiceng.core.models import Organisation
from jiceng.demo.power import MILL_NAME, seed_power
from jiceng.power.letter import letter_document, letter_pdf, yuan
from jiceng.power.models import DayType
from jiceng.power.selectors import plan_page
from tests.registry_factories import make_organisation

pytestmark = pytest.mark.skipif(
    not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) is not installed"
)


@pytest.fixture
def mill(regions):
    make_organisation("测试机械公司", "330483001001001", 1, industry="机械", employees=40)
    seed_power(seed=2, county="330483", enterprises=2, planned=1, as_of=date(2026, 12, 7))
    return Organisation.objects.get(name=MILL_NAME)


def _text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "letter.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return "".join(out.split())  # Chinese lines wrap anywhere: compare without whitespace


def test_the_letter_reads_back_with_the_enterprise_and_its_savings(mill, tmp_path):
    page = plan_page(None, mill, DayType.WORKDAY)
    plan = page["plan"]
    assert plan is not None and plan.saved_per_day > 0
    text = _text(letter_pdf(page), tmp_path)
    assert MILL_NAME in text
    assert yuan(plan.saved_per_day) in text
    assert yuan(plan.saved_per_summer) in text
    assert "开松机1号" in text
    assert "23:00" in text


def test_the_letter_has_the_load_chart_against_the_periods(mill):
    from jiceng.documents.content import LineChart

    document = letter_document(plan_page(None, mill, DayType.WORKDAY))
    charts = [b for b in document.blocks if isinstance(b, LineChart)]
    assert len(charts) == 1
    assert [len(s.values) for s in charts[0].series] == [96, 96]
    assert len({band.name for band in charts[0].bands}) >= 3  # sharp, peak, flat, valley …


def test_there_is_no_letter_without_a_saved_plan(mill):
    page = plan_page(None, mill, DayType.REST)
    with pytest.raises(ValueError):
        letter_document(page)
