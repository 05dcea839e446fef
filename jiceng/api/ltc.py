"""Long-term-care endpoints: assessments by the standard (for the tablet form and for
integrations), sharing an assessment with the peer region and the recognitions received from it,
person-status queries, applications, and the signed list of designated institutions that each
region publishes for its peers (no token: the signature is what a peer checks)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Field, Router, Schema, Status

from jiceng.api.auth import request_user
from jiceng.api.schemas import NO_NUL, REQUIRED_TEXT, Day, RecordId, RegionCode, answers, one_of
from jiceng.core.models import User
from jiceng.core.transitions import allowed_names
from jiceng.ltc import selectors
from jiceng.ltc.models import CareMode
from jiceng.ltc.services.applications import (
    APPLICATION_MACHINE,
    application_act,
    application_apply,
)
from jiceng.ltc.services.assessments import (
    assessment_create_for_person,
    assessment_for_intake_key,
)
from jiceng.ltc.services.exchanges import (
    ExchangeFailed,
    assessment_share,
    institutions_document,
    institutions_import,
    person_status_ask,
)
from jiceng.ltc.standard import current_standard

router = Router(tags=["long-term care"])


class Grades(Schema):
    adl: str
    cognition: str
    sensory: str


# An ID number of a resident: 17 digits and a check character (a digit or X); the check
# character, the province and the birth date are checked by the service (a 400 naming the field).
ID_NUMBER = r"^\s*\d{17}[\dXx]\s*$"


def _scores_schema() -> dict[str, Any]:
    """The items of the standard and their score options, as the schema of `scores`."""
    items = current_standard().items
    return {
        "properties": {i.id: {"type": "integer", "enum": sorted(i.scores)} for i in items},
        "required": [i.id for i in items],
        "additionalProperties": False,
    }


class AssessmentIn(Schema):
    person_id_number: str = Field(pattern=ID_NUMBER)
    name: str = Field(
        "",
        pattern=NO_NUL,
        max_length=100,
        description="needed when the person is not registered yet",
    )
    region: RegionCode | None = Field(
        None, description="region code to register a new person in (default: your region)"
    )
    assessed_on: Day
    assessor: str = Field(max_length=100, pattern=REQUIRED_TEXT)
    institution: str = Field("", pattern=NO_NUL, max_length=200)
    scores: dict[str, Any] = Field(
        description="item id → score, one for each of the 17 items",
        json_schema_extra=_scores_schema(),
    )


class AssessmentOut(Schema):
    id: int
    level: int
    level_name: str
    grades: Grades
    totals: dict[str, int]
    assessed_on: date
    valid_until: date
    person_masked: str
    supersedes: int | None


# A peer deployment's code: its county's 6 digits.
PeerCode = Field(pattern=r"^\d{6}$", description="the peer region's code (6 digits)")


class ShareIn(Schema):
    peer: str = PeerCode


class RecognitionOut(Schema):
    id: int
    person_masked: str
    level: int
    origin_region: str
    assessed_on: date
    valid_until: date
    received_at: datetime
    status: str


class PersonStatusIn(Schema):
    peer: str = PeerCode
    id_number: str = Field(pattern=ID_NUMBER)
    purpose: str = Field(max_length=200, pattern=REQUIRED_TEXT)


class ImportIn(Schema):
    peer: str = PeerCode


class ApplicationIn(Schema):
    person_id_number: str = Field(pattern=ID_NUMBER)
    name: str = Field("", pattern=NO_NUL, max_length=100)
    region: RegionCode | None = None
    care_mode: str = one_of(CareMode.values)
    note: str = Field("", pattern=NO_NUL, max_length=500)


class ApplicationActionIn(Schema):
    action: str = one_of(APPLICATION_MACHINE.names)
    expected_version: int | None = Field(None, ge=0, le=2**31 - 1)
    note: str = Field("", pattern=NO_NUL, max_length=500)
    data: dict[str, Any] = Field(default_factory=dict)


class ImportedOut(Schema):
    peer: str
    listed: int


class ApplicationOut(Schema):
    id: int
    number: str
    status: str
    person_masked: str
    region: str
    care_mode: str
    assessment: int | None
    level: int | None
    publication_ends: date | None
    effective_on: date | None
    appeal_case: int | None
    version: int
    actions: list[str]


def assessment_out(assessment: Any) -> dict[str, Any]:
    return {
        "id": assessment.pk,
        "level": assessment.level,
        "level_name": selectors_level_name(assessment.level),
        "grades": assessment.grades,
        "totals": {
            "adl": assessment.adl_total,
            "cognition": assessment.cognition_total,
            "sensory": assessment.sensory_total,
        },
        "assessed_on": assessment.assessed_on,
        "valid_until": assessment.valid_until,
        "person_masked": assessment.person.id_masked,
        "supersedes": assessment.supersedes_id,
    }


def selectors_level_name(level: int) -> str:
    return current_standard().levels.get(level, str(level))


def application_out(application: Any, user: User) -> dict[str, Any]:
    return {
        "id": application.pk,
        "number": application.number,
        "status": application.status,
        "person_masked": application.person.id_masked,
        "region": application.region_id,
        "care_mode": application.care_mode,
        "assessment": application.assessment_id,
        "level": application.assessment.level if application.assessment_id else None,
        "publication_ends": application.publication_ends,
        "effective_on": application.effective_on,
        "appeal_case": application.appeal_case_id,
        "version": application.version,
        "actions": allowed_names(APPLICATION_MACHINE, application, user),
    }


@router.post(
    "/ltc/assessments",
    response=answers({201: AssessmentOut, 200: AssessmentOut}, 403),
    summary="Record an assessment by the 2021 standard; the level is computed here",
    description="An item missing, unknown, or scored with a value not among its options is a "
    "400 naming the item. A new assessment of a person supersedes their earlier one. Send "
    "Idempotency-Key so that a retry returns the first assessment (200) instead of a second.",
)
def create_assessment(request: HttpRequest, payload: AssessmentIn) -> Status:
    key = request.headers.get("Idempotency-Key", "").strip()
    if len(key) > 100:
        raise ValidationError({"Idempotency-Key": "At most 100 characters."})
    if key:
        earlier = assessment_for_intake_key(request_user(request), key)
        if earlier is not None:
            return Status(200, assessment_out(earlier))
    assessment = assessment_create_for_person(
        actor=request_user(request),
        person_id_number=payload.person_id_number,
        name=payload.name,
        assessed_on=payload.assessed_on,
        assessor=payload.assessor,
        scores=payload.scores,
        institution=payload.institution,
        region_code=payload.region,
        idempotency_key=key,
    )
    return Status(201, assessment_out(assessment))


@router.get(
    "/ltc/assessments/{assessment_id}",
    response=answers({200: AssessmentOut}),
    summary="One assessment in your region",
)
def get_assessment(request: HttpRequest, assessment_id: RecordId) -> Any:
    return assessment_out(selectors.assessment_for_user(request_user(request), assessment_id))


@router.post(
    "/ltc/assessments/{assessment_id}/share",
    response=answers({200: dict[str, Any]}, 403, 502),
    summary="Send a valid assessment to a peer region, which recognises it (互认)",
    description="400 for an unknown or disabled peer, or an assessment that may not be shared; "
    "502 when the peer cannot be reached or declines.",
)
def share_assessment(request: HttpRequest, assessment_id: RecordId, payload: ShareIn) -> Any:
    assessment = selectors.assessment_for_user(request_user(request), assessment_id)
    try:
        return assessment_share(
            actor=request_user(request), assessment=assessment, peer_code=payload.peer
        )
    except ExchangeFailed as failed:
        return Status(502, {"detail": str(failed)})


@router.get(
    "/ltc/recognitions",
    response=answers({200: list[RecognitionOut]}),
    summary="Assessments of the peer regions recognised here, in your region",
)
def list_recognitions(request: HttpRequest) -> Any:
    return [
        {
            "id": r.pk,
            "person_masked": r.id_masked,
            "level": r.level,
            "origin_region": r.origin_region,
            "assessed_on": r.assessed_on,
            "valid_until": r.valid_until,
            "received_at": r.received_at,
            "status": r.status,
        }
        for r in selectors.recognitions_for(request_user(request))
    ]


@router.post(
    "/ltc/person-status",
    response=answers({200: dict[str, Any]}, 403, 502),
    summary="Ask a peer region whether a person is insured there, and their level (互通)",
    description="400 for an unknown peer or a bad ID number; 502 when the peer cannot be "
    "reached or declines.",
)
def ask_person_status(request: HttpRequest, payload: PersonStatusIn) -> Any:
    try:
        return person_status_ask(
            actor=request_user(request),
            peer_code=payload.peer,
            id_number=payload.id_number,
            purpose=payload.purpose,
        )
    except ExchangeFailed as failed:
        return Status(502, {"detail": str(failed)})


@router.get(
    "/ltc/federation/institutions",
    auth=None,
    response={200: dict[str, Any]},
    summary="This region's designated care institutions, as a signed document for peers (互享)",
)
def published_institutions(request: HttpRequest) -> HttpResponse:
    return JsonResponse(institutions_document(), json_dumps_params={"ensure_ascii": False})


@router.post(
    "/ltc/federation/institutions/import",
    response=answers({200: ImportedOut}, 403, 502),
    summary="Import a peer region's designated care institutions now",
    description="400 for an unknown or disabled peer; 502 when the peer cannot be reached or "
    "its list does not verify.",
)
def import_institutions(request: HttpRequest, payload: ImportIn) -> Any:
    try:
        count = institutions_import(actor=request_user(request), peer_code=payload.peer)
    except ExchangeFailed as failed:
        return Status(502, {"detail": str(failed)})
    return {"peer": payload.peer, "listed": count}


@router.post(
    "/ltc/applications",
    response=answers({201: ApplicationOut}, 403),
    summary="Take in an application for care insurance benefits",
)
def create_application(request: HttpRequest, payload: ApplicationIn) -> Status:
    application = application_apply(
        actor=request_user(request),
        person_id_number=payload.person_id_number,
        name=payload.name,
        region_code=payload.region,
        care_mode=payload.care_mode,
        note=payload.note,
    )
    return Status(201, application_out(application, request_user(request)))


@router.get(
    "/ltc/applications/{application_id}",
    response=answers({200: ApplicationOut}),
    summary="One application in your region",
)
def get_application(request: HttpRequest, application_id: RecordId) -> Any:
    application = selectors.application_for_user(request_user(request), application_id)
    return application_out(application, request_user(request))


@router.post(
    "/ltc/applications/{application_id}/actions",
    response=answers({200: ApplicationOut}, 403, 409),
    summary="Take one step of an application's workflow",
)
def act_on_application(
    request: HttpRequest, application_id: RecordId, payload: ApplicationActionIn
) -> Any:
    user = request_user(request)
    selectors.application_for_user(user, application_id)  # 404 outside the region
    application = application_act(
        actor=user,
        application_id=application_id,
        action=payload.action,
        expected_version=payload.expected_version,
        note=payload.note,
        data=payload.data,
    )
    application = selectors.application_for_user(user, application.pk)
    return application_out(application, user)
