"""Reads of the e-bike module: buildings with their registered and counted e-bikes, ports and
colour; the colour history of a building; ports per registered e-bike by building and by
community; shops; a bike with its flags and its chain (its events in the ledger, oldest first);
open findings and alert cases of a building. Every read goes through the region scope."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from jiceng.core.scope import get_in_scope_or_404, region_prefix_q, scope_queryset
from jiceng.ebike.models import (
    EBIKE_URN,
    Building,
    ChargingPlace,
    Ebike,
    EbikeFlag,
    EbikeState,
    GroundFloorSpace,
    LiftAlert,
    Shop,
)
from jiceng.ebike.reference_data import BUILDING_SCHEME
from jiceng.risk.models import SubjectColour

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from jiceng.core.models import User

KEPT = (EbikeState.IN_USE, EbikeState.IN_STOCK)


def _sum_ports(model: Any, **extra: Any) -> Subquery:
    return Subquery(
        model.objects.filter(building=OuterRef("pk"), **extra)
        .order_by()
        .values("building")
        .annotate(n=Sum("ports"))
        .values("n")[:1],
        output_field=IntegerField(),
    )


def buildings_annotated(queryset: QuerySet[Building]) -> QuerySet[Building]:
    """Buildings with `ebike_count` (registered, kept), `port_count` (charging places and converted
    ground floors), `colour` and `colour_reasons`."""
    bikes = Subquery(
        Ebike.objects.filter(building=OuterRef("pk"), registered=True, state__in=KEPT)
        .order_by()
        .values("building")
        .annotate(n=Count("id"))
        .values("n")[:1],
        output_field=IntegerField(),
    )
    colour = SubjectColour.objects.filter(scheme=BUILDING_SCHEME, subject=OuterRef("pk"))
    return queryset.annotate(
        ebike_count=Coalesce(bikes, 0),
        port_count=Coalesce(_sum_ports(ChargingPlace, is_active=True), 0)
        + Coalesce(_sum_ports(GroundFloorSpace), 0),
        colour=Subquery(colour.values("colour")[:1]),
        colour_reasons=Subquery(colour.values("reasons")[:1]),
    )


def buildings_visible_to(
    user: User | AnonymousUser, *, region: str = "", colour: str = ""
) -> QuerySet[Building]:
    buildings = scope_queryset(Building.objects.all(), user)
    if region:
        buildings = buildings.filter(region_prefix_q(region))
    if colour:
        coloured = SubjectColour.objects.filter(
            scheme=BUILDING_SCHEME, subject=OuterRef("pk"), colour=colour
        )
        buildings = buildings.filter(Exists(coloured))
    return buildings_annotated(buildings).order_by("pk")


def building_get_for_user(user: User | AnonymousUser, building_id: int) -> Building:
    return get_in_scope_or_404(buildings_annotated(Building.objects.all()), user, pk=building_id)


def building_colour_history(building: Building, limit: int = 100) -> list[Any]:
    """The building's colour changes, newest first (each with its colour, the one before, the
    reasons and when)."""
    from jiceng.risk.selectors import colour_history

    return colour_history(BUILDING_SCHEME, building.pk, limit=limit)


def building_open_findings(building: Building) -> list[Any]:
    """The open findings of the building's inspections (the engine's rows)."""
    from jiceng.inspections.models import Finding

    return list(
        Finding.objects.filter(
            target_kind="building", target_id=str(building.pk), ok=False, status="open"
        )
        .select_related("item", "case", "inspection")
        .order_by("deadline", "id")
    )


def building_alert_cases(building: Building, *, open_only: bool = True) -> list[Any]:
    """The cases opened by the building's lift-blocker alerts, newest first."""
    from jiceng.cases.models import Case

    ids = LiftAlert.objects.filter(building=building, case__isnull=False).values("case_id")
    cases = Case.objects.filter(pk__in=ids)
    if open_only:
        cases = cases.filter(is_open=True)
    return list(cases.select_related("category").order_by("-reported_at"))


def building_alerts(building: Building, limit: int = 100) -> list[LiftAlert]:
    return list(LiftAlert.objects.filter(building=building).order_by("-at", "-id")[:limit])


@dataclass
class Coverage:
    """Ports per registered e-bike of one region (a community, or a grid)."""

    region_code: str
    buildings: int
    ebikes: int
    counted: int
    ports: int
    ratio: float | None = field(default=None)


def ports_coverage(
    user: User | AnonymousUser, *, region: str = "", level_length: int = 12
) -> list[Coverage]:
    """Ports against registered (and counted) e-bikes, rolled up by the region code of
    `level_length` digits (12: communities and villages, 15: grids) within the user's scope."""
    rows: dict[str, Coverage] = {}
    buildings = buildings_visible_to(user, region=region)
    columns = ("region_id", "ebike_count", "port_count", "counted")
    for building in buildings.values(*columns):
        code = str(building["region_id"])
        key = code if len(code) <= level_length else _ancestor(code, level_length)
        row = rows.setdefault(key, Coverage(key, 0, 0, 0, 0))
        row.buildings += 1
        row.ebikes += building["ebike_count"] or 0
        row.ports += building["port_count"] or 0
        row.counted += building["counted"] or 0
    for row in rows.values():
        row.ratio = round(row.ports / row.ebikes, 3) if row.ebikes else None
    return sorted(rows.values(), key=lambda r: r.region_code)


def _ancestor(code: str, length: int) -> str:
    from jiceng.core.scope import village_of

    if length == 12:
        return village_of(code) or code
    return code


def shops_visible_to(user: User | AnonymousUser, *, region: str = "") -> QuerySet[Shop]:
    shops = scope_queryset(Shop.objects.filter(is_active=True), user)
    if region:
        shops = shops.filter(region_prefix_q(region))
    return shops.order_by("pk")


def ebike_get_for_user(user: User | AnonymousUser, plate: str) -> Ebike:
    """A bike by its plate (or the key of its identifier: a frame number), in the user's
    scope."""
    bikes = Ebike.objects.select_related("building").filter(
        Q(plate=plate) | Q(identifier=f"{EBIKE_URN}{plate}")
    )
    return get_in_scope_or_404(bikes, user)


def ebike_flags(bike: Ebike) -> list[EbikeFlag]:
    return list(EbikeFlag.objects.filter(ebike=bike).select_related("case").order_by("at", "id"))


def ebike_chain(bike: Ebike, *, limit: int = 1000) -> list[dict[str, Any]]:
    """The bike's events in the ledger, oldest first, under every URI it has been named by
    (its identifier, its plate's and its frame number's)."""
    from jiceng.ledger.selectors import events_query

    uris = {bike.identifier}
    for key in (bike.plate, bike.frame_number):
        if key:
            uris.add(f"{EBIKE_URN}{key}")
    events, _token = events_query(match_epc=sorted(uris), per_page=limit)
    return events


def ebike_battery(bike: Ebike) -> Any:
    return bike.batteries.filter(state="in_use").order_by("-id").first()
