"""One plan per enterprise: the opening machines move after 23:00 and save money against the
current schedule; pinned starts, crews, versions, a process that cannot fit, who sees it."""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jiceng.power.models import DayType, Machine
from jiceng.power.plans import compute
from jiceng.power.selectors import plan_page, plans_visible_to, typical_day
from jiceng.power.services import machine_save, plan_save
from tests.power.conftest import load_days

ON = date(2026, 8, 3)  # a Monday under zj-2026
WEEK = [date(2026, 7, 27) + timedelta(days=i) for i in range(5)]  # Monday to Friday


def _opener(enterprise, name="开松机", **fields):
    values = {
        "power_kw": Decimal("200"),
        "run_minutes": 240,
        "window_start": time(20, 0),
        "window_end": time(8, 0),
        "current_start": time(18, 0),
    }
    values.update(fields)
    return machine_save(actor=None, enterprise=enterprise, name=name, **values)


@pytest.fixture
def mill(power, meters):
    """100 kW of other load all day; the opening machine (200 kW) runs 18:00-22:00 (sharp)."""
    load_days(meters["mill"], WEEK, lambda _d, q: 300 if 72 <= q < 88 else 100)
    return power["mill"]


def test_the_typical_workday_is_the_mean_of_recent_workdays(mill):
    typical = typical_day(mill.pk, DayType.WORKDAY, until=ON)
    assert typical is not None and typical.days == WEEK
    assert typical.profile[0] == 100 and typical.profile[72] == 300
    assert typical_day(mill.pk, DayType.REST, until=ON) is None


def test_the_plan_moves_the_opening_machine_after_23_and_saves_money(power, mill):
    """Now: 800 kWh in the sharp period, 800 × 0.6 × 2.05 = 984 yuan; planned in the night
    valley: 800 × 0.6 × 0.4 = 192 yuan; 792 yuan a day, × 66 summer workdays = 52,272."""
    _opener(mill)
    plan = plan_save(
        actor=power["users"]["kehu_wt"], enterprise=mill, day_type=DayType.WORKDAY, on=ON
    )
    machine = plan.schedule["machines"][0]
    assert machine["current_start"] == "18:00"
    assert machine["planned_start"] in {"23:00", "00:00", "01:00", "02:00", "03:00"}
    assert machine["to_night"] and machine["moved"]
    assert plan.current_yuan - plan.planned_yuan == plan.saved_per_day == Decimal("792.00")
    assert plan.saved_per_summer == Decimal("52272.00")
    assert plan.peak_removed_kw == Decimal("200.00")
    assert plan.after_23_kwh == Decimal("800.00")
    assert plan.version == 1 and plan.tariff.code == "zj-2026"
    assert len(plan.schedule["planned_load"]) == 96


def test_machines_of_one_crew_never_run_together(mill):
    _opener(mill, "开松机1", crew="开松班")
    _opener(mill, "开松机2", crew="开松班", power_kw=Decimal("150"))
    result = compute(mill, DayType.WORKDAY, on=ON)
    runs = [set(m["planned_quarters"]) for m in result.schedule["machines"]]
    assert not runs[0] & runs[1]
    assert all(m["to_night"] for m in result.schedule["machines"])
    assert result.saved_per_day > 0


def test_an_adjusted_plan_is_a_new_version(power, mill):
    machine = _opener(mill)
    first = plan_save(actor=None, enterprise=mill, day_type=DayType.WORKDAY, on=ON)
    second = plan_save(
        actor=power["users"]["kehu"],
        enterprise=mill,
        day_type=DayType.WORKDAY,
        on=ON,
        starts={machine.pk: time(23, 0)},
        note="开松班 23:00 上班",
    )
    assert (first.version, second.version) == (1, 2)
    assert second.schedule["machines"][0]["planned_start"] == "23:00"
    # 23:00-24:00 flat (1.0), 00:00-03:00 valley: 200 × 0.6 × (1 + 3 × 0.4) = 264 yuan.
    assert second.saved_per_day == Decimal("720.00")
    with pytest.raises(ValidationError, match="开松机 cannot start at 12:00"):
        compute(mill, DayType.WORKDAY, on=ON, starts={machine.pk: time(12, 0)})


def test_a_machine_that_cannot_fit_is_named(mill):
    _opener(mill, "烘干机", window_start=time(9, 0), window_end=time(10, 0), run_minutes=120)
    with pytest.raises(ValidationError, match="烘干机 cannot fit"):
        compute(mill, DayType.WORKDAY, on=ON)


def test_one_crew_with_too_much_work_names_a_machine(mill):
    for i in range(2):
        _opener(
            mill,
            f"清花机{i}",
            crew="清花班",
            window_start=time(0, 0),
            window_end=time(5, 0),
            run_minutes=180,
        )
    with pytest.raises(ValidationError):
        compute(mill, DayType.WORKDAY, on=ON)


def test_the_enterprise_sees_its_plan_and_no_other(power, mill):
    _opener(mill)
    plan = plan_save(actor=None, enterprise=mill, day_type=DayType.WORKDAY, on=ON)
    users = power["users"]
    assert list(plans_visible_to(users["qiye_mill"])) == [plan]
    assert not plans_visible_to(users["qiye_knit"]).exists()
    assert not plans_visible_to(users["wutong"]).exists()  # a town officer: not their module
    assert list(plans_visible_to(users["regulator"])) == [plan]
    page = plan_page(users["qiye_mill"], mill, DayType.WORKDAY)
    assert page["plan"] == plan and not page["may_edit"]
    assert page["meters"][0]["flat_price"] == Decimal("0.6")
    assert page["periods"][0].kind == "valley"
    with pytest.raises(PermissionDenied):
        plan_save(actor=users["qiye_mill"], enterprise=mill, day_type=DayType.WORKDAY, on=ON)
    with pytest.raises(PermissionDenied):
        plan_save(actor=users["diaodu"], enterprise=mill, day_type=DayType.WORKDAY, on=ON)


def test_a_plan_without_machines_or_meters_says_so(power):
    with pytest.raises(ValidationError, match="has no meter"):
        compute(power["knit"], DayType.WORKDAY, on=ON)


def test_an_inflexible_machine_stays(mill):
    _opener(mill, kind=Machine.Kind.INFLEXIBLE)
    result = compute(mill, DayType.WORKDAY, on=ON)
    assert result.schedule["machines"][0]["planned_start"] == "18:00"
    assert result.saved_per_day == pytest.approx(0)


def test_a_round_the_clock_machine_and_a_night_window_fit_together(mill):
    """A furnace runs all 24 hours (inflexible) while the opening machine's window crosses
    midnight and a dryer may run at any time of day: the fixed run is load the solver cannot
    move, so the day may be cut inside it, and the all-day window stays the whole day."""
    _opener(
        mill,
        "熔炉",
        kind=Machine.Kind.INFLEXIBLE,
        power_kw=Decimal("50"),
        run_minutes=24 * 60,
        current_start=time(6, 0),
    )
    _opener(mill)  # 20:00-08:00
    _opener(
        mill,
        "烘干机",
        power_kw=Decimal("80"),
        run_minutes=120,
        window_start=time(0, 0),
        window_end=time(0, 0),
        current_start=time(19, 0),
    )
    result = compute(mill, DayType.WORKDAY, on=ON)
    machines = {m["name"]: m for m in result.schedule["machines"]}
    assert len(machines["熔炉"]["planned_quarters"]) == 96 and not machines["熔炉"]["moved"]
    assert machines["开松机"]["to_night"] and machines["烘干机"]["moved"]
    assert result.saved_per_day > 0


def test_a_machine_of_a_crew_keeps_out_of_the_crews_fixed_run(mill):
    _opener(mill, "开松机1", crew="开松班", kind=Machine.Kind.INFLEXIBLE, current_start=time(0, 0))
    _opener(mill, "开松机2", crew="开松班", power_kw=Decimal("150"))
    result = compute(mill, DayType.WORKDAY, on=ON)
    fixed, movable = (set(m["planned_quarters"]) for m in result.schedule["machines"])
    assert fixed == set(range(16)) and not fixed & movable
