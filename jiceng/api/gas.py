"""Bottled-gas registry endpoints, for the filling scales, the delivery app and the bureau's
systems: stations, cylinders (register, look up, fill check) and user sites with their colour.

Every endpoint takes the JSON API's token auth and the caller's region scope: a cylinder is in a
town's scope when its owner station is; a site when it lies in the town."""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from jiceng.api.auth import request_user
from jiceng.api.schemas import MAX_PAGE, NO_NUL, SPACE, Code, Day, Error, RecordId, answers
from jiceng.core.scope import get_in_scope_or_404
from jiceng.gas.models import Cylinder, Station, UserSite
from jiceng.gas.reference_data import nominal_sizes
from jiceng.gas.selectors import (
    cylinder_fill_check,
    cylinder_get_for_user,
    cylinder_uri,
    site_get_for_user,
    sites_visible_to,
    station_for_user,
    stations_visible_to,
)
from jiceng.gas.services.registry import DuplicateCylinder, cylinder_register
from jiceng.risk.selectors import reason_texts

router = Router(tags=["gas"])
MAX_PER_PAGE = 500
# A cylinder's identifier: a bare serial (stored as urn:jiceng:cylinder:<serial>) or a URI, at
# most 120 characters stored, no spaces.
CYLINDER_IDENTIFIER = f"^([^{SPACE}]{{1,100}}|urn:[^{SPACE}]{{1,116}})$"


class StationOut(Schema):
    code: str
    name: str
    kind: str
    identifier: str


class CylinderIn(Schema):
    identifier: str = Field(max_length=120, pattern=CYLINDER_IDENTIFIER)
    manufactured_on: Day = Field(description="not in the future")
    nominal_kg: int = Field(
        json_schema_extra={"enum": [*nominal_sizes()]}, description="one of the nominal sizes, kg"
    )
    last_inspected_on: Day | None = Field(
        None, description="between the manufacture date and today"
    )
    station: Code = Field(max_length=30)
    design_life_years: int | None = Field(None, ge=1, le=50)
    manufacturer: str = Field("", pattern=NO_NUL, max_length=100)


class CylinderOut(Schema):
    identifier: str
    registered: bool
    state: str
    location: str | None
    owner: str | None
    manufacturer: str
    manufactured_on: date | None
    nominal_kg: int | None
    design_life_years: int
    inspection_interval_years: int
    last_inspected_on: date | None
    next_inspection_due: date | None
    end_of_life: date | None
    last_filled_at: datetime | None
    last_event_at: datetime | None


class FillCheckOut(Schema):
    allowed: bool
    reasons: list[str]
    codes: list[str]


class SiteOut(Schema):
    id: int
    identifier: str
    kind: str
    region: str
    region_name: str
    name: str
    colour: str | None
    reasons: list[str]
    station: str | None


def _cylinder_out(cylinder: Cylinder) -> CylinderOut:
    location = None
    if cylinder.location_site_id is not None:
        location = f"urn:jiceng:site:{cylinder.location_site_id}"
    elif cylinder.location_station is not None:
        location = cylinder.location_station.identifier
    return CylinderOut(
        identifier=cylinder.identifier,
        registered=cylinder.registered,
        state=cylinder.state,
        location=location,
        owner=cylinder.owner.code if cylinder.owner else None,
        manufacturer=cylinder.manufacturer,
        manufactured_on=cylinder.manufactured_on,
        nominal_kg=cylinder.nominal_kg,
        design_life_years=cylinder.design_life_years,
        inspection_interval_years=cylinder.inspection_interval_years,
        last_inspected_on=cylinder.last_inspected_on,
        next_inspection_due=cylinder.next_inspection_due,
        end_of_life=cylinder.end_of_life,
        last_filled_at=cylinder.last_filled_at,
        last_event_at=cylinder.last_event_at,
    )


def _site_out(site: UserSite) -> SiteOut:
    english = (translation.get_language() or "").startswith("en")
    reasons = getattr(site, "colour_reasons", None) or []
    return SiteOut(
        id=site.pk,
        identifier=site.identifier,
        kind=site.kind,
        region=site.region_id,
        region_name=site.region.name,
        name=site.site.name,
        colour=getattr(site, "colour", None),
        reasons=reason_texts(reasons, english=english),
        station=site.station.code if site.station_id and site.station else None,
    )


@router.get("/gas/stations", response=list[StationOut], summary="Stations of the gas network")
def stations_list(request: HttpRequest) -> list[StationOut]:
    return [
        StationOut(code=s.code, name=s.name, kind=s.kind, identifier=s.identifier)
        for s in stations_visible_to(request_user(request))
    ]


@router.post(
    "/gas/cylinders",
    response=answers({201: CylinderOut}, 400, 403, 409),
    summary="Register a cylinder",
)
def cylinders_create(request: HttpRequest, payload: CylinderIn) -> Status:
    """400 names the field for bad input; 409 when the identifier is registered already.
    The owner station must lie in the caller's region."""
    # A station outside the caller's scope is as unknown as a missing one.
    if not stations_visible_to(request_user(request)).filter(code=payload.station).exists():
        message = _("Unknown station: %s") % payload.station
        return Status(400, Error(detail=f"station: {message}", errors={"station": [message]}))
    try:
        cylinder = cylinder_register(
            actor=request_user(request),
            identifier=payload.identifier,
            manufactured_on=payload.manufactured_on,
            nominal_kg=payload.nominal_kg,
            last_inspected_on=payload.last_inspected_on,
            station=payload.station,
            design_life_years=payload.design_life_years,
            manufacturer=payload.manufacturer,
        )
    except DuplicateCylinder as exc:
        return Status(409, Error(detail=f"identifier: {exc} is registered already.", errors=None))
    cylinder = Cylinder.objects.select_related("owner", "location_station").get(pk=cylinder.pk)
    return Status(201, _cylinder_out(cylinder))


@router.get(
    "/gas/cylinders/{identifier}", response=answers({200: CylinderOut}), summary="One cylinder"
)
def cylinders_get(
    request: HttpRequest,
    identifier: str = Path(..., pattern=CYLINDER_IDENTIFIER),
) -> CylinderOut:
    return _cylinder_out(cylinder_get_for_user(request_user(request), identifier))


@router.get(
    "/gas/cylinders/{identifier}/fill-check",
    response=answers({200: FillCheckOut}, 400),
    summary="May this cylinder be filled here?",
)
def cylinders_fill_check(
    request: HttpRequest,
    identifier: str = Path(..., pattern=CYLINDER_IDENTIFIER),
    station: str = Query("", pattern=NO_NUL, max_length=30),
) -> Status:
    """For the scale to interlock on. The station is the `station` parameter, or the caller's
    own station. An unregistered cylinder is refused."""
    user = request_user(request)
    where: Station | None
    if station:
        where = get_in_scope_or_404(Station.objects.all(), user, code=station)
    else:
        where = station_for_user(user)
        if where is None:
            message = _("Name the filling station (?station=CODE).")
            return Status(400, Error(detail=f"station: {message}", errors={"station": [message]}))
    cylinder = (
        Cylinder.objects.select_related("owner__parent")
        .filter(identifier=cylinder_uri(identifier))
        .first()
    )
    check = cylinder_fill_check(cylinder=cylinder, station=where)
    return Status(
        200, FillCheckOut(allowed=check.allowed, reasons=check.reasons, codes=check.codes)
    )


class SiteFilter(Schema):
    region: str = Field("", max_length=15, pattern=r"^\d*$")
    colour: str = Field("", pattern=r"^(|green|yellow|red)$")
    kind: str = Field("", pattern=r"^(|household|restaurant|enterprise)$")
    page: int = Field(1, ge=1, le=MAX_PAGE)
    per_page: int = Field(100, ge=1, le=MAX_PER_PAGE)


@router.get(
    "/gas/sites", response=answers({200: list[SiteOut]}), summary="User sites with their colour"
)
def sites_list(request: HttpRequest, filters: Query[SiteFilter]) -> list[SiteOut]:
    sites = sites_visible_to(
        request_user(request), region=filters.region, colour=filters.colour, kind=filters.kind
    ).order_by("pk")
    start = (filters.page - 1) * filters.per_page
    return [_site_out(s) for s in sites[start : start + filters.per_page]]


@router.get(
    "/gas/sites/{site_id}",
    response=answers({200: SiteOut}),
    summary="One user site with its colour",
)
def sites_get(request: HttpRequest, site_id: RecordId) -> SiteOut:
    return _site_out(site_get_for_user(request_user(request), site_id))
