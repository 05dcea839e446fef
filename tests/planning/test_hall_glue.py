"""The planning glue of the hall module: a hall's staffing plan from its tickets, applying it to
the session plan, and the service-circle plan of an item."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import numpy as np
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jiceng.hall.circle import COMMITTEE, CircleUnavailable, circle_plan
from jiceng.hall.models import HallDay, ServicePoint, SessionPlan, Ticket, TicketSource
from jiceng.hall.selectors import hall_plans
from jiceng.hall.services.network import point_create, sessions_set
from jiceng.hall.services.plans import staffing_plan_apply
from jiceng.hall.services.travel import travel_model_set
from jiceng.hall.staffing import (
    INTERVAL_MINUTES,
    PERIODS,
    SHIFT_BY_NAME,
    StaffingUnavailable,
    arrival_history,
    item_mix_minutes,
    staffing_plan,
)
from jiceng.planning import erlang
from tests.planning.conftest import TZ, WEEK
from tests.registry_factories import make_person

TODAY = date(2026, 11, 1)  # long after the planned week: the history ends on its Monday
QINGFENG, HUXIAO = "330483001001", "330483001201"


def _ticket(hall, day: date, clock: time, number: str, item) -> Ticket:
    taken = datetime.combine(day, clock, TZ)
    return Ticket(
        hall=hall,
        service_day=day,
        number=number,
        sequence=int(number[1:]),
        group_id=item.group_id,
        item=item,
        source=TicketSource.KIOSK,
        status="done",
        queue_at=taken,
        taken_at=taken,
        hour=taken.hour,
    )


def test_arrivals_are_counted_per_half_hour_with_early_and_late_tickets_at_the_edges(network):
    from jiceng.hall.models import ServiceItem

    item = ServiceItem.objects.get(code="YB12")
    day = date(2026, 3, 9)
    Ticket.objects.bulk_create(
        [
            _ticket(network.wutong, day, time(7, 40), "A001", item),  # before 08:00: first column
            _ticket(network.wutong, day, time(8, 10), "A002", item),
            _ticket(network.wutong, day, time(9, 31), "A003", item),
            _ticket(network.wutong, day, time(9, 59), "A004", item),
            _ticket(network.wutong, day, time(18, 45), "A005", item),  # after 18:00: last column
        ]
    )
    counts = arrival_history(network.wutong, day - timedelta(days=1), day)
    assert counts.shape == (2, PERIODS)
    assert counts[0].sum() == 0
    assert (counts[1, 0], counts[1, 3], counts[1, PERIODS - 1]) == (2, 2, 1)


def test_the_handling_time_is_the_standard_minutes_of_the_item_mix(network):
    from jiceng.hall.models import ServiceItem

    six, fifteen = ServiceItem.objects.get(code="YB12"), ServiceItem.objects.get(code="YB17")
    assert (six.standard_minutes, fifteen.standard_minutes) == (6, 15)
    day = date(2026, 3, 9)
    Ticket.objects.bulk_create(
        [_ticket(network.wutong, day, time(9, i), f"A{i + 1:03d}", six) for i in range(3)]
        + [_ticket(network.wutong, day, time(10, 0), "C001", fifteen)]
    )
    assert item_mix_minutes(network.wutong, day, day) == pytest.approx((3 * 6 + 15) / 4)


def test_the_plan_staffs_every_half_hour_to_the_erlang_requirement(planned):
    hall = planned.network.wutong
    plan = staffing_plan(hall, week=planned.week + timedelta(days=2), today=TODAY)
    assert plan.week == WEEK and plan.windows == 4 and plan.history_tickets > 1000
    # windows required: Erlang C on the forecast, capped at what the hall can open
    expected = erlang.required_servers(plan.mean, plan.aht, INTERVAL_MINUTES, 15.0, 0.8)
    assert np.array_equal(plan.required + plan.short, np.where(plan.uncovered > 0, 0, expected))
    assert (plan.required <= plan.windows).all()
    assert (plan.on_duty >= plan.required).all()
    assert (plan.on_duty <= plan.windows).all()
    # the weekend is closed: no arrivals, no shifts
    assert plan.mean[5:].sum() == 0 and not plan.days[5].shifts and not plan.days[6].shifts
    # the shifts open exactly the windows on duty
    for i, day in enumerate(plan.days):
        opened = sum(SHIFT_BY_NAME[n].row.astype(int) * c for n, c in day.shifts.items())
        assert np.array_equal(np.asarray(opened) + np.zeros(PERIODS), plan.on_duty[i])
    # the forecast's band contains its mean, and busy weekdays have a simulated wait
    assert (plan.lower <= plan.mean + 1e-9).all() and (plan.mean <= plan.upper + 1e-9).all()
    assert plan.days[0].mean_wait is not None and plan.days[0].mean_wait_low is not None
    assert plan.meets_target


def test_tidal_shifts_go_to_the_tidal_window_and_every_group_keeps_a_window(planned):
    hall = planned.network.wutong
    windows = planned.network.windows
    plan = staffing_plan(hall, week=WEEK, today=TODAY, with_simulation=False)
    assert plan.placement
    for placed in plan.placement.values():
        names = list(placed.values())
        if any(name != "regular" for name in names):
            assert placed.get(windows[4].pk, "regular") != "regular"
        if len(names) >= 3:  # windows 2 (A, B) and 3 (C) serve every group
            assert windows[2].pk in placed and windows[3].pk in placed


def test_the_roster_names_the_points_clerks_and_lists_vacancies(planned):
    plan = staffing_plan(planned.network.wutong, week=WEEK, today=TODAY)
    assert plan.roster is not None
    names = set(plan.roster)
    assert {"clerk", "clerk2"} <= names
    assert set(plan.vacancies) == names - {"clerk", "clerk2"}
    for i, day in enumerate(plan.days):
        for shift, count in day.shifts.items():
            assert sum(1 for person in plan.roster.values() if person[i] == shift) == count
    assert all(hours <= 40 for hours in plan.roster_hours.values())


def test_applying_writes_the_weekly_sessions_from_the_monday_and_again_changes_nothing(planned):
    network = planned.network
    hall = network.wutong
    plan = staffing_plan(hall, week=WEEK, today=TODAY, with_simulation=False, with_roster=False)
    applied = staffing_plan_apply(actor=network.users["wutong"], hall=hall, plan=plan)
    assert applied.changed
    new = SessionPlan.objects.filter(window__hall=hall, valid_from=WEEK)
    assert new.exists()
    # earlier weeks keep the regular plan
    assert (
        SessionPlan.objects.filter(window__hall=hall, valid_until=WEEK - timedelta(days=1)).count()
        == 4 * 10
    )
    written = {
        (p.window_id, p.weekday, p.kind, p.starts.strftime("%H:%M"), p.ends.strftime("%H:%M"))
        for p in new
    }
    wanted = {
        (w, s["weekday"], s["kind"], s["starts"], s["ends"])
        for w, sessions in plan.sessions.items()
        for s in sessions
    }
    assert written == wanted
    if any("early" in day.shifts for day in plan.days):
        assert new.filter(kind="early", starts=time(8, 0)).exists()
    again = staffing_plan_apply(actor=network.users["wutong"], hall=hall, plan=plan)
    assert not again.changed


def test_a_closed_weekday_keeps_its_sessions(planned):
    network = planned.network
    hall = network.wutong
    HallDay.objects.create(hall=hall, date=WEEK + timedelta(days=2), is_open=False)
    plan = staffing_plan(hall, week=WEEK, today=TODAY, with_simulation=False, with_roster=False)
    assert 2 in plan.kept_weekdays and plan.mean[2].sum() == 0
    staffing_plan_apply(actor=None, hall=hall, plan=plan)
    wednesday = [p for p in hall_plans(hall.pk) if p.weekday == 2 and p.in_force(WEEK)]
    assert len(wednesday) == 4 * 2  # every window's two regular sessions


def test_only_the_halls_managers_apply_a_plan_and_nothing_changes_otherwise(planned):
    network = planned.network
    hall = network.wutong
    plan = staffing_plan(hall, week=WEEK, today=TODAY, with_simulation=False, with_roster=False)
    before = list(SessionPlan.objects.order_by("pk").values_list("pk", "valid_until"))
    with pytest.raises(PermissionDenied):
        staffing_plan_apply(actor=network.users["clerk"], hall=hall, plan=plan)
    with pytest.raises(hall.DoesNotExist):
        staffing_plan_apply(actor=network.users["puyuan"], hall=hall, plan=plan)
    with pytest.raises(ValidationError):
        staffing_plan_apply(actor=None, hall=hall, plan=plan, fingerprint="stale")
    assert list(SessionPlan.objects.order_by("pk").values_list("pk", "valid_until")) == before


def test_a_hall_without_tickets_gets_an_empty_plan_that_cannot_be_applied(network):
    plan = staffing_plan(network.wutong, week=WEEK, today=TODAY)
    assert plan.history_tickets == 0 and plan.mean.sum() == 0
    with pytest.raises(ValidationError):
        staffing_plan_apply(actor=None, hall=network.wutong, plan=plan)


def test_a_hall_without_windows_has_no_plan(network):
    from jiceng.hall.services.network import hall_create

    empty = hall_create(actor=None, point=network.wutong_point, name="空大厅")
    with pytest.raises(StaffingUnavailable):
        staffing_plan(empty, week=WEEK, today=TODAY)


def test_sessions_set_is_what_the_plan_writes(planned):
    # The plan's sessions are valid input of the network service as they stand.
    plan = staffing_plan(planned.network.wutong, week=WEEK, today=TODAY, with_roster=False)
    window = planned.network.windows[1]
    sessions_set(actor=None, window=window, sessions=plan.sessions[window.pk], valid_from=WEEK)


# --- the service circle ------------------------------------------------------------------------


@pytest.fixture
def circle(network):
    """Walking at 6 km/h in straight lines: the ten-minute circle is one kilometre. 虎啸村 is
    about 1.5 km from 梧桐's centre (outside), 庆丰社区 0.7 km (inside)."""
    travel_model_set(
        actor=None,
        valid_from=date(2026, 1, 1),
        detour_factor=1.0,
        speed_kmh=6.0,
        threshold_minutes=10,
    )
    for i in range(2):
        make_person(f"庆丰居民{i}", QINGFENG, 100 + i)
    for i in range(3):
        make_person(f"虎啸村民{i}", HUXIAO, 200 + i)
    return network


def test_the_circle_plan_proposes_the_fewest_new_points_and_keeps_the_existing(circle):
    point_create(
        actor=None,
        code="BANK-HX",
        name="虎啸村农商银行",
        kind="bank_outlet",
        region_code=HUXIAO,
        lat=30.641,
        lon=120.571,
        items=["YB03"],  # not YB15 yet
    )
    plan = circle_plan(circle.users["admin"], item_code="YB15", as_of=TODAY)
    assert plan.method == "lscp" and plan.optimal
    uncovered = {v["code"] for v in plan.uncovered}
    assert HUXIAO in uncovered and QINGFENG not in uncovered
    # 新联村 (濮院) is out of the bank's reach: it gets a station at its village committee; 虎啸村
    # could too, but delegating the item to the bank there is the cheaper way to the same count
    assert plan.covered_after == plan.villages == 4
    kinds = sorted(p["site"].kind for p in plan.proposed)
    assert kinds == ["bank_outlet", COMMITTEE]
    committee = next(p for p in plan.proposed if p["site"].kind == COMMITTEE)
    assert committee["site"].region == "330483101201" and committee["population"] == 0
    bank = [p for p in plan.proposed if p["site"].kind == "bank_outlet"]
    assert bank and bank[0]["site"].name == "虎啸村农商银行" and bank[0]["delegable"]
    assert {v["code"] for v in bank[0]["villages"]} == {HUXIAO}
    assert bank[0]["population"] == 3
    assert {s.code for s in plan.existing} >= {"330483001-TC"}


def test_with_p_the_plan_brings_in_the_most_residents(circle):
    plan = circle_plan(circle.users["wutong"], item_code="YB15", as_of=TODAY, p=1)
    assert plan.method == "mclp" and len(plan.proposed) == 1
    assert plan.villages == 2  # 梧桐's villages only
    assert plan.proposed[0]["population"] == 3  # 虎啸村's committee
    assert plan.covered_population_after == plan.population == 5


def test_a_bad_item_or_circle_is_refused_by_name(circle):
    with pytest.raises(CircleUnavailable, match="item"):
        circle_plan(circle.users["admin"], item_code="NOPE", as_of=TODAY)
    with pytest.raises(CircleUnavailable, match="minutes"):
        circle_plan(circle.users["admin"], item_code="YB15", as_of=TODAY, minutes=0)
    with pytest.raises(CircleUnavailable, match="p"):
        circle_plan(circle.users["admin"], item_code="YB15", as_of=TODAY, p=0)
    assert not ServicePoint.objects.filter(kind="village_station").exists()
