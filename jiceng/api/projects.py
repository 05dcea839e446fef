"""Key-project endpoints (党建+项目): create a project, replace its milestones, read its schedule
(planned backwards from the production target), report a problem as a case, the monthly ranking.

A project is visible to the office of its region (administrators, town officers, the regulator)
and to its lead and task force; to anyone else it does not exist (404)."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status
from pydantic import BeforeValidator

from jiceng.api.auth import request_user
from jiceng.api.schemas import NO_NUL, REQUIRED_TEXT, SPACE, Day, RecordId, RegionCode, answers
from jiceng.api.schemas import one_of as one_of_field
from jiceng.projects.access import uses_module
from jiceng.projects.models import STAGE_ORDER, Kind, Project
from jiceng.projects.reference_data import problem_category_codes
from jiceng.projects.selectors import monthly_ranking, projects_visible_to
from jiceng.projects.services import (
    milestones_replace,
    problem_report,
    project_create,
    project_schedule,
)

router = Router(tags=["projects"])

MILESTONE_CODE = f"^[^{SPACE}]+$"


class ProjectIn(Schema):
    name: str = Field(min_length=1, max_length=200, pattern=REQUIRED_TEXT)
    stage: str = one_of_field(STAGE_ORDER)
    region: RegionCode
    kind: str = one_of_field(list(Kind.values))
    production_target: Day | None = None
    start_target: Day | None = None
    owner_enterprise: str = Field("", max_length=200, pattern=NO_NUL)


class Created(Schema):
    id: int


def _not_a_boolean(value: Any) -> Any:
    """JSON true and false are not numbers of days (pydantic would read them as 1 and 0)."""
    if isinstance(value, bool):
        raise ValueError("a number of working days, not true or false")
    return value


class MilestoneIn(Schema):
    code: str = Field(min_length=1, max_length=50, pattern=MILESTONE_CODE)
    name: str = Field("", max_length=100, pattern=NO_NUL)
    duration_days: Annotated[int, BeforeValidator(_not_a_boolean)] = Field(
        ge=-(2**31),
        le=2000,
        description="working days; a negative duration is refused (400)",
    )
    after: list[str] = Field(default_factory=list, max_length=200)
    done_on: Day | None = None


class MilestoneOut(Schema):
    code: str
    early_start: date
    early_finish: date
    late_start: date | None
    late_finish: date | None
    float_days: int | None
    critical: bool
    status: str = Field(description="done, late, start_this_week or on_track")


class ScheduleOut(Schema):
    deadline: date | None
    feasible: bool
    milestones: list[MilestoneOut]


class ProblemIn(Schema):
    title: str = Field(min_length=1, max_length=200, pattern=REQUIRED_TEXT)
    category: str = one_of_field(problem_category_codes())
    description: str = Field("", max_length=2000, pattern=NO_NUL)


class ProblemOut(Schema):
    case: str = Field(description="the case number")


class RankingOut(Schema):
    project: int
    name: str
    score: float
    rank: int
    board: str = Field(description="red, blue or empty")
    blue_again: bool
    indicators: dict[str, float]


def _project(request: HttpRequest, project_id: int) -> Project:
    user = request_user(request)
    project = projects_visible_to(user).filter(pk=project_id).first()
    if project is None:
        raise Http404("No such project.")
    return project


@router.post(
    "/projects",
    response=answers({201: Created}, 403),
    summary="Create a key project (with the default approval chain as its milestones)",
)
def create_project(request: HttpRequest, payload: ProjectIn) -> Status[Created]:
    project = project_create(
        actor=request_user(request),
        name=payload.name,
        stage=payload.stage,
        region_code=payload.region,
        kind=payload.kind,
        production_target=payload.production_target,
        start_target=payload.start_target,
        owner_enterprise=payload.owner_enterprise,
    )
    return Status(201, Created(id=project.pk))


@router.put(
    "/projects/{project_id}/milestones",
    response=answers({200: ScheduleOut}, 403),
    summary="Replace a project's milestones; answers the new schedule",
    description="A cycle, an unknown predecessor, a negative duration or a done date before a "
    "predecessor's is a 400 naming the milestone, and nothing is stored.",
)
def put_milestones(
    request: HttpRequest, project_id: Path[RecordId], payload: list[MilestoneIn]
) -> ScheduleOut:
    project = _project(request, project_id)
    if len(payload) > 200:
        raise ValidationError({"milestones": "At most 200 milestones."})
    project = milestones_replace(
        actor=request_user(request),
        project_id=project.pk,
        items=[m.dict() for m in payload],
    )
    return ScheduleOut(**project_schedule(project))


@router.get(
    "/projects/{project_id}/schedule",
    response=answers({200: ScheduleOut}),
    summary="A project's schedule: early dates from today, late dates back from the deadline",
)
def get_schedule(request: HttpRequest, project_id: Path[RecordId]) -> ScheduleOut:
    return ScheduleOut(**project_schedule(_project(request, project_id)))


@router.post(
    "/projects/{project_id}/problems",
    response=answers({201: ProblemOut}, 403),
    summary="Report a problem of a project: it becomes a case of its category",
)
def post_problem(
    request: HttpRequest, project_id: Path[RecordId], payload: ProblemIn
) -> Status[ProblemOut]:
    project = _project(request, project_id)
    problem = problem_report(
        actor=request_user(request),
        project_id=project.pk,
        title=payload.title,
        category=payload.category,
        description=payload.description,
    )
    return Status(201, ProblemOut(case=problem.case.number))


MONTH = r"^(20\d\d|2100)-(0[1-9]|1[0-2])$"  # a month from 2000 to 2100


class RankingFilter(Schema):
    month: str = Field(pattern=MONTH, description="YYYY-MM, 2000 to 2100")


@router.get(
    "/projects/rankings",
    response=answers({200: list[RankingOut]}, 403),
    summary="The monthly ranking (月晾晒) with red and blue boards",
)
def get_rankings(request: HttpRequest, filters: Query[RankingFilter]) -> list[RankingOut]:
    month = filters.month
    user = request_user(request)
    if not uses_module(user):
        raise PermissionDenied("Key projects are not among your tasks.")
    if not re.match(MONTH, month):
        raise ValidationError({"month": "YYYY-MM"})
    year, number = (int(x) for x in month.split("-"))
    return [
        RankingOut(
            project=r["project"].pk,
            name=r["project"].name,
            score=r["score"],
            rank=r["rank"],
            board=r["board"],
            blue_again=r["blue_again"],
            indicators=r["indicators"],
        )
        for r in monthly_ranking(user, date(year, number, 1))
    ]
