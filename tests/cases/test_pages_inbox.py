"""The inbox page: default views by role, filters, colour badges, paging, bulk dispatch."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jiceng.cases.models import Case, CaseEvent, Department, Status
from jiceng.cases.services import case_act
from tests.cases.page_helpers import HTMX, WUTONG_GRID, html, report_now


@pytest.fixture(autouse=True)
def _english(client, settings):
    """The pages in English, so that the messages the tests look for do not depend on catalogues."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


INBOX = "/cases/"


def _listed(response) -> list[str]:
    """The case numbers the page lists, in order."""
    return re.findall(
        r'<th scope="row" class="col-number"><a href="/cases/\d+/">([^<]+)</a>', html(response)
    )


def _fire(region: str) -> Department:
    return Department.objects.get(region_id=region, kind="fire_station")


def test_a_town_officer_sees_the_cases_their_town_owns_most_urgent_first(client, case_setup):
    users = case_setup
    overdue = report_now(users["grid"], at=timezone.now() - timedelta(days=10))
    fresh = report_now(users["grid"])
    client.force_login(users["wutong"])
    response = client.get(INBOX)
    assert response.status_code == 200
    assert _listed(response) == [overdue.number, fresh.number]
    text = html(response)
    assert "case-row-red" in text and "case-row-green" in text
    # The badges count the open cases per colour.
    assert re.search(r'colour-red[^"]*"[^>]*>.*?colour-badge-count">1<', text, re.S)
    assert re.search(r'colour-green[^"]*"[^>]*>.*?colour-badge-count">1<', text, re.S)


def test_the_colour_filter_and_the_search(client, case_setup):
    users = case_setup
    overdue = report_now(users["grid"], at=timezone.now() - timedelta(days=10))
    fresh = report_now(users["grid"], description="路灯不亮了")
    client.force_login(users["wutong"])
    assert _listed(client.get(INBOX + "?colour=red")) == [overdue.number]
    assert _listed(client.get(INBOX + "?colour=green")) == [fresh.number]
    assert _listed(client.get(INBOX + "?q=路灯")) == [fresh.number]
    assert _listed(client.get(INBOX + f"?q={fresh.sequence}")) == [fresh.number]
    assert _listed(client.get(INBOX + f"?q={fresh.number}")) == [fresh.number]
    # A bad value is ignored, not an error.
    assert _listed(client.get(INBOX + "?colour=purple&page=x&date_from=yesterday")) == [
        overdue.number,
        fresh.number,
    ]


def test_a_department_handler_sees_their_departments_cases_by_default(client, case_setup):
    users = case_setup
    mine = report_now(users["grid"])
    report_now(users["grid"])  # not dispatched: not the handler's
    case_act(case_id=mine.pk, actor=users["wutong"], action="dispatch")
    client.force_login(users["handler"])
    assert _listed(client.get(INBOX)) == [mine.number]
    # ?department=ID: that department's inbox.
    department = _fire("330483001")
    assert _listed(client.get(INBOX + f"?department={department.pk}")) == [mine.number]
    assert len(_listed(client.get(INBOX + "?view=all"))) == 2


def test_filters_by_status_category_date_and_department(client, case_setup):
    users = case_setup
    a = report_now(users["grid"])
    b = report_now(users["grid"], category="sanitation", attributes={}, description="垃圾堆放")
    case_act(case_id=a.pk, actor=users["wutong"], action="dispatch")
    client.force_login(users["admin"])
    assert _listed(client.get(INBOX + "?category=sanitation")) == [b.number]
    assert _listed(client.get(INBOX + "?status=dispatched")) == [a.number]
    assert _listed(client.get(INBOX + f"?department={_fire('330483001').pk}")) == [a.number]
    today = timezone.localdate()
    assert len(_listed(client.get(INBOX + f"?date_from={today}&date_to={today}"))) == 2
    yesterday = today - timedelta(days=1)
    assert _listed(client.get(INBOX + f"?date_to={yesterday}")) == []


def test_htmx_gets_the_results_alone(client, case_setup):
    report_now(case_setup["grid"])
    client.force_login(case_setup["wutong"])
    response = client.get(INBOX + "?status=open", **HTMX)
    text = html(response)
    assert text.lstrip().startswith('<div id="inbox-results"')
    assert "<html" not in text
    assert "HX-Request" in response["Vary"]


def test_pages_of_fifty_without_counting_everything(client, case_setup):
    users = case_setup
    for _ in range(51):
        report_now(users["grid"])
    client.force_login(users["wutong"])
    first = client.get(INBOX)
    assert len(_listed(first)) == 50
    assert "page=2" in html(first)
    second = client.get(INBOX + "?page=2")
    assert len(_listed(second)) == 1
    assert "page=3" not in html(second)


@pytest.mark.parametrize("count", [3, 12])
def test_the_inbox_costs_the_same_queries_whatever_it_lists(client, case_setup, count):
    users = case_setup
    for i in range(count):
        case = report_now(users["grid"])
        if i % 2:
            case_act(case_id=case.pk, actor=users["wutong"], action="dispatch")
    client.force_login(users["wutong"])
    client.get(INBOX)  # warm the per-process caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(INBOX + "?view=all")
    assert len(_listed(response)) == count
    sql = [q["sql"] for q in queries.captured_queries]
    assert not any(
        "COUNT(*)" in s.upper() and "LIMIT" not in s.upper() and "CASE" not in s.upper()
        for s in sql
    )
    # session, user, roles, region, filters (categories, towns, departments), the page, the
    # badges, the unread count: no query per row.
    assert len(sql) <= 12, "\n".join(sql)


def test_bulk_dispatch_reports_each_case_and_lets_the_others_through(client, case_setup):
    users = case_setup
    fine = report_now(users["grid"])
    accepted = report_now(users["grid"])
    case_act(case_id=accepted.pk, actor=users["wutong"], action="accept")
    stale = report_now(users["grid"])
    case_act(case_id=stale.pk, actor=users["admin"], action="comment", note="先看看")  # version 2
    already = report_now(users["grid"])
    case_act(case_id=already.pk, actor=users["admin"], action="dispatch")
    no_route = report_now(users["grid"], category="insurance_service", attributes={})
    client.force_login(users["wutong"])
    response = client.post(
        INBOX.rstrip("/") + "/bulk-dispatch/?status=all",
        {
            "cases": [
                f"{fine.pk}.1",
                f"{accepted.pk}.2",
                f"{stale.pk}.1",
                f"{already.pk}.2",
                f"{no_route.pk}.1",
            ]
        },
        **HTMX,
    )
    assert response.status_code == 200
    text = html(response)
    assert "2 dispatched, 3 not dispatched." in text
    assert "changed by someone else" in text
    assert "Cannot dispatch" in text  # the one dispatched already
    for case in (fine, accepted):
        case.refresh_from_db()
        assert case.status == Status.DISPATCHED
        assert case.department == _fire("330483001")
    for case in (stale, no_route):
        case.refresh_from_db()
        assert case.status == Status.REPORTED
    assert CaseEvent.objects.filter(case=already, kind="dispatched").count() == 1


def test_bulk_dispatch_to_a_chosen_department_and_refusals(client, case_setup):
    users = case_setup
    case = report_now(users["grid"])
    puyuan_case = report_now(users["puyuan"], region_code="330483101001001")
    county_fire = Department.objects.get(region_id="330483", kind="fire")
    client.force_login(users["wutong"])
    response = client.post(
        "/cases/bulk-dispatch/",
        {"cases": [f"{case.pk}.1", f"{puyuan_case.pk}.1"], "department": county_fire.pk},
    )
    text = html(response)
    assert "1 dispatched, 1 not dispatched." in text
    assert "not found in your region" in text
    case.refresh_from_db()
    puyuan_case.refresh_from_db()
    assert case.department == county_fire
    assert puyuan_case.status == Status.REPORTED
    # Nothing ticked, or nonsense: told, nothing happens.
    assert "Tick the cases" in html(client.post("/cases/bulk-dispatch/", {}))
    assert "Unknown case" in html(client.post("/cases/bulk-dispatch/", {"cases": ["x.1"]}))
    # A department handler may not dispatch: each case says so.
    other = report_now(users["grid"])
    client.force_login(users["handler"])
    text = html(client.post("/cases/bulk-dispatch/", {"cases": [f"{other.pk}.1"]}))
    assert "0 dispatched, 1 not dispatched." in text
    assert Case.objects.get(pk=other.pk).status == Status.REPORTED


def test_only_dispatchable_cases_have_a_tick_and_only_for_dispatchers(client, case_setup):
    users = case_setup
    open_one = report_now(users["grid"])
    dispatched = report_now(users["grid"])
    case_act(case_id=dispatched.pk, actor=users["wutong"], action="dispatch")
    client.force_login(users["wutong"])
    text = html(client.get(INBOX))
    assert f'value="{open_one.pk}.1"' in text
    assert f'value="{dispatched.pk}.' not in text
    client.force_login(users["grid"])
    text = html(client.get(INBOX))
    assert 'name="cases"' not in text and "bulk-bar" not in text
    assert WUTONG_GRID  # the grid worker's own region holds both cases
    assert len(_listed(client.get(INBOX))) == 2
