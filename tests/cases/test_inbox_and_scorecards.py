from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from jiceng.cases.selectors import InboxFilter, inbox, open_cases_geojson, scorecard
from jiceng.cases.services import case_act
from tests.cases.test_case_loop import report

TZ = ZoneInfo("Asia/Shanghai")


def _close(case, users, at, *, score, handling=timedelta(hours=3)):
    case_act(case_id=case.pk, actor=users["wutong"], action="dispatch", at=at)
    resolved = at + handling
    case_act(case_id=case.pk, actor=users["handler"], action="resolve", note="ok", at=resolved)
    case_act(
        case_id=case.pk, actor=users["wutong"], action="verify", at=resolved + timedelta(hours=1)
    )
    case_act(
        case_id=case.pk,
        actor=users["grid"],
        action="rate",
        score=score,
        at=resolved + timedelta(hours=2),
    )


def test_inbox_filters_by_colour_and_hides_other_towns(case_setup):
    users = case_setup
    monday = datetime(2026, 3, 9, 9, 0, tzinfo=TZ)
    early = report(users["grid"], at=monday)
    late = report(users["grid"], at=monday + timedelta(minutes=100))
    now = monday + timedelta(minutes=110)  # early is at 110/120 min: yellow; late is green
    assert list(inbox(users["wutong"], InboxFilter(colour="yellow"), now=now)) == [early]
    assert list(inbox(users["wutong"], InboxFilter(colour="green"), now=now)) == [late]
    assert list(inbox(users["wutong"], InboxFilter(), now=now)) == [early, late]
    assert list(inbox(users["puyuan"], InboxFilter(), now=now)) == []
    assert [
        f["properties"]["colour"] for f in open_cases_geojson(users["wutong"], now=now)["features"]
    ] == []
    assert list(inbox(users["wutong"], InboxFilter(query="1"), now=now)) == [early]


def test_the_town_scorecard_counts_closes_on_time_and_satisfaction(case_setup):
    users = case_setup
    march = datetime(2026, 3, 9, 9, 0, tzinfo=TZ)
    a = report(users["grid"], at=march)
    b = report(users["grid"], at=march)
    report(users["grid"], at=march)  # still open
    _close(a, users, march, score=5)
    _close(b, users, march, score=2, handling=timedelta(days=10))  # after its deadline
    rows = scorecard(users["admin"], month=date(2026, 3, 1), by="town")
    wutong = next(r for r in rows if r.key == "330483001")
    assert (wutong.received, wutong.closed, wutong.closed_on_time) == (3, 2, 1)
    assert wutong.on_time_rate == 0.5 and wutong.satisfaction_rate == 0.5
    assert wutong.hours_to_close == round((4 + 10 * 24 + 1) / 2, 1)
    assert wutong.rank == 1
    # A town officer sees only their own town in the ranking.
    assert [r.key for r in scorecard(users["puyuan"], month=date(2026, 3, 1), by="town")] == []
    departments = scorecard(users["admin"], month=date(2026, 3, 1), by="department")
    assert [r.name for r in departments] == ["梧桐街道消防工作站"]
