"""Tariffs as data with effective dates, and a meter's bill by period, computed by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jiceng.power.models import TariffVersion
from jiceng.power.selectors import meter_cost
from jiceng.power.services import meter_price_set
from jiceng.power.tariffs import NoTariff, day_periods, version_on
from tests.power.conftest import load_days


@pytest.mark.django_db
def test_the_versions_come_from_the_reference_file():
    assert list(TariffVersion.objects.values_list("code", "effective_from")) == [
        ("zj-2024", date(2024, 3, 1)),
        ("zj-2026", date(2026, 7, 1)),
    ]


@pytest.mark.django_db
def test_the_2026_revision_applies_from_the_first_of_july_and_not_before():
    assert version_on(date(2026, 6, 30)).code == "zj-2024"
    assert version_on(date(2026, 7, 1)).code == "zj-2026"
    _v, before = day_periods(date(2026, 6, 30), "large_industry")  # June: spring/autumn
    assert [(p.start, p.end, p.kind) for p in before] == [
        ("00:00", "08:00", "valley"),
        ("08:00", "11:00", "peak"),
        ("11:00", "13:00", "valley"),
        ("13:00", "17:00", "peak"),
        ("17:00", "24:00", "flat"),
    ]
    _v, after = day_periods(date(2026, 7, 1), "large_industry")  # July: summer
    assert [(p.start, p.end, p.kind, p.ratio) for p in after] == [
        ("00:00", "07:00", "valley", 0.4),
        ("07:00", "11:00", "flat", 1.0),
        ("11:00", "14:00", "valley", 0.4),
        ("14:00", "16:00", "flat", 1.0),
        ("16:00", "18:00", "peak", 1.85),
        ("18:00", "22:00", "sharp", 2.05),
        ("22:00", "23:00", "peak", 1.85),
        ("23:00", "24:00", "flat", 1.0),
    ]
    _v, july_2025 = day_periods(date(2025, 7, 1), "general_industry_commerce")
    assert ("09:00", "11:00", "sharp", 1.65) in [
        (p.start, p.end, p.kind, p.ratio) for p in july_2025
    ]


@pytest.mark.django_db
def test_holidays_have_deep_valleys_as_each_version_says():
    # zj-2024: the whole Labour Day holiday, 10:00-14:00.
    _v, may = day_periods(date(2025, 5, 4), "large_industry")
    assert ("10:00", "14:00", "deep_valley", 0.2) in [
        (p.start, p.end, p.kind, p.ratio) for p in may
    ]
    # zj-2026: only the first three days of National Day, 09:00-15:00.
    _v, third = day_periods(date(2026, 10, 3), "large_industry")
    assert ("09:00", "15:00", "deep_valley", 0.2) in [
        (p.start, p.end, p.kind, p.ratio) for p in third
    ]
    _v, fourth = day_periods(date(2026, 10, 4), "large_industry")
    assert "deep_valley" not in {p.kind for p in fourth}


@pytest.mark.django_db
def test_a_day_before_the_first_version_has_no_tariff():
    with pytest.raises(NoTariff, match="2024-03-01"):
        version_on(date(2024, 2, 29))


def test_an_august_day_billed_by_period_to_the_yuan(meters):
    """100 kW all day, 300 kW in the sharp hours 18:00-22:00, flat price 0.6 yuan/kWh, large
    industry under zj-2026 (2.05 : 1.85 : 1 : 0.4):
    sharp  4 h × 300 kW = 1200 kWh × 0.6 × 2.05 = 1476.00
    peak   3 h × 100 kW =  300 kWh × 0.6 × 1.85 =  333.00
    flat   7 h × 100 kW =  700 kWh × 0.6        =  420.00
    valley 10 h × 100 kW = 1000 kWh × 0.6 × 0.4 =  240.00
    total 3200 kWh, 2469.00 yuan."""
    meter = meters["mill"]
    load_days(meter, [date(2026, 8, 3)], lambda _d, q: 300 if 72 <= q < 88 else 100)
    bill = meter_cost(meter, date(2026, 8, 3), date(2026, 8, 3))
    assert {k: (v["kwh"], v["yuan"]) for k, v in bill.by_period.items()} == {
        "sharp": (Decimal("1200.000"), Decimal("1476.00")),
        "peak": (Decimal("300.000"), Decimal("333.00")),
        "flat": (Decimal("700.000"), Decimal("420.00")),
        "valley": (Decimal("1000.000"), Decimal("240.00")),
        "deep_valley": (Decimal("0.000"), Decimal("0.00")),
    }
    assert bill.total_kwh == Decimal("3200.000")
    assert bill.total_yuan == Decimal("2469.00")
    assert bill.days == 1 and bill.missing == 0 and bill.tariffs == ["zj-2026"]


def test_the_price_of_each_day_and_version_applies(meters):
    """A flat price change on 2026-07-01 and the new tariff the same day: June 30th's 24 h ×
    10 kW at 0.6 under zj-2024 (spring/autumn: 8 h valley 0.38, 7 h peak 1.65, 9 h flat... as
    the periods say), July 1st's at 0.5 under zj-2026."""
    meter = meters["mill"]
    meter_price_set(
        actor=None, meter=meter, effective_from=date(2026, 7, 1), yuan_per_kwh=Decimal("0.5")
    )
    load_days(meter, [date(2026, 6, 30), date(2026, 7, 1)], lambda _d, _q: 10)
    bill = meter_cost(meter, date(2026, 6, 30), date(2026, 7, 1))
    # June 30: valley 10 h (00-08, 11-13), peak 7 h (08-11, 13-17), flat 7 h (17-24), 10 kW.
    june = 100 * 0.6 * 0.38 + 70 * 0.6 * 1.65 + 70 * 0.6
    # July 1: valley 10 h, flat 7 h, peak 3 h, sharp 4 h.
    july = 100 * 0.5 * 0.4 + 70 * 0.5 + 30 * 0.5 * 1.85 + 40 * 0.5 * 2.05
    assert bill.total_yuan == Decimal(f"{june + july:.2f}")
    assert bill.total_kwh == Decimal("480.000")
    assert bill.tariffs == ["zj-2024", "zj-2026"]


def test_a_bill_before_the_first_version_is_refused(meters):
    with pytest.raises(NoTariff):
        meter_cost(meters["mill"], date(2024, 2, 1), date(2024, 3, 5))
