"""Case loop endpoints for integrations: list and filter, create (idempotent), act, timeline."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from jiceng.api.schemas import (
    MAX_PAGE,
    NO_NUL,
    REQUIRED_TEXT,
    Code,
    Day,
    RecordId,
    RegionCode,
    answers,
    one_of,
)
from jiceng.cases.models import Case, CaseEvent, Category, Priority, Source
from jiceng.cases.models import Status as CaseStatus
from jiceng.cases.selectors import (
    InboxFilter,
    case_for_idempotency_key,
    case_get_for_user,
    deadline_colour,
    inbox,
    notifications_of,
    page_of,
    timeline,
    unread_notifications,
)
from jiceng.cases.services import CASE_MACHINE, case_act
from jiceng.cases.services.intake import case_report
from jiceng.cases.services.notifications import notifications_mark_read
from jiceng.core.models import User
from jiceng.core.transitions import allowed_names

router = Router(tags=["cases"])


class Ref(Schema):
    code: str
    name: str


class DepartmentRef(Schema):
    id: int
    name: str


class CaseOut(Schema):
    id: int
    number: str
    status: str
    status_label: str
    is_open: bool
    outcome: str
    category: Ref
    region: Ref
    owner_region: str
    lat: float | None
    lon: float | None
    address: str
    description: str
    priority: str
    source: str
    department: DepartmentRef | None
    reported_at: datetime
    accept_deadline: datetime
    resolve_deadline: datetime | None
    closed_at: datetime | None
    colour: str
    escalation_level: int
    satisfaction: int | None
    version: int
    actions: list[str]


class CasePage(Schema):
    items: list[CaseOut]
    page: int
    has_more: bool


class CaseIn(Schema):
    category: Code
    description: str = Field(max_length=4000, pattern=REQUIRED_TEXT)
    region: RegionCode | None = Field(
        None, description="region code (grid, village, town); or give lat+lon"
    )
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    address: str = Field("", pattern=NO_NUL, max_length=300)
    priority: str = one_of(Priority.values, "normal")
    source: str = one_of(Source.values, "api")
    reporter_name: str = Field("", pattern=NO_NUL, max_length=100)
    reporter_phone: str = Field("", pattern=NO_NUL, max_length=30)
    attributes: dict[str, Any] = Field(default_factory=dict)
    media_url: str = Field("", pattern=NO_NUL, max_length=500)


class ActionIn(Schema):
    action: str = one_of(CASE_MACHINE.names)
    expected_version: int | None = Field(
        None, ge=0, le=2**31 - 1, description="the version you saw; 409 if it changed"
    )
    note: str = Field("", pattern=NO_NUL, max_length=4000)
    department: RecordId | None = None
    duplicate_of: RecordId | None = None
    score: int | None = Field(None, ge=1, le=5)


class EventOut(Schema):
    kind: str
    label: str
    at: datetime
    actor: str
    note: str
    from_status: str
    to_status: str
    department: str | None
    data: dict[str, Any]


class NotificationOut(Schema):
    id: int
    kind: str
    text: str
    case: int | None
    created_at: datetime
    read: bool


class NotificationsOut(Schema):
    unread: int
    items: list[NotificationOut]


class NotificationsMarked(Schema):
    marked: int


class CaseCategoryOut(Schema):
    code: str
    name: str
    name_en: str
    group: str
    accept_hours: int
    resolve_days: int


def case_out(case: Case, user: Any) -> dict[str, Any]:
    return {
        "id": case.pk,
        "number": case.number,
        "status": case.status,
        "status_label": str(case.get_status_display()),
        "is_open": case.is_open,
        "outcome": case.outcome,
        "category": {"code": case.category.code, "name": case.category.name},
        "region": {"code": case.region.code, "name": case.region.name},
        "owner_region": case.owner_region_id,
        "lat": case.lat,
        "lon": case.lon,
        "address": case.address,
        "description": case.description,
        "priority": case.priority,
        "source": case.source,
        "department": {"id": case.department.pk, "name": case.department.name}
        if case.department
        else None,
        "reported_at": case.reported_at,
        "accept_deadline": case.accept_deadline,
        "resolve_deadline": case.resolve_deadline,
        "closed_at": case.closed_at,
        "colour": deadline_colour(case),
        "escalation_level": case.escalation_level,
        "satisfaction": case.satisfaction,
        "version": case.version,
        "actions": allowed_names(CASE_MACHINE, case, user),
    }


@router.get("/case-categories", response=list[CaseCategoryOut], summary="Case categories")
def categories(request: HttpRequest) -> Any:
    return Category.objects.filter(is_active=True).order_by("group", "code")


class CaseFilter(Schema):
    status: str = one_of(["open", "all", *CaseStatus.values], "open")
    category: str = Field("", pattern=NO_NUL, max_length=50)
    colour: str = one_of(["", "red", "yellow", "green"], "")
    town: str = Field("", max_length=15, pattern=r"^(\d{6}|\d{9}|\d{12}|\d{15})?$")
    department: RecordId | None = None
    date_from: Day | None = Field(None, alias="from")
    date_to: Day | None = Field(None, alias="to")
    q: str = Field("", pattern=NO_NUL, max_length=200)
    page: int = Field(1, ge=1, le=MAX_PAGE, description="50 cases a page")


@router.get(
    "/cases",
    response=answers({200: CasePage}),
    summary="Cases in your region, most urgent first",
)
def list_cases(request: HttpRequest, filters: Query[CaseFilter]) -> dict[str, Any]:
    inbox_filter = InboxFilter(
        status=filters.status,
        category=filters.category,
        colour=filters.colour,
        town=filters.town,
        department=filters.department,
        date_from=filters.date_from,
        date_to=filters.date_to,
        query=filters.q,
    )
    rows, more = page_of(
        inbox(request.user, inbox_filter).select_related("owner_region"),  # type: ignore[arg-type]
        page=filters.page,
    )
    return {
        "items": [case_out(c, request.user) for c in rows],
        "page": filters.page,
        "has_more": more,
    }


@router.post(
    "/cases",
    response=answers({201: CaseOut, 200: CaseOut}, 403),
    summary="Report a case; send Idempotency-Key so that a retry returns the first case",
)
def create_case(request: HttpRequest, payload: CaseIn) -> Status:
    key = request.headers.get("Idempotency-Key", "").strip() or None
    if key is not None and len(key) > 100:
        raise ValidationError({"Idempotency-Key": "At most 100 characters."})
    if key is not None:
        earlier = case_for_idempotency_key(request.user, key)  # type: ignore[arg-type]
        if earlier is not None:
            return Status(200, case_out(earlier, request.user))
    case = case_report(
        actor=request.user,  # type: ignore[arg-type]
        category=payload.category,
        description=payload.description,
        region_code=payload.region,
        lat=payload.lat,
        lon=payload.lon,
        address=payload.address,
        priority=payload.priority,
        source=payload.source,
        reporter_name=payload.reporter_name,
        reporter_phone=payload.reporter_phone,
        attributes=payload.attributes,
        media_url=payload.media_url,
        idempotency_key=key,
    )
    return Status(201, case_out(case, request.user))


@router.get("/cases/{case_id}", response=answers({200: CaseOut}), summary="One case")
def get_case(request: HttpRequest, case_id: RecordId) -> dict[str, Any]:
    return case_out(case_get_for_user(request.user, case_id), request.user)  # type: ignore[arg-type]


@router.post(
    "/cases/{case_id}/actions",
    response=answers({200: CaseOut}, 403, 409),
    summary="Act on a case (accept, dispatch, return, start, resolve, verify, reopen, ...)",
)
def act(request: HttpRequest, case_id: RecordId, payload: ActionIn) -> Any:
    user = cast(User, request.user)
    case_get_for_user(user, case_id)  # 404 outside scope
    case = case_act(
        case_id=case_id,
        actor=user,
        action=payload.action,
        expected_version=payload.expected_version,
        note=payload.note,
        department=payload.department,
        duplicate_of=payload.duplicate_of,
        score=payload.score,
    )
    case = case_get_for_user(request.user, case_id)  # type: ignore[arg-type]
    return Status(200, case_out(case, request.user))


@router.get(
    "/cases/{case_id}/timeline",
    response=answers({200: list[EventOut]}),
    summary="A case's timeline",
)
def case_timeline(request: HttpRequest, case_id: RecordId) -> list[dict[str, Any]]:
    case = case_get_for_user(request.user, case_id)  # type: ignore[arg-type]
    return [event_out(e) for e in timeline(case)]


def event_out(event: CaseEvent) -> dict[str, Any]:
    return {
        "kind": event.kind,
        "label": str(event.get_kind_display()),
        "at": event.at,
        "actor": event.actor_label,
        "note": event.note,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "department": event.department.name if event.department else None,
        "data": event.data,
    }


@router.get("/notifications", response=NotificationsOut, summary="Your notifications")
def notifications(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    return {
        "unread": unread_notifications(user).count(),  # type: ignore[arg-type]
        "items": [
            {
                "id": n.pk,
                "kind": n.kind,
                "text": n.text,
                "case": n.case_id,
                "created_at": n.created_at,
                "read": n.read_at is not None,
            }
            for n in notifications_of(user)  # type: ignore[arg-type]
        ],
    }


@router.post(
    "/notifications/read",
    response={200: NotificationsMarked},
    summary="Mark all your notifications read",
)
def notifications_read(request: HttpRequest) -> dict[str, int]:
    return {"marked": notifications_mark_read(user=request.user)}  # type: ignore[arg-type]
