"""Endpoints of the medical-insurance service network beyond the queues: the service catalogue,
service points and the handling records written at them, the KPIs of a hall or of the network,
and the ten-minute service circle. Users with their own accounts (`Authorization: Bearer`, or
the browser session) see their region; the catalogue is also open to a hall's devices (the
hall's key, as in api/hall.py)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from jiceng.api.auth import request_user
from jiceng.api.hall import DEVICE_OR_USER
from jiceng.api.schemas import (
    NO_NUL,
    Code,
    Day,
    Moment,
    RecordId,
    answers,
    one_of,
    one_of_pattern,
)
from jiceng.core.scope import code_in_scope
from jiceng.hall import coverage, kpis
from jiceng.hall.models import (
    Hall,
    Outcome,
    PointKind,
    ServiceItem,
)
from jiceng.hall.selectors import (
    hall_get_for_user,
    items_active,
    point_get_for_user,
    points_visible_to,
)
from jiceng.hall.services.network import handling_record_create
from jiceng.hall.services.travel import travel_times_import_csv

router = Router(tags=["hall"])

MAX_STATS_DAYS = 400


class CatalogueItemOut(Schema):
    code: str
    name: str
    audience: str
    high_frequency: bool
    standard_minutes: int
    promised_workdays: int
    materials: list[str]
    point_kinds: list[str]
    group: str


class PointOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    region: str
    lat: float | None
    lon: float | None
    address: str
    opening_hours: str


class RecordIn(Schema):
    item: Code
    started_at: Moment = Field(description="with its time zone")
    ended_at: Moment = Field(description="after the start, not in the future, within 12 hours")
    outcome: str = one_of(Outcome.values, "done")
    person: RecordId | None = None
    organisation: RecordId | None = None
    note: str = Field("", pattern=NO_NUL, max_length=500)


class RecordOut(Schema):
    id: int
    point: int
    item: str
    day: date
    seconds: int
    outcome: str


class ImportOut(Schema):
    imported: int


# --- catalogue, points, records -----------------------------------------------------------


@router.get(
    "/hall-items",
    response=answers({200: list[CatalogueItemOut]}),
    auth=DEVICE_OR_USER,
    summary="The service catalogue",
)
def catalogue(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "code": i.code,
            "name": i.name,
            "audience": i.audience,
            "high_frequency": i.high_frequency,
            "standard_minutes": i.standard_minutes,
            "promised_workdays": i.promised_workdays,
            "materials": i.materials,
            "point_kinds": i.point_kinds,
            "group": i.group_id,
        }
        for i in items_active()
    ]


@router.get(
    "/service-points",
    response=answers({200: list[PointOut]}),
    summary="Service points in your region",
)
def list_points(
    request: HttpRequest,
    kind: str = Query("", pattern=one_of_pattern(["", *PointKind.values])),
    item: str = Query("", pattern=NO_NUL, max_length=50),
) -> list[dict[str, Any]]:
    return [
        {
            "id": p.pk,
            "code": p.code,
            "name": p.name,
            "kind": p.kind,
            "region": p.region_id,
            "lat": p.lat,
            "lon": p.lon,
            "address": p.address,
            "opening_hours": p.opening_hours,
        }
        for p in points_visible_to(request_user(request), kind=kind, item=item)
    ]


@router.post(
    "/service-points/{point_id}/records",
    response=answers({201: RecordOut}, 403),
    summary="Record an item handled at a point (bank outlet, village station, counter)",
)
def create_record(request: HttpRequest, point_id: RecordId, payload: RecordIn) -> Status:
    point_get_for_user(request_user(request), point_id)  # 404 outside scope
    record = handling_record_create(
        actor=request_user(request),
        point_id=point_id,
        item_code=payload.item,
        started_at=payload.started_at,
        ended_at=payload.ended_at,
        outcome=payload.outcome,
        person_id=payload.person,
        organisation_id=payload.organisation,
        note=payload.note,
    )
    return Status(
        201,
        {
            "id": record.pk,
            "point": record.point_id,
            "item": record.item.code,
            "day": record.day,
            "seconds": record.seconds,
            "outcome": record.outcome,
        },
    )


# --- KPIs ----------------------------------------------------------------------------------------


def _period(date_from: date | None, date_to: date | None, granularity: str) -> tuple[date, date]:
    today = timezone.localdate()
    last = date_to or today
    first = date_from or last - timedelta(days=29)
    if first > last:
        raise ValidationError({"from": _("The period starts after it ends.")})
    if (last - first).days + 1 > MAX_STATS_DAYS:
        raise ValidationError({"from": _("At most %d days at a time.") % MAX_STATS_DAYS})
    if granularity not in kpis.GRANULARITIES:
        raise ValidationError({"granularity": _("By day, week or month.")})
    return first, last


@router.get(
    "/halls/{hall_id}/stats",
    response=answers({200: dict[str, Any]}, 403),
    summary="A hall's KPIs over a period",
)
def hall_stats(
    request: HttpRequest,
    hall_id: RecordId,
    date_from: Day | None = Query(None, alias="from"),  # noqa: B008
    date_to: Day | None = Query(None, alias="to"),  # noqa: B008
    granularity: str = Query("day", pattern=one_of_pattern(kpis.GRANULARITIES)),
) -> Any:
    hall = hall_get_for_user(request_user(request), hall_id)
    first, last = _period(date_from, date_to, granularity)
    return kpis.hall_kpis(hall, date_from=first, date_to=last, granularity=granularity)


@router.get(
    "/hall-network/stats",
    response=answers({200: dict[str, Any]}, 403, 404),
    summary="KPIs of the service network in a region (a town, the county) or of one point",
)
def network_stats(
    request: HttpRequest,
    region: str = Query("", pattern=r"^(\d{6}|\d{9}|\d{12}|\d{15})?$"),
    point: RecordId | None = None,
    date_from: Day | None = Query(None, alias="from"),  # noqa: B008
    date_to: Day | None = Query(None, alias="to"),  # noqa: B008
    granularity: str = Query("day", pattern=one_of_pattern(kpis.GRANULARITIES)),
) -> Any:
    user = request_user(request)
    first, last = _period(date_from, date_to, granularity)
    if point is not None:
        found = point_get_for_user(user, point)
        return kpis.network_kpis(
            region_code=found.region_id,
            point=found,
            date_from=first,
            date_to=last,
            granularity=granularity,
        )
    code = region or (user.region.code if user.region else "")
    if not code or not code_in_scope(user, code):
        raise Hall.DoesNotExist(_("No such region in your scope."))
    return kpis.network_kpis(
        region_code=code, date_from=first, date_to=last, granularity=granularity
    )


# --- the ten-minute service circle --------------------------------------------------------------


@router.get(
    "/service-circle",
    response=answers({200: dict[str, Any]}, 403),
    summary="Coverage of the ten-minute service circle: per item, or one item's villages and gaps",
)
def service_circle(
    request: HttpRequest,
    item: str = Query("", pattern=NO_NUL, max_length=50),
) -> Any:
    matrix = coverage.travel_matrix(request_user(request), as_of=timezone.localdate())
    source = coverage.matrix_source(matrix)
    if item:
        found = ServiceItem.objects.filter(code=item, is_active=True).first()
        if found is None:
            raise ValidationError({"item": _("Unknown item: %s") % item})
        return {"model": source, **coverage.item_coverage(matrix, found)}
    return {"model": source, "items": coverage.coverage_overview(matrix, list(items_active()))}


@router.post(
    "/service-circle/travel-times",
    response=answers({200: ImportOut}, 403),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": {
                    "schema": {
                        "type": "string",
                        "description": "a header line village,point,minutes and a row per pair",
                    }
                }
            },
        }
    },
    summary="Import routing-engine travel times, CSV village,point,minutes (county admins)",
)
def import_travel_times(request: HttpRequest, replace: bool = True) -> dict[str, int]:
    text = request.body.decode("utf-8-sig", errors="replace")
    imported = travel_times_import_csv(actor=request_user(request), text=text, replace=replace)
    return {"imported": imported}
