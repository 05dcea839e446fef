"""The demo's 2023 records add up exactly to the figures of the 2023 responsibility report."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jiceng.demo.lottery import seed_lottery
from jiceng.lottery.selectors import annual_report

pytestmark = pytest.mark.django_db


def test_the_demo_2023_report_shows_the_seed_figures_to_the_yuan(regions):
    made = seed_lottery(seed=7, county="330483")
    assert made["lottery_outlets"] == 3000
    report = annual_report(None, 2023)
    assert report.ledger.sales == Decimal("3493000000.00")
    assert report.ledger.fund_raised == Decimal("972000000.00")
    assert report.ledger.tax_withheld == Decimal("23617500.00")
    assert report.jobs > 2500
    assert report.fund_used == Decimal("341000000.00")
    assert report.projects == 970
    by_category = {line.category: line for line in report.by_category}
    assert [
        by_category[c].projects for c in ("elderly", "disabled", "children", "public_good")
    ] == [
        390,
        25,
        41,
        514,
    ]
    assert by_category["elderly"].amount == Decimal("240000000.00")
    assert by_category["elderly"].share == Decimal("0.7038")
    later = annual_report(None, 2024)
    assert later.ledger.sales > report.ledger.sales and later.projects == 970
