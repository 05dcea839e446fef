"""The demo street office's key projects: about forty across all stages, problems closed and
open through the case loop, meetings and contest scores; the same rows for the same seed."""

from __future__ import annotations

from datetime import date

from jiceng.cases.reference_data import categories_load, departments_create
from jiceng.demo.projects import seed_projects
from jiceng.projects.models import STAGE_ORDER, ContestScore, Decision, Problem, Project
from jiceng.projects.selectors import monthly_ranking


def test_the_demo_has_forty_projects_in_every_stage_with_problems_closed_and_open(users):
    categories_load()
    departments_create(county_code="330483")
    summary = seed_projects(county="330483", seed=3, today=date(2026, 11, 20))
    assert summary["projects"] == 40 and summary["meetings"] == 12
    projects = Project.objects.filter(region_id="330483001")
    assert set(projects.values_list("stage", flat=True)) == set(STAGE_ORDER)
    assert projects.filter(name="150亩稻虾轮作基地", kind="village_collective").exists()
    closed = Problem.objects.filter(closed_at__isnull=False).count()
    assert closed >= 5 and Problem.objects.filter(closed_at__isnull=True).count() >= 5
    assert ContestScore.objects.exists() and Decision.objects.count() == 24
    rows = monthly_ranking(users["admin"], date(2026, 10, 1))
    assert {r["board"] for r in rows} == {"red", "blue", ""}
