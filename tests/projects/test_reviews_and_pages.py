"""A land-acquisition problem closes through the case loop and counts for its member; the
month's ranking has red and blue boards; the contest drops the highest and lowest; the pages."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.test import Client

from jiceng.cases.services import case_act
from jiceng.projects.models import Decision, MonthlyInvestment, Problem
from jiceng.projects.selectors import (
    annual_evaluation,
    contest_results,
    monthly_ranking,
    trimmed_mean,
)
from jiceng.projects.services import contest_score, problem_report, project_create

TZ = ZoneInfo("Asia/Shanghai")
MONDAY_9 = datetime(2026, 3, 9, 9, 0, tzinfo=TZ)


def test_a_land_acquisition_problem_becomes_a_case_closes_and_counts_for_its_member(
    project_setup, plant
):
    users = project_setup
    problem = problem_report(
        actor=users["member"],
        project_id=plant.pk,
        title="红线内3户农房征迁未签约",
        category="land_acquisition",
        at=MONDAY_9,
    )
    case = problem.case
    assert case.category.code == "land_acquisition" and problem.member == users["member"]
    case_act(case_id=case.pk, actor=users["wutong"], action="accept", at=MONDAY_9)
    case = case_act(case_id=case.pk, actor=users["wutong"], action="dispatch", at=MONDAY_9)
    assert case.department.kind == "construction" and case.department.region_id == "330483001"
    case_act(case_id=case.pk, actor=users["builder"], action="start", at=MONDAY_9)
    case_act(case_id=case.pk, actor=users["builder"], action="resolve", note="已签约", at=MONDAY_9)
    case_act(case_id=case.pk, actor=users["wutong"], action="verify", at=MONDAY_9)
    problem.refresh_from_db()
    assert problem.closed_at is not None
    members = annual_evaluation(users["wutong"], 2026)["members"]
    assert [(m["username"], m["closed"]) for m in members] == [("member", 1)]
    case_act(case_id=case.pk, actor=users["wutong"], action="reopen", note="反复")
    assert Problem.objects.get(pk=problem.pk).closed_at is None


def test_the_month_has_a_red_and_a_blue_board_and_flags_two_months_blue(project_setup):
    office = project_setup["wutong"]
    projects = [
        project_create(
            actor=office,
            name=f"项目{i:02d}",
            stage="building",
            region_code="330483001",
            kind="industrial",
            production_target=date(2027, 6, 30),
            today=date(2026, 6, 1),
        )
        for i in range(20)
    ]
    for i, p in enumerate(projects):
        for month in (date(2026, 9, 1), date(2026, 10, 1)):
            MonthlyInvestment.objects.create(
                project=p, month=month, planned=Decimal(100), completed=Decimal(5 * i)
            )
    rows = monthly_ranking(office, date(2026, 10, 1))
    red = [r["project"].name for r in rows if r["board"] == "red"]
    blue = [r["project"].name for r in rows if r["board"] == "blue"]
    assert red == ["项目19", "项目18"] and blue == ["项目01", "项目00"]
    assert [r["rank"] for r in rows] == list(range(1, 21))
    assert all(r["blue_again"] for r in rows if r["board"] == "blue")
    assert not any(r["blue_again"] for r in rows if r["board"] != "blue")


def test_the_contest_drops_the_highest_and_lowest_judge(project_setup, plant):
    users = project_setup
    assert trimmed_mean([90, 80, 70, 10]) == 75
    for judge, points in zip(
        ["admin", "wutong", "puyuan", "regulator"], [90, 80, 70, 10], strict=True
    ):
        contest_score(
            actor=users["wutong"],
            project=plant,
            year=2026,
            quarter=3,
            scores={
                code: Decimal(points * weight // 100)
                for code, weight in (
                    ("progress", 40), ("investment", 30), ("problems", 20), ("roadshow", 10)
                )
            },
            judge=users[judge],
        )  # fmt: skip
    [row] = contest_results(users["wutong"], 2026, 3)
    assert row["judges"] == [90.0, 80.0, 70.0, 10.0] and row["score"] == 75.0


def test_the_gantt_page_shows_red_milestones_and_the_critical_path(project_setup, plant):
    client = Client()
    client.force_login(project_setup["wutong"])
    page = client.get(f"/projects/{plant.pk}/").content.decode()
    assert 'id="gantt"' in page and 'id="gantt-today"' in page
    assert 'data-code="construction_permit"' in page
    # planned on 1 June for production on 30 October: by today the late starts have passed.
    if date.today() > date(2026, 10, 30) - timedelta(days=1):
        assert 'data-status="late"' in page and 'id="infeasible"' in page
    assert client.get("/projects/").status_code == 200
    assert client.get("/projects/agenda/").status_code == 200
    assert client.get("/projects/ranking/?month=2026-10").status_code == 200
    assert client.get("/projects/contest/").status_code == 200
    assert client.get("/projects/annual/").status_code == 200
    other = Client()
    other.force_login(project_setup["puyuan"])
    assert other.get(f"/projects/{plant.pk}/").status_code == 404
    grid = Client()
    grid.force_login(project_setup["grid"])
    assert grid.get("/projects/").status_code == 403


def test_the_weekly_agenda_lists_slipped_milestones_and_last_weeks_decisions_as_a_pdf(
    project_setup, plant
):
    from jiceng.projects.selectors import meeting_agenda
    from jiceng.projects.services import meeting_record

    users = project_setup
    meeting_record(
        actor=users["wutong"],
        region_code="330483001",
        held_on=date(2026, 6, 29),
        minutes="调度会",
        decisions=[{"text": "协调征迁", "due_on": date(2026, 7, 6), "project": plant}],
    )
    agenda = meeting_agenda(users["wutong"], date(2026, 7, 6))
    assert "code_filing" in [m["code"] for _p, m in agenda["slipped"]]
    assert [d.text for d in agenda["last_decisions"]] == ["协调征迁"]
    client = Client()
    client.force_login(users["wutong"])
    response = client.get("/projects/agenda.pdf?date=2026-07-06")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    form = {"held_on": "2026-07-06", "minutes": "周例会", "text_0": "加快审批", "due_0": ""}
    before = Decision.objects.count()
    page = client.post("/projects/agenda/", form)
    assert page.status_code == 200 and Decision.objects.count() == before  # needs a due date


def test_the_office_records_investment_and_adds_a_member_but_another_town_cannot(
    project_setup, plant
):
    client = Client()
    client.force_login(project_setup["wutong"])
    client.post(
        f"/projects/{plant.pk}/investment/",
        {"month": "2026-09-15", "planned": "100", "completed": "80"},
    )
    row = MonthlyInvestment.objects.get(project=plant)
    assert (row.month, row.planned, row.completed) == (date(2026, 9, 1), 100, 80)
    client.post(f"/projects/{plant.pk}/task-force/", {"username": "builder"})
    assert plant.task_force.filter(username="builder").exists()
    client.post(f"/projects/{plant.pk}/task-force/", {"username": "puyuan"})
    assert not plant.task_force.filter(username="puyuan").exists()
    other = Client()
    other.force_login(project_setup["puyuan"])
    answer = other.post(
        f"/projects/{plant.pk}/investment/",
        {"month": "2026-10-01", "planned": "1", "completed": "1"},
    )
    assert answer.status_code == 404 and MonthlyInvestment.objects.count() == 1


def test_a_member_reports_a_problem_from_the_project_page_and_it_becomes_a_case(
    project_setup, plant
):
    from jiceng.cases.models import Case

    client = Client()
    client.force_login(project_setup["member"])
    assert 'id="problem-form"' in client.get(f"/projects/{plant.pk}/").content.decode()
    before = Case.objects.count()
    client.post(f"/projects/{plant.pk}/problems/", {"title": "施工用电未接入", "category": "power"})
    problem = Problem.objects.get(project=plant)
    assert problem.case.category.code == "power" and problem.member == project_setup["member"]
    client.post(f"/projects/{plant.pk}/problems/", {"title": "x", "category": "ebike_charging"})
    assert Case.objects.count() == before + 1
