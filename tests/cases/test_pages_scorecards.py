"""Scorecards (月晾晒) with their Excel file and wall screen; notifications; the navigation."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from jiceng.cases.models import Notification
from jiceng.cases.services import case_act
from tests.cases.page_helpers import HTMX, html, report_now

TZ = ZoneInfo("Asia/Shanghai")
MARCH = datetime(2026, 3, 9, 9, 0, tzinfo=TZ)


@pytest.fixture(autouse=True)
def _english(client, settings):
    """The pages in English, so that the messages the tests look for do not depend on catalogues."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture(autouse=True)
def _no_cached_trends():
    """The trend is cached per scope and month: no test may see another test's database."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def march(case_setup):
    """梧桐: two cases closed in March (one late), one open; 濮院: one received."""
    users = case_setup
    closed = []
    for handling in (timedelta(hours=3), timedelta(days=10)):
        case = report_now(users["grid"], at=MARCH)
        case_act(case_id=case.pk, actor=users["wutong"], action="dispatch", at=MARCH)
        case_act(
            case_id=case.pk,
            actor=users["handler"],
            action="resolve",
            note="ok",
            at=MARCH + handling,
        )
        case_act(
            case_id=case.pk,
            actor=users["wutong"],
            action="verify",
            at=MARCH + handling + timedelta(hours=1),
        )
        closed.append(case)
    case_act(
        case_id=closed[0].pk,
        actor=users["grid"],
        action="rate",
        score=5,
        at=MARCH + timedelta(hours=5),
    )
    report_now(users["grid"], at=MARCH)
    report_now(users["puyuan"], region_code="330483101001001", at=MARCH)
    return closed


def _rows(text: str) -> list[list[str]]:
    body = text.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def test_the_town_ranking_of_a_month(client, case_setup, march):
    client.force_login(case_setup["admin"])
    response = client.get(reverse("cases-scorecards") + "?month=2026-03&by=town")
    assert response.status_code == 200
    rows = _rows(html(response))
    assert [r[1] for r in rows] == ["梧桐街道", "濮院镇"]
    # rank, name, received, closed, on time, on-time rate, hours, reopened, satisfaction, score
    assert rows[0][:6] == ["1", "梧桐街道", "3", "2", "1", "50.0%"]
    assert rows[0][8] == "100.0%"
    assert rows[1][:4] == ["2", "濮院镇", "1", "0"]
    assert "data-trend-url" in html(response)


def test_the_department_ranking(client, case_setup, march):
    client.force_login(case_setup["admin"])
    rows = _rows(html(client.get(reverse("cases-scorecards") + "?month=2026-03&by=department")))
    assert [r[1] for r in rows] == ["梧桐街道消防工作站"]


def test_the_excel_file_opens_and_holds_the_ranking(client, case_setup, march):
    client.force_login(case_setup["admin"])
    response = client.get(reverse("cases-scorecards") + "?month=2026-03&by=town&format=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "scorecard-town-2026-03.xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Rank", "Name", "Received")
    assert rows[1][:6] == (1, "梧桐街道", 3, 2, 1, 0.5)
    assert rows[2][1] == "濮院镇"
    assert len(rows) == 3


def test_the_trend_covers_twelve_months(client, case_setup, march):
    client.force_login(case_setup["wutong"])
    trend = client.get(reverse("cases-scorecards-trend") + "?month=2026-04").json()
    assert trend["months"][0] == "2025-05" and trend["months"][-1] == "2026-04"
    march_index = trend["months"].index("2026-03")
    assert trend["received"][march_index] == 3  # 梧桐's only
    assert trend["closed"][march_index] == 2
    assert trend["onTimeRate"][march_index] == 0.5


def test_the_wall_screen_refreshes_itself_every_five_minutes(client, case_setup, march):
    client.force_login(case_setup["admin"])
    url = reverse("cases-scorecards") + "?month=2026-03&by=town&screen=1"
    text = html(client.get(url))
    assert 'class="wall-screen"' in text
    assert 'hx-trigger="every 300s"' in text
    assert 'class="topbar"' not in text
    fragment = html(client.get(url, **HTMX))
    assert fragment.lstrip().startswith('<div id="screen-board"')
    assert "梧桐街道" in fragment


def test_the_scorecard_page_does_not_compute_the_trend(client, case_setup, march):
    """The twelve months' trend comes from its own endpoint, so the ranking stays fast."""
    client.force_login(case_setup["admin"])
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("cases-scorecards") + "?month=2026-03&by=town")
    assert len(queries) <= 8, [q["sql"][:200] for q in queries.captured_queries]


# --- notifications -----------------------------------------------------------------------------


def test_the_bell_counts_unread_notifications_and_mark_all_read_clears_it(client, case_setup):
    users = case_setup
    report_now(users["grid"])
    report_now(users["grid"])
    client.force_login(users["wutong"])
    text = html(client.get(reverse("cases-inbox")))
    assert re.search(r'class="notification-count">2<', text)
    page = html(client.get(reverse("notifications")))
    assert page.count('class="notification is-unread"') == 2
    assert "New case 330483-" in page or "新问题 330483-" in page
    response = client.post(reverse("notifications-read"))
    assert response.status_code == 302
    assert not Notification.objects.filter(user=users["wutong"], read_at__isnull=True).exists()
    text = html(client.get(reverse("notifications")))
    assert "notification-count" not in text and "is-unread" not in text
    assert 'data-unread="0"' in text


def test_the_bell_costs_one_query(client, case_setup):
    client.force_login(case_setup["clerk"])
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("notifications"))
    counts = [q["sql"] for q in queries.captured_queries if "cases_notification" in q["sql"]]
    assert len(counts) == 2  # the list and the bell's COUNT
    assert any("COUNT" in sql for sql in counts)


def test_the_navigation_marks_the_page_the_user_is_on(client, case_setup):
    client.force_login(case_setup["wutong"])
    for url, label in (
        (reverse("cases-inbox"), "Cases"),
        (reverse("cases-map"), "Case map"),
        (reverse("case-report"), "Report a case"),
        (reverse("cases-scorecards"), "Scorecards"),
        (reverse("notifications"), "Cases"),  # under /cases/, it has no entry of its own
    ):
        current = re.findall(
            r'<a href="[^"]+" aria-current="page">([^<]+)</a>', html(client.get(url))
        )
        assert current == [label], url
