"""The key-project API: create, milestones (bad input names the milestone and stores nothing),
schedule, problems as cases, the monthly ranking with its boards."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client

from jiceng.cases.models import Case
from jiceng.projects.models import Milestone, Problem, Project
from tests.table_counts import table_counts


@pytest.fixture
def api(project_setup, token_for):
    tokens: dict[str, str] = {}

    def call(method: str, path: str, user: str = "wutong", **kwargs):
        client = Client()
        if user not in tokens:
            tokens[user] = token_for(user)
        headers = {"Authorization": f"Bearer {tokens[user]}"}
        return getattr(client, method)(
            f"/api/v1{path}", content_type="application/json", headers=headers, **kwargs
        )

    return call


def test_a_town_officer_creates_a_project_with_the_default_chain(api):
    target = (date.today() + timedelta(days=900)).isoformat()
    response = api(
        "post",
        "/projects",
        data={"name": "生命科学产业园", "stage": "signed", "region": "330483001",
              "kind": "industrial", "production_target": target},
    )  # fmt: skip
    assert response.status_code == 201, response.content
    project = Project.objects.get(pk=response.json()["id"])
    assert project.milestones.count() == 12
    schedule = api("get", f"/projects/{project.pk}/schedule").json()
    assert schedule["feasible"] and schedule["deadline"] == target
    assert schedule["milestones"][-1]["late_finish"] == target
    assert {"code", "early_start", "late_start", "float_days", "critical", "status"} <= set(
        schedule["milestones"][0]
    )


def test_another_town_cannot_create_or_see_the_project(api, plant):
    assert api("post", "/projects", user="puyuan", data={
        "name": "x", "stage": "signed", "region": "330483001", "kind": "industrial"
    }).status_code == 403  # fmt: skip
    assert api("get", f"/projects/{plant.pk}/schedule", user="puyuan").status_code == 404
    assert api("get", f"/projects/{plant.pk}/schedule", user="clerk").status_code == 404


@pytest.mark.parametrize(
    ("milestones", "named"),
    [
        ([{"code": "a", "duration_days": 3, "after": ["b"]},
          {"code": "b", "duration_days": 2, "after": ["a"]}], "a"),
        ([{"code": "a", "duration_days": 3, "after": ["ghost"]}], "a"),
        ([{"code": "a", "duration_days": 3}, {"code": "b", "duration_days": -2}], "b"),
        ([{"code": "a", "duration_days": 3, "done_on": "2026-05-10"},
          {"code": "b", "duration_days": 2, "after": ["a"], "done_on": "2026-05-01"}], "b"),
    ],
)  # fmt: skip
def test_bad_milestones_are_a_400_naming_the_milestone_and_nothing_is_stored(
    api, plant, milestones, named
):
    assert api("get", f"/projects/{plant.pk}/schedule").status_code == 200  # the token made
    before = table_counts()
    codes = list(Milestone.objects.filter(project=plant).values_list("code", "duration_days"))
    response = api("put", f"/projects/{plant.pk}/milestones", data=milestones)
    assert response.status_code == 400, response.content
    assert named in response.json()["errors"]
    assert named in response.json()["detail"]
    assert table_counts() == before
    assert list(Milestone.objects.filter(project=plant).values_list("code", "duration_days")) == (
        codes
    )


def test_milestones_are_replaced_and_the_schedule_follows(api, plant):
    response = api(
        "put",
        f"/projects/{plant.pk}/milestones",
        data=[
            {"code": "filing", "name": "赋码", "duration_days": 2, "done_on": "2026-05-06"},
            {"code": "build", "name": "建设", "duration_days": 30, "after": ["filing"]},
        ],
    )
    assert response.status_code == 200, response.content
    rows = {m["code"]: m for m in response.json()["milestones"]}
    assert rows["filing"]["status"] == "done"
    assert rows["build"]["late_finish"] == "2026-10-30"
    assert list(plant.milestones.values_list("code", flat=True)) == ["filing", "build"]


def test_a_land_acquisition_problem_becomes_a_case(api, plant):
    response = api(
        "post",
        f"/projects/{plant.pk}/problems",
        user="member",
        data={"title": "3户农房征迁未签约", "category": "land_acquisition"},
    )
    assert response.status_code == 201, response.content
    case = Case.objects.get(number=response.json()["case"])
    assert case.category.code == "land_acquisition" and case.region_id == "330483001"
    problem = Problem.objects.get(case=case)
    assert problem.member.username == "member" and problem.project == plant


def test_the_ranking_needs_a_month_and_a_role(api, plant):
    assert api("get", "/projects/rankings?month=2026-13").status_code == 400
    assert api("get", "/projects/rankings?month=2026-10", user="grid").status_code == 403
    rows = api("get", f"/projects/rankings?month={date.today():%Y-%m}").json()
    assert rows[0]["project"] == plant.pk and rows[0]["board"] == "red"
