"""The pages a street-office clerk does the module's work on: creating and editing a project,
editing its milestones (through the service of `PUT .../milestones`), entering contest scores,
and marking a meeting's decision done. Bad input shows the error and stores nothing; another
town's user gets 404 (a record) or 403 (the module's forms)."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from jiceng.core.identifiers import make_credit_code
from jiceng.core.models import Organisation
from jiceng.projects.models import ContestScore, Decision, Milestone, Project, StageChange
from jiceng.projects.services import meeting_record

WUTONG = "330483001"
PUYUAN = "330483101"


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def milestone_rows(project) -> list[tuple]:
    return list(
        Milestone.objects.filter(project=project).values_list(
            "code", "name", "duration_days", "after", "done_on"
        )
    )


def milestone_post(project, change=None, extra: list[dict] | None = None) -> dict[str, str]:
    """The milestones form as the project page fills it, with `change(row)` applied to rows."""
    rows = [
        {
            "code": m.code,
            "name": m.name,
            "duration_days": str(m.duration_days),
            "after": ", ".join(m.after),
            "done_on": m.done_on.isoformat() if m.done_on else "",
        }
        for m in project.milestones.all()
    ]
    initial = len(rows)
    if change:
        for row in rows:
            change(row)
    rows += extra or []
    data = {
        "m-TOTAL_FORMS": str(len(rows)),
        "m-INITIAL_FORMS": str(initial),
        "m-MIN_NUM_FORMS": "0",
        "m-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"m-{i}-{key}"] = value
    return data


# --- creating and editing a project ------------------------------------------------------------


@pytest.fixture
def enterprise(project_setup):
    return Organisation.objects.create(
        name="浙江某家具有限公司",
        kind="enterprise",
        credit_code=make_credit_code("9", "1", "330483", 77),
        region_id=WUTONG,
    )


def new_project(**changes) -> dict[str, str]:
    data = {
        "name": "生命科学产业园",
        "stage": "negotiating",
        "region": WUTONG,
        "kind": "industrial",
        "owner_credit_code": "",
        "owner_enterprise": "",
        "lead": "",
        "start_target": "2027-03-01",
        "production_target": "2027-12-31",
    }
    data.update(changes)
    return data


def test_the_board_names_every_stage_in_chinese_even_an_empty_one(project_setup):
    board = client_of(project_setup["wutong"]).get("/projects/").content.decode()
    for name in ("谋划", "洽谈", "签约", "开工", "建设", "投产", "达产"):
        assert name in board
    assert "<h2>planning " not in board and "<h2>full_production " not in board


def test_the_office_creates_a_project_from_the_board_with_its_owner_found_by_credit_code(
    project_setup, enterprise
):
    client = client_of(project_setup["wutong"])
    board = client.get("/projects/").content.decode()
    assert 'id="project-new"' in board
    assert client.get("/projects/new/").status_code == 200
    answer = client.post(
        "/projects/new/",
        new_project(owner_credit_code=enterprise.credit_code, lead="member"),
    )
    project = Project.objects.get(name="生命科学产业园")
    assert answer.status_code == 302 and answer["Location"] == f"/projects/{project.pk}/"
    assert project.owner_enterprise == "浙江某家具有限公司"
    assert project.lead == project_setup["member"] and project.stage == "negotiating"
    assert project.production_target == date(2027, 12, 31)
    assert project.milestones.count() == 12  # the default approval chain
    assert StageChange.objects.filter(project=project, to_stage="negotiating").exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"name": ""},
        {"start_target": "2028-01-01"},  # after production
        {"owner_credit_code": "913304830000000000"},  # no registered organisation
        {"lead": "puyuan"},  # not of the project's region
        {"region": PUYUAN},  # outside the clerk's scope
        {"stage": "finished"},
    ],
)
def test_a_project_with_bad_input_is_not_created_and_the_error_is_shown(project_setup, changes):
    client = client_of(project_setup["wutong"])
    before = (Project.objects.count(), Milestone.objects.count(), StageChange.objects.count())
    answer = client.post("/projects/new/", new_project(**changes))
    assert answer.status_code == 400
    assert 'class="errorlist' in answer.content.decode()
    after = (Project.objects.count(), Milestone.objects.count(), StageChange.objects.count())
    assert after == before


def test_only_an_office_may_create_a_project(project_setup):
    before = Project.objects.count()
    assert client_of(project_setup["grid"]).post("/projects/new/", new_project()).status_code == 403
    # another town's office: 梧桐 is not among its regions
    other = client_of(project_setup["puyuan"])
    assert other.post("/projects/new/", new_project()).status_code == 400
    assert Project.objects.count() == before


def test_the_office_edits_a_projects_fields_on_its_page(project_setup, plant):
    client = client_of(project_setup["wutong"])
    page = client.get(f"/projects/{plant.pk}/").content.decode()
    assert 'id="project-form"' in page and 'id="milestones-form"' in page
    answer = client.post(
        f"/projects/{plant.pk}/edit/",
        {
            "version": plant.version,
            "name": "家具智造工厂（二期）",
            "region": WUTONG,
            "kind": "industrial",
            "owner_enterprise": "某家具公司",
            "lead": "member",
            "start_target": "2026-05-01",
            "production_target": "2027-06-30",
        },
    )
    assert answer.status_code == 302
    plant.refresh_from_db()
    assert plant.name == "家具智造工厂（二期）" and plant.lead == project_setup["member"]
    assert plant.production_target == date(2027, 6, 30) and plant.stage == "signed"


def test_an_edit_of_a_stale_page_or_with_bad_dates_changes_nothing(project_setup, plant):
    client = client_of(project_setup["wutong"])
    fields = {
        "version": plant.version,
        "name": "改名",
        "region": WUTONG,
        "kind": "industrial",
        "production_target": "2027-06-30",
        "start_target": "2027-07-01",
    }
    answer = client.post(f"/projects/{plant.pk}/edit/", fields)
    assert answer.status_code == 400 and 'id="project-form"' in answer.content.decode()
    stale = client.post(
        f"/projects/{plant.pk}/edit/", {**fields, "start_target": "", "version": plant.version + 5}
    )
    assert stale.status_code == 409
    fresh = Project.objects.get(pk=plant.pk)
    assert (fresh.name, fresh.version, fresh.production_target) == (
        plant.name,
        plant.version,
        plant.production_target,
    )


def test_another_towns_user_cannot_edit_a_project_nor_its_milestones(project_setup, plant):
    rows = milestone_rows(plant)
    other = client_of(project_setup["puyuan"])
    assert other.post(f"/projects/{plant.pk}/edit/", {"name": "x"}).status_code == 404
    assert other.post(f"/projects/{plant.pk}/milestones/", milestone_post(plant)).status_code == 404
    # a task-force member sees the project but does not manage it
    member = client_of(project_setup["member"])
    assert 'id="milestones-form"' not in member.get(f"/projects/{plant.pk}/").content.decode()
    assert (
        member.post(f"/projects/{plant.pk}/milestones/", milestone_post(plant)).status_code == 403
    )
    assert Project.objects.get(pk=plant.pk).name == plant.name
    assert milestone_rows(plant) == rows


# --- milestones --------------------------------------------------------------------------------


def test_the_office_adds_removes_and_changes_milestones_on_the_project_page(project_setup, plant):
    client = client_of(project_setup["wutong"])

    def change(row):
        if row["code"] == "energy_review":
            row["DELETE"] = "on"
        if row["code"] == "construction_permit":
            row["after"] = "planning_permit, environment, fire_review"
        if row["code"] == "code_filing":
            row["done_on"] = "2026-06-05"
            row["duration_days"] = "4"

    extra = [
        {
            "code": "fire_review",
            "name": "消防设计审查",
            "duration_days": "8",
            "after": "land_permit",
        },
        {"code": "", "name": "", "duration_days": "", "after": "", "done_on": ""},  # left empty
    ]
    answer = client.post(f"/projects/{plant.pk}/milestones/", milestone_post(plant, change, extra))
    assert answer.status_code == 302
    stored = {m.code: m for m in Milestone.objects.filter(project=plant)}
    assert "energy_review" not in stored and stored["fire_review"].duration_days == 8
    assert stored["construction_permit"].after == ["planning_permit", "environment", "fire_review"]
    assert stored["code_filing"].done_on == date(2026, 6, 5)
    assert stored["code_filing"].duration_days == 4
    assert all(m.due_on for m in stored.values())  # late finishes kept for the ranking
    page = client.get(f"/projects/{plant.pk}/").content.decode()
    assert 'data-code="fire_review"' in page


def _cycle(row):
    if row["code"] == "code_filing":
        row["after"] = "start"


def _unknown(row):
    if row["code"] == "land_supply":
        row["after"] = "land_prereview, no_such_step"


def _negative(row):
    if row["code"] == "environment":
        row["duration_days"] = "-3"


def _done_before(row):
    if row["code"] == "code_filing":
        row["done_on"] = "2026-06-10"
    if row["code"] == "land_prereview":
        row["done_on"] = "2026-06-01"


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (_cycle, "code_filing"),
        (_unknown, "land_supply"),
        (_negative, "environment"),
        (_done_before, "land_prereview"),
    ],
)
def test_bad_milestones_show_the_error_naming_the_milestone_and_store_nothing(
    project_setup, plant, change, named
):
    client = client_of(project_setup["wutong"])
    rows, version = milestone_rows(plant), Project.objects.get(pk=plant.pk).version
    answer = client.post(f"/projects/{plant.pk}/milestones/", milestone_post(plant, change))
    assert answer.status_code == 400
    page = answer.content.decode()
    errors = page[page.index('id="milestone-errors"') :].split("</ul>")[0]
    assert named in errors
    assert milestone_rows(plant) == rows
    assert Project.objects.get(pk=plant.pk).version == version


# --- the quarterly contest ---------------------------------------------------------------------


def scores(plant, judge="wutong", **changes) -> dict[str, str]:
    data = {
        "project": str(plant.pk),
        "judge": judge,
        "score_progress": "35",
        "score_investment": "25",
        "score_problems": "18",
        "score_roadshow": "9",
    }
    data.update(changes)
    return data


def test_the_office_enters_a_panel_members_scores_on_the_contest_page(project_setup, plant):
    client = client_of(project_setup["wutong"])
    assert (
        'id="contest-form"' in client.get("/projects/contest/?year=2026&quarter=3").content.decode()
    )
    answer = client.post("/projects/contest/?year=2026&quarter=3", scores(plant, judge="member"))
    assert answer.status_code == 302
    stored = ContestScore.objects.filter(project=plant, year=2026, quarter=3)
    assert {(s.judge.username, s.criterion, int(s.score)) for s in stored} == {
        ("member", "progress", 35),
        ("member", "investment", 25),
        ("member", "problems", 18),
        ("member", "roadshow", 9),
    }
    page = client.get("/projects/contest/?year=2026&quarter=3").content.decode()
    assert "87" in page  # the one judge's total


@pytest.mark.parametrize(
    "changes",
    [
        {"score_progress": "41"},  # above the criterion's points
        {"score_roadshow": "-1"},
        {"score_problems": ""},
        {"judge": "nobody"},
        {"project": "999999"},
    ],
)
def test_bad_contest_scores_are_refused_with_nothing_stored(project_setup, plant, changes):
    client = client_of(project_setup["wutong"])
    answer = client.post("/projects/contest/?year=2026&quarter=3", scores(plant, **changes))
    assert answer.status_code == 400 and 'class="errorlist' in answer.content.decode()
    assert ContestScore.objects.count() == 0


def test_another_town_cannot_score_a_project_it_does_not_own(project_setup, plant):
    other = client_of(project_setup["puyuan"])
    answer = other.post("/projects/contest/?year=2026&quarter=3", scores(plant, judge="puyuan"))
    assert answer.status_code == 403  # it is the office of none of them
    assert ContestScore.objects.count() == 0


# --- meeting decisions -------------------------------------------------------------------------


@pytest.fixture
def decision(project_setup, plant):
    meeting = meeting_record(
        actor=project_setup["wutong"],
        region_code=WUTONG,
        held_on=date(2026, 11, 30),
        minutes="调度会",
        decisions=[{"text": "完成征迁签约", "due_on": date(2026, 12, 4), "project": plant}],
    )
    return meeting.decisions.get()


def test_the_office_marks_a_decision_done_with_a_button_on_the_agenda(project_setup, decision):
    client = client_of(project_setup["wutong"])
    page = client.get("/projects/agenda/?date=2026-12-07").content.decode()
    assert f'id="decision-done-{decision.pk}"' in page
    answer = client.post(f"/projects/decisions/{decision.pk}/done/", {"date": "2026-12-07"})
    assert answer.status_code == 302 and answer["Location"].endswith("?date=2026-12-07")
    assert Decision.objects.get(pk=decision.pk).done_on is not None
    page = client.get("/projects/agenda/?date=2026-12-07").content.decode()
    assert f'id="decision-done-{decision.pk}"' not in page


def test_another_town_or_a_user_without_the_module_cannot_mark_a_decision_done(
    project_setup, decision
):
    assert (
        client_of(project_setup["puyuan"])
        .post(f"/projects/decisions/{decision.pk}/done/")
        .status_code
        == 404
    )
    assert (
        client_of(project_setup["grid"])
        .post(f"/projects/decisions/{decision.pk}/done/")
        .status_code
        == 403
    )
    assert (
        client_of(project_setup["wutong"])
        .get(f"/projects/decisions/{decision.pk}/done/")
        .status_code
        == 405
    )
    assert Decision.objects.get(pk=decision.pk).done_on is None


def test_the_projects_lead_edits_it_too(project_setup, plant):
    Project.objects.filter(pk=plant.pk).update(lead=project_setup["member"])
    client = client_of(project_setup["member"])
    assert 'id="project-form"' in client.get(f"/projects/{plant.pk}/").content.decode()
    answer = client.post(
        f"/projects/{plant.pk}/edit/",
        {
            "version": plant.version,
            "name": plant.name,
            "region": WUTONG,
            "kind": "industrial",
            "lead": "member",
            "production_target": "2027-01-29",
        },
    )
    assert answer.status_code == 302
    assert Project.objects.get(pk=plant.pk).production_target == date(2027, 1, 29)
