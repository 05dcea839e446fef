"""E-bike fire safety (电动自行车全链条监管): buildings, e-bikes and batteries, charging places and
lift blockers, inspections, violations as cases, building colours, and each bike's chain
from sale to scrapping.

Endpoints for lift blockers (alerts, with their key `X-Device-Key` or a managing user's token),
inspectors' phones (checklists, inspections), the traffic police and shops (registering a bike,
reading its chain) and the county's systems (buildings with their colour, shops). Every
endpoint keeps to the caller's region scope."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.security import APIKeyHeader

from jiceng.api.auth import keys_then_users, request_user
from jiceng.api.schemas import MAX_PAGE, NO_NUL, SPACE, Day, Error, Moment, RecordId, answers
from jiceng.core.models import User
from jiceng.ebike.models import Battery, Building, Ebike, LiftBlocker
from jiceng.ebike.reference_data import MODULE
from jiceng.ebike.selectors import (
    building_get_for_user,
    buildings_visible_to,
    ebike_battery,
    ebike_chain,
    ebike_flags,
    ebike_get_for_user,
    shops_visible_to,
)
from jiceng.ebike.services.alerts import alert_receive
from jiceng.ebike.services.inspections import inspection_submit
from jiceng.ebike.services.registry import DuplicateEbike, ebike_register, lift_blocker_authenticate
from jiceng.risk.selectors import reason_texts

router = Router(tags=["ebike"])
MAX_PER_PAGE = 500
# What a plate or frame number may look like on the wire (the format rules are data and are
# checked by the service, which answers 400 naming the field).
KEY = f"^[^{SPACE}/]{{1,30}}$"


class LiftKeyHeader(APIKeyHeader):
    param_name = "X-Device-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> LiftBlocker | None:
        return lift_blocker_authenticate((key or "").strip())


DEVICE_OR_USER = keys_then_users(LiftKeyHeader())


# --- schemas ---------------------------------------------------------------------------------


class AlertIn(Schema):
    kind: str = Field(pattern=r"^lift_entry$", description="lift_entry")
    building: int = Field(ge=1, le=2**53, description="the building's id")
    lift: str = Field(min_length=1, max_length=40, pattern=f"^[^\\x00]*[^{SPACE}][^\\x00]*$")
    at: Moment = Field(description="when the blocker saw it, with its offset; not in the future")


class AlertOut(Schema):
    id: int
    case: str | None = Field(description="the number of the case the alert opened or joined")


class ItemOut(Schema):
    code: str
    text: str
    category: str
    severity: str


class ChecklistOut(Schema):
    code: str
    name: str
    items: list[ItemOut]


class FindingIn(Schema):
    item: str = Field(min_length=1, max_length=40, pattern=f"^[^{SPACE}]+$")
    ok: bool
    note: str = Field("", max_length=300, pattern=NO_NUL)


class InspectionIn(Schema):
    target: str = Field(
        pattern=r"^(building|shop):\d{1,12}$", description='"building:ID" or "shop:ID"'
    )
    checklist: str = Field(min_length=1, max_length=40, pattern=f"^[^{SPACE}]+$")
    inspected_at: Moment | None = Field(None, description="default: now; not in the future")
    findings: list[FindingIn] = Field(max_length=200, description="every active item, once")
    note: str = Field("", max_length=1000, pattern=NO_NUL)


class InspectionOut(Schema):
    id: int
    cases: list[str]


class ShopOut(Schema):
    id: int
    identifier: str
    name: str
    region: str
    kind: str


class BatteryIn(Schema):
    code: str = Field(min_length=1, max_length=40, pattern=f"^[^{SPACE}]+$")
    chemistry: str = Field(pattern=r"^(lithium|lead_acid)$")
    voltage_v: float = Field(gt=0, le=200)
    capacity_ah: float = Field(gt=0, le=1000)
    ccc: bool


class BikeIn(Schema):
    plate: str = Field(pattern=KEY, description="e.g. 桐乡A12345 (format rules are data)")
    frame_number: str = Field(pattern=KEY)
    standard: str = Field(pattern=r"^(GB17761-2024|GB17761-2018|nonstandard)$")
    bought_on: Day | None = Field(None, description="not in the future")
    building: int = Field(ge=1, le=2**53, description="the owner's building (its id)")
    owner_name: str = Field("", max_length=50, pattern=NO_NUL)
    owner_phone: str = Field("", max_length=30, pattern=NO_NUL)
    battery: BatteryIn | None = None


class BatteryOut(Schema):
    code: str
    identifier: str
    chemistry: str
    voltage_v: float
    capacity_ah: float
    ccc: bool


class FlagOut(Schema):
    kind: str
    reason: str
    case: str | None
    at: datetime


class BikeOut(Schema):
    plate: str | None
    identifier: str
    frame_number: str | None
    registered: bool
    standard: str
    state: str
    building: int | None
    battery: BatteryOut | None
    flags: list[FlagOut]
    chain: list[dict[str, Any]] = Field(description="the bike's EPCIS events, oldest first")


class BuildingOut(Schema):
    id: int
    name: str
    region: str
    high_rise: bool
    ebikes: int = Field(description="registered e-bikes kept there")
    counted: int | None = Field(description="the grid's latest live count (动态排摸)")
    ports: int = Field(description="charging ports serving it")
    colour: str | None
    reasons: list[str]


class BuildingFilter(Schema):
    region: str = Field("", max_length=15, pattern=r"^\d*$")
    colour: str = Field("", pattern=r"^(|green|yellow|red)$")
    page: int = Field(1, ge=1, le=MAX_PAGE)
    per_page: int = Field(100, ge=1, le=MAX_PER_PAGE)


class ShopFilter(Schema):
    region: str = Field("", max_length=15, pattern=r"^\d*$")


# --- helpers ---------------------------------------------------------------------------------


def _english() -> bool:
    return (translation.get_language() or "").startswith("en")


def _building_out(building: Building) -> BuildingOut:
    reasons = getattr(building, "colour_reasons", None) or []
    if isinstance(reasons, str):
        import json

        reasons = json.loads(reasons)
    return BuildingOut(
        id=building.pk,
        name=building.name,
        region=building.region_id,
        high_rise=building.high_rise,
        ebikes=getattr(building, "ebike_count", 0) or 0,
        counted=building.counted,
        ports=getattr(building, "port_count", 0) or 0,
        colour=getattr(building, "colour", None),
        reasons=reason_texts(reasons, english=_english()),
    )


def _battery_out(battery: Battery | None) -> BatteryOut | None:
    if battery is None:
        return None
    return BatteryOut(
        code=battery.code,
        identifier=battery.identifier,
        chemistry=battery.chemistry,
        voltage_v=float(battery.voltage_v),
        capacity_ah=float(battery.capacity_ah),
        ccc=battery.ccc,
    )


def _bike_out(bike: Ebike) -> BikeOut:
    flags = [
        FlagOut(
            kind=flag.kind,
            reason="; ".join(str(r) for r in flag.reasons) or flag.get_kind_display(),
            case=flag.case.number if flag.case else None,
            at=flag.at,
        )
        for flag in ebike_flags(bike)
    ]
    return BikeOut(
        plate=bike.plate,
        identifier=bike.identifier,
        frame_number=bike.frame_number,
        registered=bike.registered,
        standard=bike.standard,
        state=bike.state,
        building=bike.building_id,
        battery=_battery_out(ebike_battery(bike)),
        flags=flags,
        chain=ebike_chain(bike),
    )


# --- endpoints -------------------------------------------------------------------------------


@router.post(
    "/ebike/alerts",
    auth=DEVICE_OR_USER,
    response=answers({201: AlertOut}, 400, 403),
    summary="An alert from a lift blocker",
)
def alerts_create(request: HttpRequest, payload: AlertIn) -> Status:
    """From a lift blocker with its key (`X-Device-Key`, for its own building), or from a user
    who manages the building (its property manager, or an administrator of its region). By the
    alert rules (data), the third lift-entry alert of a building within 24 hours opens one case
    for its property manager; later alerts join the open case. `case` is its number, or null.
    An unknown or revoked key is 401 and nothing is stored."""
    auth = getattr(request, "auth", None)
    device = auth if isinstance(auth, LiftBlocker) else None
    actor = None if device is not None else request_user(request)
    alert = alert_receive(
        kind=payload.kind,
        building=payload.building,
        lift=payload.lift,
        at=payload.at,
        device=device,
        actor=actor if isinstance(actor, User) else None,
    )
    return Status(
        201, AlertOut(id=alert.pk, case=alert.case.number if alert.case_id and alert.case else None)
    )


@router.get(
    "/ebike/checklists",
    response=list[ChecklistOut],
    summary="The e-bike inspection checklists",
)
def checklists_list(request: HttpRequest) -> list[ChecklistOut]:
    from jiceng.inspections.models import Checklist

    english = _english()
    found = Checklist.objects.filter(module=MODULE, is_active=True).prefetch_related("items")
    return [
        ChecklistOut(
            code=c.code,
            name=(c.name_en if english and c.name_en else c.name),
            items=[
                ItemOut(
                    code=i.code,
                    text=(i.text_en if english and i.text_en else i.text),
                    category=i.category,
                    severity=i.severity,
                )
                for i in sorted(c.items.all(), key=lambda i: (i.position, i.pk))
                if i.is_active
            ],
        )
        for c in found.order_by("code")
    ]


@router.post(
    "/ebike/inspections",
    response=answers({201: InspectionOut}, 400, 403),
    summary="Record an inspection of a building or shop",
)
def inspections_create(request: HttpRequest, payload: InspectionIn) -> Status:
    """Every active item of the checklist answered once; a failed item opens a case by its
    category (fire → the fire brigade, market → market supervision, registration → the traffic
    police, property → the property manager's office), an item now passed closes its open
    case. 400 names the field; the target must lie in the caller's region."""
    inspection = inspection_submit(
        actor=request_user(request),
        target=payload.target,
        checklist=payload.checklist,
        inspected_at=payload.inspected_at,
        findings=[f.dict() for f in payload.findings],
        note=payload.note,
    )
    opened = getattr(inspection, "opened_cases", []) or []
    return Status(201, InspectionOut(id=inspection.pk, cases=[c.number for c in opened]))


@router.get("/ebike/shops", response=list[ShopOut], summary="E-bike shops and recyclers")
def shops_list(request: HttpRequest, filters: Query[ShopFilter]) -> list[ShopOut]:
    return [
        ShopOut(id=s.pk, identifier=s.identifier, name=s.name, region=s.region_id, kind=s.kind)
        for s in shops_visible_to(request_user(request), region=filters.region)
    ]


@router.post(
    "/ebike/bikes",
    response=answers({201: BikeOut}, 400, 403, 409),
    summary="Register an e-bike with its battery",
)
def bikes_create(request: HttpRequest, payload: BikeIn) -> Status:
    """400 names the field (a plate or frame number in a wrong format, an unknown building, a
    lithium battery over 60 V claimed compliant…) and nothing is stored; 409 for a plate (or
    frame number, or battery code) registered already."""
    try:
        bike = ebike_register(
            actor=request_user(request),
            plate=payload.plate,
            frame_number=payload.frame_number,
            standard=payload.standard,
            bought_on=payload.bought_on,
            building=payload.building,
            owner_name=payload.owner_name,
            owner_phone=payload.owner_phone,
            battery=payload.battery.dict() if payload.battery else None,
        )
    except DuplicateEbike as exc:
        message = _("%s is registered already.") % exc.value
        return Status(409, Error(detail=f"{exc.field}: {message}", errors={exc.field: [message]}))
    return Status(201, _bike_out(bike))


@router.get(
    "/ebike/bikes/{plate}",
    response=answers({200: BikeOut}),
    summary="One e-bike with its flags and chain",
)
def bikes_get(request: HttpRequest, plate: str = Path(..., pattern=KEY)) -> BikeOut:
    return _bike_out(ebike_get_for_user(request_user(request), plate))


@router.get(
    "/ebike/buildings",
    response=list[BuildingOut],
    summary="Residential buildings with their e-bikes, ports and colour",
)
def buildings_list(request: HttpRequest, filters: Query[BuildingFilter]) -> list[BuildingOut]:
    buildings = buildings_visible_to(
        request_user(request), region=filters.region, colour=filters.colour
    )
    start = (filters.page - 1) * filters.per_page
    return [_building_out(b) for b in buildings[start : start + filters.per_page]]


@router.get(
    "/ebike/buildings/{building_id}",
    response=answers({200: BuildingOut}),
    summary="One building with its colour and reasons",
)
def buildings_get(request: HttpRequest, building_id: RecordId) -> BuildingOut:
    return _building_out(building_get_for_user(request_user(request), building_id))
