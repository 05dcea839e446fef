"""KPIs computed right on a small known history, the same from raw rows and from the daily
summaries, and a late change showing at once."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from jiceng.hall.kpis import hall_kpis, network_kpis, percentile_minutes
from jiceng.hall.models import SummaryDay, TicketDayStat
from jiceng.hall.services.network import (
    handling_record_create,
    point_create,
    point_staff_set,
    sessions_set,
)
from jiceng.hall.services.queue import (
    ticket_call_next,
    ticket_complete,
    ticket_no_show,
    ticket_rate,
    ticket_start,
    ticket_take,
    window_open,
)
from jiceng.hall.services.summaries import summaries_build, summaries_build_due
from tests.hall.conftest import REGULAR_WEEK, TZ

MONDAY, TUESDAY = date(2026, 3, 9), date(2026, 3, 10)


def at(day: date, hhmm: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(hhmm), TZ)


@pytest.fixture
def known(network):
    """Five tickets over two days in 梧桐 (waits of 4, 10, 1, 2 and 20 minutes; handling of 6,
    3, 8 and 10 minutes; one no-show), one of them in a noon (tidal) session; ratings 5, 2, 4;
    and one counter record of 10 minutes at a bank outlet."""
    hall, w, clerk, clerk2 = (
        network.wutong,
        network.windows,
        network.users["clerk"],
        network.users["clerk2"],
    )
    sessions_set(
        actor=None,
        window=w[3],
        sessions=[
            *REGULAR_WEEK,
            {"weekday": 0, "kind": "noon", "starts": "12:00", "ends": "13:30"},
        ],
    )

    def take(item: str, moment: datetime):
        return ticket_take(hall_id=hall.pk, item_code=item, at=moment).ticket

    window_open(actor=clerk, window_id=w[1].pk, at=at(MONDAY, "08:30"))  # A
    window_open(actor=clerk2, window_id=w[4].pk, at=at(MONDAY, "08:30"))  # B
    t1, t2, t3 = (
        take("YB15", at(MONDAY, "09:00")),
        take("YB12", at(MONDAY, "09:01")),
        take("YB03", at(MONDAY, "09:02")),
    )
    assert ticket_call_next(actor=clerk2, window_id=w[4].pk, at=at(MONDAY, "09:03")).pk == t3.pk
    ticket_no_show(actor=clerk2, ticket_id=t3.pk, at=at(MONDAY, "09:06"))
    assert ticket_call_next(actor=clerk, window_id=w[1].pk, at=at(MONDAY, "09:04")).pk == t1.pk
    ticket_start(actor=clerk, ticket_id=t1.pk, at=at(MONDAY, "09:05"))
    ticket_complete(actor=clerk, ticket_id=t1.pk, outcome="done", at=at(MONDAY, "09:11"))
    assert ticket_call_next(actor=clerk, window_id=w[1].pk, at=at(MONDAY, "09:11")).pk == t2.pk
    ticket_start(actor=clerk, ticket_id=t2.pk, at=at(MONDAY, "09:12"))
    ticket_complete(actor=clerk, ticket_id=t2.pk, outcome="more_materials", at=at(MONDAY, "09:15"))
    ticket_rate(ticket_id=t1.pk, score=5, ticket_key=t1.key, at=at(MONDAY, "09:20"))
    ticket_rate(ticket_id=t2.pk, score=2, ticket_key=t2.key, at=at(MONDAY, "09:20"))
    window_open(actor=clerk2, window_id=w[3].pk, at=at(MONDAY, "12:00"))  # C, with a noon session
    t4 = take("YB17", at(MONDAY, "12:10"))
    ticket_call_next(actor=clerk2, window_id=w[3].pk, at=at(MONDAY, "12:12"))
    ticket_complete(actor=clerk2, ticket_id=t4.pk, outcome="done", at=at(MONDAY, "12:20"))
    t5 = take("YB15", at(TUESDAY, "09:00"))
    ticket_call_next(actor=clerk, window_id=w[1].pk, at=at(TUESDAY, "09:20"))
    ticket_complete(actor=clerk, ticket_id=t5.pk, outcome="done", at=at(TUESDAY, "09:30"))
    ticket_rate(ticket_id=t5.pk, score=4, ticket_key=t5.key, at=at(TUESDAY, "09:31"))
    bank = point_create(
        actor=None,
        code="330483001-BANK1",
        name="中国银行桐乡梧桐支行",
        kind="bank_outlet",
        region_code="330483001001",
        lat=30.63,
        lon=120.57,
    )
    point_staff_set(actor=None, point=bank, users=[clerk])
    handling_record_create(
        actor=clerk,
        point_id=bank.pk,
        item_code="YB15",
        started_at=at(TUESDAY, "10:00"),
        ended_at=at(TUESDAY, "10:10"),
    )
    return {"network": network, "tickets": [t1, t2, t3, t4, t5], "bank": bank}


def test_hall_kpis_on_a_known_history(known):
    hall = known["network"].wutong
    kpis = hall_kpis(hall, date_from=MONDAY, date_to=TUESDAY)
    totals = kpis["totals"]
    assert (totals["tickets"], totals["called"], totals["served"], totals["no_shows"]) == (
        5,
        5,
        4,
        1,
    )
    assert totals["mean_wait_minutes"] == 7.4  # (4 + 10 + 1 + 2 + 20) / 5
    assert totals["p95_wait_minutes"] == 20
    assert totals["mean_handle_minutes"] == 6.75  # (6 + 3 + 8 + 10) / 4
    assert (totals["ratings"], totals["satisfaction_rate"]) == (3, 0.6667)  # 5 and 4 good, 2 not
    assert totals["tidal_served"] == 1  # the noon session
    by_item = {row["item"]: row for row in kpis["by_item"]}
    assert by_item["YB15"]["served"] == 2 and by_item["YB15"]["mean_handle_minutes"] == 8.0
    assert by_item["YB15"]["standard_minutes"] == 6
    assert {row["hour"]: row["tickets"] for row in kpis["by_hour"]} == {9: 4, 12: 1}
    windows = {w.pk: n for n, w in known["network"].windows.items()}
    assert {windows[row["window"]]: row["served"] for row in kpis["by_window"]} == {
        1: 3,
        3: 1,
        4: 0,
    }
    assert {row["group"]: row["tickets"] for row in kpis["by_group"]} == {"A": 3, "B": 1, "C": 1}
    assert [(row["period"], row["tickets"]) for row in kpis["series"]] == [
        (MONDAY, 4),
        (TUESDAY, 1),
    ]


def test_the_change_of_handling_time_against_the_previous_period(known):
    hall = known["network"].wutong
    kpis = hall_kpis(hall, date_from=TUESDAY, date_to=TUESDAY)
    assert kpis["previous"]["from"] == MONDAY and kpis["previous"]["mean_handle_minutes"] == 5.67
    assert kpis["totals"]["mean_handle_minutes"] == 10.0
    assert kpis["handle_time_change"] == round((600 - 340) / 340, 4)


def test_summaries_give_the_same_figures_and_a_late_rating_shows_at_once(known):
    hall = known["network"].wutong
    raw = hall_kpis(hall, date_from=MONDAY, date_to=TUESDAY, granularity="week")
    raw_network = [
        network_kpis(region_code=code, date_from=MONDAY, date_to=TUESDAY)
        for code in ("330483001", "330483")
    ]
    assert summaries_build(first=MONDAY, last=TUESDAY) == 2
    assert not SummaryDay.objects.filter(day__in=[MONDAY, TUESDAY], stale=True).exists()
    assert TicketDayStat.objects.filter(hall=hall, day=MONDAY, dimension="total").get().tickets == 4
    assert hall_kpis(hall, date_from=MONDAY, date_to=TUESDAY, granularity="week") == raw
    assert [
        network_kpis(region_code=code, date_from=MONDAY, date_to=TUESDAY)
        for code in ("330483001", "330483")
    ] == raw_network
    assert raw_network[1]["totals"]["handled"] == 5 and len(raw_network[1]["by_item"]) == 3
    # A rating given days later marks Monday stale: the KPIs read it raw until it is rebuilt.
    t4 = known["tickets"][3]
    ticket_rate(ticket_id=t4.pk, score=3, ticket_key=t4.key)
    assert SummaryDay.objects.get(day=MONDAY).stale
    assert hall_kpis(hall, date_from=MONDAY, date_to=TUESDAY)["totals"]["ratings"] == 4
    assert summaries_build_due() >= 1
    assert not SummaryDay.objects.get(day=MONDAY).stale
    assert hall_kpis(hall, date_from=MONDAY, date_to=TUESDAY)["totals"]["ratings"] == 4


def test_network_kpis_count_every_point_of_a_town(known):
    figures = network_kpis(region_code="330483001", date_from=MONDAY, date_to=TUESDAY)
    assert figures["totals"]["handled"] == 5  # four tickets served and one at the bank outlet
    assert {row["kind"]: row["handled"] for row in figures["by_point_kind"]} == {
        "bank_outlet": 1,
        "town_center": 4,
    }
    assert figures["totals"]["tidal"] == 1
    assert figures["queue"]["tickets"] == 5
    assert {row["town"]: row["handled"] for row in figures["by_town"]} == {"330483001": 5}
    bank = network_kpis(region_code="", point=known["bank"], date_from=MONDAY, date_to=TUESDAY)
    assert bank["totals"]["handled"] == 1 and bank["totals"]["mean_handle_minutes"] == 10.0
    assert (
        network_kpis(region_code="330483101", date_from=MONDAY, date_to=TUESDAY)["totals"][
            "handled"
        ]
        == 0
    )


def test_the_95th_percentile_is_the_nearest_rank_by_whole_minute():
    histogram = [0] * 121
    for minute in range(1, 21):  # twenty waits of 1..20 minutes
        histogram[minute] += 1
    assert percentile_minutes(histogram, 0.95) == 19
    assert percentile_minutes([0] * 121, 0.95) is None
    assert percentile_minutes([0] * 120 + [3], 0.95) == 120  # 120 means "two hours or more"


def test_days_never_summarised_are_read_raw(known):
    hall = known["network"].wutong
    SummaryDay.objects.all().delete()
    assert (
        hall_kpis(hall, date_from=MONDAY, date_to=MONDAY + timedelta(days=6))["totals"]["tickets"]
        == 5
    )
