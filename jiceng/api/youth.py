"""Youth talent reserve endpoints (青苗计划): register a young person, record their development
steps with every rule checked, read their record, record volunteer activities, the pipeline.

A person's record is private (jiceng/youth/access.py): the organisers of their region, their
branch secretary, their mentors and the person themself see it; to anyone else it does not exist
(404). `{id}` is the id of the young person's record (answered by `POST /youth/people`)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status

from jiceng.api.auth import request_user
from jiceng.api.schemas import (
    NO_NUL,
    REQUIRED_TEXT,
    Day,
    Error,
    RecordId,
    RegionCode,
    RuleRef,
    answers,
    one_of,
)
from jiceng.youth import access
from jiceng.youth.models import Background, Education
from jiceng.youth.reference_data import reference
from jiceng.youth.rules import StepRefused, age_on
from jiceng.youth.selectors import (
    funnel,
    overdue_alerts,
    platforms_visible,
    talent_card,
    talent_get_visible,
)
from jiceng.youth.services import activity_record, step_record, talent_register
from jiceng.youth.services.talents import today as local_today

router = Router(tags=["youth"])

STEP_CODES = [step["code"] for stage in reference()["stages"] for step in stage["steps"]]
STAGE_CODES = ["none", *(stage["code"] for stage in reference()["stages"]), "member"]
Name = Annotated[str, Field(min_length=1, max_length=50, pattern=REQUIRED_TEXT)]
PersonRef = Annotated[
    Name | RecordId, Field(description="a name, or the id of a person of the core registry")
]


class PersonIn(Schema):
    name: Name
    id_number: str = Field(
        min_length=15, max_length=18, pattern=r"^\d{15}(\d{2}[0-9Xx])?$",
        description="the resident ID number (its check character is checked)",
    )  # fmt: skip
    region: RegionCode = Field(description="the village or community (12 digits, or a grid)")
    education: str = one_of(list(Education.values))
    background: str = one_of(list(Background.values))
    skills: str = Field("", max_length=300, pattern=NO_NUL)


class PersonCreated(Schema):
    id: int


class FactsIn(Schema):
    """What a step records, where it needs it."""

    mentors: list[PersonRef] | None = Field(None, max_length=10, description="培养联系人 (1–2)")
    introducers: list[PersonRef] | None = Field(
        None, max_length=10, description="入党介绍人 (exactly 2 full members)"
    )
    result: str | None = one_of(["passed", "failed"], None, description="political review")
    days: float | None = Field(None, ge=0, le=10000, description="training days")
    hours: float | None = Field(None, ge=0, le=10000, description="training hours")
    expected: int | None = Field(
        None, ge=1, le=100000, description="voting members expected at the meeting"
    )
    present: int | None = Field(None, ge=0, le=100000, description="voting members present")
    votes_for: int | None = Field(None, ge=0, le=100000, alias="for", description="votes for")
    extension_months: int | None = Field(
        None, ge=1, le=24, description="an extension of probation (6–12 months, once)"
    )
    note: str | None = Field(None, max_length=300, pattern=NO_NUL)


class StepIn(Schema):
    step: str = one_of(STEP_CODES, description="a step code of the reference data")
    on: Day
    facts: FactsIn | None = None


class PendingOut(Schema):
    step: str
    earliest: date
    latest: date | None


class StepOut(Schema):
    step: str
    on: date
    late: bool = Field(description="recorded after its deadline")
    next: list[PendingOut]


class StepTaken(Schema):
    step: str
    n: int
    name: str
    on: date
    facts: dict[str, Any]
    late: bool


class DueOut(Schema):
    step: str
    due: date
    article: int | None


class PersonOut(Schema):
    id: int
    name: str
    id_masked: str
    region: str
    birth_date: date
    age: int
    education: str
    background: str
    skills: str
    branch: str | None
    stage: str = Field(description="one of: " + ", ".join(STAGE_CODES))
    steps: list[StepTaken]
    next: list[PendingOut]
    overdue: list[DueOut]
    tags: list[str]
    volunteer_hours: Decimal
    star: int


class ActivityIn(Schema):
    platform: RecordId
    name: str = Field(min_length=1, max_length=200, pattern=REQUIRED_TEXT)
    on: Day
    hours: float = Field(gt=0, le=24, description="hours of each participant, to a tenth")
    participants: list[RecordId] = Field(
        min_length=1, max_length=500, description="ids of young people's records"
    )


class ActivityOut(Schema):
    id: int
    hours: Decimal
    participants: int
    certified_by: str


class FunnelFilter(Schema):
    region: RegionCode | None = None


class FunnelOut(Schema):
    applicant: int
    activist: int
    development_object: int = Field(description="with those in the admission steps")
    probationary: int
    member: int
    reserve_cadre: int
    under_35: int
    leaders: int = Field(description="wealth leaders (致富带头人)")
    overdue: int


class OverdueOut(Schema):
    id: int
    name: str
    region: str
    stage: str
    step: str
    due: date


def _uses_module(request: HttpRequest) -> Any:
    user = request_user(request)
    if not access.uses_module(user):
        raise PermissionDenied("The youth talent reserve is not among your tasks.")
    return user


@router.post(
    "/youth/people",
    response=answers({201: PersonCreated}, 403),
    summary="Register a young person (on the core registry's person with that ID number)",
    description="An invalid ID number, an unknown region or one that is not a village or "
    "community is a 400 naming the field, and nothing is stored.",
)
def create_person(request: HttpRequest, payload: PersonIn) -> Status[PersonCreated]:
    talent = talent_register(
        actor=_uses_module(request),
        name=payload.name,
        id_number=payload.id_number,
        region_code=payload.region,
        education=payload.education,
        background=payload.background,
        skills=payload.skills,
    )
    return Status(201, PersonCreated(id=talent.pk))


@router.get(
    "/youth/people/{person_id}",
    response=answers({200: PersonOut}),
    summary="A young person's record: stage, steps, next steps, overdue deadlines, tags, hours",
)
def get_person(request: HttpRequest, person_id: Path[RecordId]) -> PersonOut:
    talent = talent_get_visible(request_user(request), person_id)
    card = talent_card(talent)
    return PersonOut(
        id=talent.pk,
        name=talent.person.name,
        id_masked=talent.person.id_masked,
        region=talent.region_id,
        birth_date=talent.birth_date,
        age=age_on(talent.birth_date, local_today()),
        education=talent.education,
        background=talent.background,
        skills=talent.skills,
        branch=talent.branch.name if talent.branch else None,
        **card,
    )


@router.post(
    "/youth/people/{person_id}/steps",
    response=answers({201: StepOut}, 403, 409),
    summary="Record a development step with its date and facts",
    description="A step out of order or against a rule is a 409 naming the rule's kind and its "
    "article (under 18 at application, a development object less than a year after becoming an "
    "activist, a branch meeting without a passed political review or 3 days / 24 hours of "
    "training, a vote without quorum or majority, a conversion less than a year after "
    "admission); a date in the future or malformed facts a 400. Nothing is stored then.",
)
def post_step(
    request: HttpRequest, person_id: Path[RecordId], payload: StepIn
) -> Status[StepOut] | Status[Error]:
    user = request_user(request)
    talent = talent_get_visible(user, person_id)
    facts = payload.facts.model_dump(by_alias=True, exclude_none=True) if payload.facts else {}
    try:
        result = step_record(
            actor=user, talent=talent, step=payload.step, on=payload.on, facts=facts
        )
    except StepRefused as refusal:
        return Status(
            409,
            Error(detail=str(refusal), rule=RuleRef(article=refusal.article, kind=refusal.kind)),
        )
    return Status(
        201,
        StepOut(
            step=payload.step,
            on=payload.on,
            late=result.record.late,
            next=[
                PendingOut(step=p.step, earliest=p.earliest, latest=p.latest) for p in result.next
            ],
        ),
    )


@router.post(
    "/youth/activities",
    response=answers({201: ActivityOut}, 403),
    summary="Record a volunteer activity with its participants (the recorder certifies the hours)",
    description="Only the platform's organisers (or an organiser of its region) record; an "
    "unknown platform or participant is a 400 naming the field.",
)
def post_activity(request: HttpRequest, payload: ActivityIn) -> Status[ActivityOut]:
    user = _uses_module(request)
    platform = platforms_visible(user).filter(pk=payload.platform).first()
    if platform is None:
        raise ValidationError({"platform": "Unknown platform."})
    activity = activity_record(
        actor=user,
        platform=platform,
        name=payload.name,
        on=payload.on,
        hours=str(payload.hours),
        participants=payload.participants,
    )
    return Status(
        201,
        ActivityOut(
            id=activity.pk,
            hours=activity.hours,
            participants=activity.participations.count(),
            certified_by=str(user),
        ),
    )


@router.get(
    "/youth/funnel",
    response=answers({200: FunnelOut}, 403),
    summary="The pipeline: people per stage, reserve cadres, under 35, leaders, overdue steps",
)
def get_funnel(request: HttpRequest, filters: Query[FunnelFilter]) -> FunnelOut:
    user = _uses_module(request)
    counts = funnel(user, filters.region)
    return FunnelOut(**{key: counts[key] for key in FunnelOut.model_fields})


@router.get(
    "/youth/overdue",
    response=answers({200: list[OverdueOut]}, 403),
    summary="Deadlines passed (a talk, an approval, a half-yearly assessment), most overdue first",
)
def get_overdue(request: HttpRequest) -> list[OverdueOut]:
    user = _uses_module(request)
    return [
        OverdueOut(
            id=t.pk,
            name=t.person.name,
            region=t.region_id,
            stage=t.stage,
            step=t.due_step,
            due=t.due_on,
        )
        for t in overdue_alerts(user)[:500]
        if t.due_on is not None
    ]
