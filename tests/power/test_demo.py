"""The power demo on a small scale: meters with a summer of quarter-hour load shaped by their
industry and the heat, the cotton mill with its machines and contact, demand-response events with
commitments; deterministic, and removed again by `demo_power_delete`."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from jiceng.core.models import Organisation, Role, User
from jiceng.core.services.accounts import user_create
from jiceng.demo.power import MILL_NAME, demo_power_delete, seed_power, summer
from jiceng.power.models import (
    DailyTemperature,
    DrEvent,
    DrParticipation,
    Machine,
    Meter,
    MeterDay,
    Plan,
)
from tests.registry_factories import make_organisation

AS_OF = date(2026, 12, 7)


@pytest.fixture
def county(regions):
    industries = ["毛衫", "纺织", "机械", "食品", "电子", "商贸"]
    for serial, industry in enumerate(industries * 2, start=1):
        town = "330483101001001" if serial % 2 else "330483001001001"
        make_organisation(f"测试{industry}{serial}公司", town, serial, industry=industry)
    user_create(
        username="qiye", password=None, region_code="330483101", roles=[Role.ENTERPRISE_CONTACT]
    )
    return "330483"


def _load(meter: Meter, day: date) -> np.ndarray:
    row = MeterDay.objects.get(meter=meter, day=day)
    return np.frombuffer(bytes(row.watts), dtype="<i4")


def test_the_last_summer_is_july_to_september():
    assert summer(AS_OF) == (date(2026, 7, 1), 92)
    assert summer(date(2026, 3, 1)) == (date(2025, 7, 1), 92)


def test_a_small_demo_has_a_summer_of_load_for_each_meter(county):
    counts = seed_power(seed=1, county=county, enterprises=8, planned=2, as_of=AS_OF)
    # 10 industrial enterprises of the fixture (商贸 has no load shape), the 8 - 1 largest, plus
    # the cotton mill.
    assert counts["power_meters"] == Meter.objects.count() == 8
    assert counts["power_meter_days"] == MeterDay.objects.count() == 8 * 92
    assert DailyTemperature.objects.filter(region_id=county).count() == 92
    assert DailyTemperature.objects.filter(heat_day=True).exists()
    assert counts["power_events"] == DrEvent.objects.count() == 3
    assert DrParticipation.objects.filter(committed_kw__isnull=False).exists()
    row = MeterDay.objects.first()
    assert row is not None and len(bytes(row.watts)) == 96 * 4
    assert 90 <= row.readings <= 96


def test_the_cotton_mill_runs_its_opening_machines_in_the_evening_and_has_a_contact(county):
    seed_power(seed=1, county=county, enterprises=4, planned=1, as_of=AS_OF)
    mill = Organisation.objects.get(name=MILL_NAME)
    assert User.objects.get(username="qiye").organisation_id == mill.pk
    assert str(mill.region_id).startswith("330483101")
    openers = Machine.objects.filter(enterprise=mill, name__startswith="开松机")
    assert openers.count() == 2
    meter = Meter.objects.get(enterprise=mill)
    monday = date(2026, 7, 6)
    load = _load(meter, monday)
    evening, night = load[72:84], load[92:96]  # 18:00-21:00 and 23:00-24:00
    assert evening[evening >= 0].mean() > night[night >= 0].mean() + 200_000  # W: 2 × 160 kW


def test_the_demo_is_deterministic_and_deleted_whole(county):
    seed_power(seed=3, county=county, enterprises=5, planned=1, as_of=AS_OF)
    first = list(MeterDay.objects.order_by("meter__code", "day").values_list("kwh", flat=True))
    demo_power_delete()
    assert not Meter.objects.exists() and not MeterDay.objects.exists()
    assert not DrEvent.objects.exists() and not DailyTemperature.objects.exists()
    Organisation.objects.filter(name=MILL_NAME).delete()
    seed_power(seed=3, county=county, enterprises=5, planned=1, as_of=AS_OF)
    again = list(MeterDay.objects.order_by("meter__code", "day").values_list("kwh", flat=True))
    assert first == again


def test_the_cotton_mill_s_plan_moves_its_opening_machines_after_23(county):
    counts = seed_power(seed=1, county=county, enterprises=4, planned=1, as_of=AS_OF)
    assert counts["power_plans"] >= 1
    plan = Plan.objects.get(enterprise__name=MILL_NAME)
    openers = [m for m in plan.schedule["machines"] if m["name"].startswith("开松机")]
    assert openers and all(m["to_night"] for m in openers)
    assert plan.saved_per_day > 0 and plan.after_23_kwh > 0
