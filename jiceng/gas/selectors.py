"""Reads of the gas module: registries in a user's scope, fill checks, site colours and the
public views of a QR scan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from jiceng.core.models import User
from jiceng.core.scope import get_in_scope_or_404, region_prefix_q, scope_queryset
from jiceng.gas.lifecycle import FillCheck, fill_check_values
from jiceng.gas.models import (
    CYLINDER_URN,
    SITE_URN,
    STATION_URN,
    Cylinder,
    CylinderState,
    DeliveryWorker,
    Order,
    ScaleDevice,
    Station,
    UserSite,
)
from jiceng.gas.reference_data import SITE_SCHEME
from jiceng.inspections.models import Finding, Inspection, InspectionPhoto
from jiceng.inspections.selectors import checklist_with_items, findings_of_target, open_findings
from jiceng.risk.models import ColourChange, SubjectColour
from jiceng.risk.selectors import colour_history, colour_of, reason_texts

AnyUser = User | AnonymousUser


def cylinder_uri(value: str) -> str:
    """A cylinder's identifier as a URI: URIs stay, a bare serial becomes urn:jiceng:cylinder:."""
    value = value.strip()
    return value if value.startswith("urn:") else f"{CYLINDER_URN}{value}"


def site_id_of(uri: str) -> int | None:
    """The site id in urn:jiceng:site:<id>, or None."""
    if not uri.startswith(SITE_URN):
        return None
    tail = uri.removeprefix(SITE_URN)
    return int(tail) if tail.isdigit() else None


def station_code_of(uri: str) -> str | None:
    return uri.removeprefix(STATION_URN) if uri.startswith(STATION_URN) else None


# --- registries in scope -------------------------------------------------------------------


def stations_visible_to(user: AnyUser) -> QuerySet[Station]:
    return scope_queryset(Station.objects.filter(is_active=True), user)


def station_get_for_user(user: AnyUser, code: str) -> Station:
    """An active station inside the user's region; one outside it is a 404."""
    return get_in_scope_or_404(
        Station.objects.filter(is_active=True).select_related("region"), user, code=code
    )


def station_devices(station: Station) -> QuerySet[ScaleDevice]:
    """The station's scale devices, the active ones first, newest first."""
    return station.devices.order_by(F("revoked_at").desc(nulls_first=True), "-created_at")


def station_for_user(user: AnyUser) -> Station | None:
    """The station a user works at: as its staff, or as a delivery worker of it."""
    if not user.is_authenticated:
        return None
    station = Station.objects.filter(staff=user).first()
    if station is None:
        worker = DeliveryWorker.objects.filter(user=user).select_related("station").first()
        station = worker.station if worker else None
    return station


def cylinders_visible_to(user: AnyUser) -> QuerySet[Cylinder]:
    return scope_queryset(Cylinder.objects.select_related("owner"), user)


def cylinder_get_for_user(user: AnyUser, identifier: str) -> Cylinder:
    return get_in_scope_or_404(
        Cylinder.objects.select_related("owner", "location_station", "location_site"),
        user,
        identifier=cylinder_uri(identifier),
    )


def _with_colour(queryset: QuerySet[UserSite]) -> QuerySet[UserSite]:
    colours = SubjectColour.objects.filter(scheme=SITE_SCHEME, subject=OuterRef("pk"))
    return queryset.annotate(
        colour=Subquery(colours.values("colour")[:1]),
        colour_reasons=Subquery(colours.values("reasons")[:1]),
    )


def sites_visible_to(
    user: AnyUser, *, region: str = "", colour: str = "", kind: str = "", query: str = ""
) -> QuerySet[UserSite]:
    sites = scope_queryset(UserSite.objects.select_related("site", "region"), user)
    if region:
        sites = sites.filter(region_prefix_q(region))
    if kind:
        sites = sites.filter(kind=kind)
    if query:
        sites = sites.filter(
            Q(site__name__contains=query)
            | Q(site__address__contains=query)
            | Q(contact_phone__endswith=query)
        )
    if colour:
        sites = sites.filter(
            pk__in=SubjectColour.objects.filter(scheme=SITE_SCHEME, colour=colour).values("subject")
        )
    return _with_colour(sites)


def site_get_for_user(user: AnyUser, site_id: int) -> UserSite:
    return get_in_scope_or_404(
        _with_colour(UserSite.objects.select_related("site", "region", "station")),
        user,
        pk=site_id,
    )


def sites_by_phone(user: AnyUser, phone: str) -> list[UserSite]:
    """Sites whose contact phone is this number (or ends with these digits, at least 4)."""
    digits = "".join(c for c in phone if c.isdigit())
    if len(digits) < 4:
        return []
    sites = scope_queryset(UserSite.objects.select_related("site", "station"), user)
    return list(sites.filter(contact_phone__endswith=digits)[:20])


def workers_visible_to(user: AnyUser) -> QuerySet[DeliveryWorker]:
    return scope_queryset(DeliveryWorker.objects.select_related("station"), user)


# --- fill check ---------------------------------------------------------------------------


def _owned_here(cylinder: Cylinder, station: Station | None) -> bool | None:
    """Owned by the station, or by a station it supplies (the filling station fills the
    cylinders of its supply stations). None when no station is given."""
    if station is None:
        return None
    if cylinder.owner_id is None:
        return False
    if cylinder.owner_id == station.pk:
        return True
    owner = cylinder.owner
    while owner is not None and owner.parent_id is not None:
        if owner.parent_id == station.pk:
            return True
        owner = owner.parent
    return False


def cylinder_fill_check(
    *, cylinder: Cylinder | None, station: Station | None, on: date | None = None
) -> FillCheck:
    on = on or timezone.localdate()
    if cylinder is None:
        return FillCheck(False, ["unregistered"])
    return fill_check_values(
        registered=cylinder.registered,
        scrapped=cylinder.state == CylinderState.SCRAPPED,
        end_of_life=cylinder.end_of_life,
        next_inspection_due=cylinder.next_inspection_due,
        owned_here=_owned_here(cylinder, station),
        on=on,
    )


# --- colours ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SiteColour:
    colour: str
    reasons: list[str]
    since: datetime | None


def site_colour(site_id: int, *, english: bool = False) -> SiteColour:
    row = colour_of(SITE_SCHEME, site_id)
    if row is None:
        return SiteColour("", [], None)
    return SiteColour(row.colour, reason_texts(row.reasons, english=english), row.since)


def site_colour_history(site_id: int) -> list[ColourChange]:
    return colour_history(SITE_SCHEME, site_id)


def colour_counts_by_region(user: AnyUser, *, level_length: int = 12) -> dict[str, dict[str, int]]:
    """Sites of each colour per region (village/community when level_length is 12)."""
    from django.db.models.functions import Substr

    sites = _with_colour(scope_queryset(UserSite.objects.all(), user))
    rows = (
        sites.annotate(area=Substr("region_id", 1, level_length))
        .values("area", "colour")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[str, dict[str, int]] = {}
    for row in rows:
        counts.setdefault(row["area"], {})[row["colour"] or "none"] = row["n"]
    return counts


# A community's shade on the regulator's map, from its sites' colours: red when this share of its
# sites is red, yellow when this share is yellow or red, else green.
COMMUNITY_RED_SHARE = 0.1
COMMUNITY_YELLOW_SHARE = 1 / 3


def community_colour(counts: dict[str, int]) -> str:
    """The shade of a community with these counts of sites by colour."""
    total = sum(counts.values()) or 1
    red, yellow = counts.get("red", 0), counts.get("yellow", 0)
    if red / total >= COMMUNITY_RED_SHARE:
        return "red"
    if (red + yellow) / total >= COMMUNITY_YELLOW_SHARE:
        return "yellow"
    return "green"


# --- history and public views ----------------------------------------------------------------


# Safety checks and hazards are the inspections engine's inspections and failed findings of
# target kind "gas_site" (jiceng/gas/services/checks.py).
CHECK_KIND = "gas_site"


def check_items() -> list[tuple[str, str]]:
    """The gas checklist's active items (code, text in the page's language), in order."""
    checklist = checklist_with_items(CHECK_KIND)
    if checklist is None:
        return []
    return [(item.code, item.label) for item in checklist.item_list]  # type: ignore[attr-defined]


def site_last_safety_check(site_id: int) -> Inspection | None:
    return (
        Inspection.objects.filter(target_kind=CHECK_KIND, target_id=str(site_id))
        .order_by("-inspected_at")
        .first()
    )


def site_last_delivery(site_id: int) -> Order | None:
    return (
        Order.objects.filter(site_id=site_id, state=Order.State.DELIVERED)
        .order_by("-delivered_at")
        .first()
    )


def site_open_hazards(site_id: int) -> list[Finding]:
    return open_findings(CHECK_KIND, [str(site_id)])


def site_cylinders(site: UserSite) -> QuerySet[Cylinder]:
    """The cylinders at the user's site now (delivered and not yet collected)."""
    return Cylinder.objects.filter(location_site=site, state=CylinderState.AT_USER).order_by(
        "identifier"
    )


def site_hazards(site: UserSite, *, limit: int = 30) -> list[Finding]:
    """The site's hazards (failed findings), open and rectified, newest first, with their
    items, inspections and cases."""
    return findings_of_target(CHECK_KIND, str(site.pk), limit=limit)


def site_recent_orders(site: UserSite, *, limit: int = 10) -> list[Order]:
    """The site's latest orders, newest first."""
    return list(Order.objects.filter(site=site).order_by("-taken_at")[:limit])


def site_safety_checks(site: UserSite, *, limit: int = 10) -> list[Inspection]:
    """The site's latest safety checks, newest first, with their inspectors and photos."""
    return list(
        Inspection.objects.filter(target_kind=CHECK_KIND, target_id=str(site.pk))
        .select_related("inspector")
        .prefetch_related("photos")
        .order_by("-inspected_at", "-id")[:limit]
    )


def safety_check_photo_for_user(user: AnyUser, token: str) -> InspectionPhoto:
    """A safety check's photo, if the checked site is in the user's scope (the same test as the
    site page); 404 otherwise, as for a missing one."""
    photo = (
        InspectionPhoto.objects.select_related("inspection")
        .filter(token=token[:40], inspection__target_kind=CHECK_KIND)
        .first()
    )
    if photo is None or not photo.inspection.target_id.isdigit():
        raise Http404("No such photo.")
    get_in_scope_or_404(
        UserSite.objects.only("pk", "region_id"), user, pk=int(photo.inspection.target_id)
    )
    return photo


def site_public_view(qr_token: str) -> dict[str, Any] | None:
    """What anyone scanning a site's QR code sees: its colour, kind, community and the dates of
    the last delivery and safety check. No names, phone numbers or addresses."""
    site = UserSite.objects.select_related("region", "site").filter(site__qr_token=qr_token).first()
    if site is None:
        return None
    check = site_last_safety_check(site.pk)
    delivery = site_last_delivery(site.pk)
    return {
        "identifier": site.identifier,
        "kind": site.get_kind_display(),
        "community": site.region.name,
        "colour": site_colour(site.pk),
        "last_safety_check": check.inspected_at if check else None,
        "last_delivery": delivery.delivered_at if delivery else None,
        "cylinders_at_site": Cylinder.objects.filter(
            location_site=site, state=CylinderState.AT_USER
        ).count(),
    }


def cylinder_public_view(identifier: str) -> dict[str, Any] | None:
    """What anyone scanning a cylinder sees: whether it may be filled and its inspection dates."""
    cylinder = (
        Cylinder.objects.select_related("owner").filter(identifier=cylinder_uri(identifier)).first()
    )
    if cylinder is None:
        return None
    return {
        "cylinder": cylinder,
        "check": cylinder_fill_check(cylinder=cylinder, station=None),
        "inspection_valid": cylinder.next_inspection_due is not None
        and cylinder.next_inspection_due >= timezone.localdate(),
    }


def orders_visible_to(
    user: AnyUser, *, state: str = "", late_only: bool = False
) -> QuerySet[Order]:
    orders = scope_queryset(Order.objects.select_related("site__site", "station", "worker"), user)
    if state:
        orders = orders.filter(state=state)
    if late_only:
        orders = orders.filter(state=Order.State.OPEN, window_end__lt=timezone.now())
    return orders


def orders_for_worker(user: AnyUser) -> QuerySet[Order]:
    """A delivery worker's open orders: assigned to them, or to their station and unassigned."""
    worker = (
        DeliveryWorker.objects.filter(user_id=user.pk).first() if user.is_authenticated else None
    )
    orders = Order.objects.select_related("site__site", "station").filter(state=Order.State.OPEN)
    if worker is None:
        return scope_queryset(orders, user)
    return orders.filter(Q(worker=worker) | Q(worker__isnull=True, station=worker.station))


def phone_masked(phone: str) -> str:
    """A phone number as pages show it: 138****1111."""
    digits = phone.strip()
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


def cylinder_history(cylinder: Cylinder, *, limit: int = 200) -> list[dict[str, Any]]:
    """The cylinder's ledger events, oldest first (scope was checked on the cylinder)."""
    from jiceng.ledger.selectors import events_query

    events, _token = events_query(match_epc=[cylinder.identifier], per_page=limit)
    return events


def cylinder_flags(cylinder: Cylinder) -> list[Any]:
    return list(cylinder.flags.select_related("station", "site").order_by("-at")[:50])


def red_sites_points(user: AnyUser, *, limit: int = 5000) -> list[dict[str, Any]]:
    """Red sites with coordinates, for the map."""
    sites = sites_visible_to(user, colour="red").filter(site__lat__isnull=False)
    rows = sites.values_list("pk", "site__lat", "site__lon", "kind")[:limit]
    return [{"id": pk, "lat": lat, "lon": lon, "kind": kind} for pk, lat, lon, kind in rows]


def parse_scan(text: str) -> str:
    """A cylinder identifier from what a scanner or a person typed: the label's URL
    (…/gas/q/c/<serial>/), a URN, or a bare serial."""
    value = text.strip()
    marker = "/gas/q/c/"
    if marker in value:
        value = value.split(marker, 1)[1].split("/", 1)[0].split("?", 1)[0]
    return cylinder_uri(value) if value else ""
