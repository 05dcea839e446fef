"""Who may do what in bottled gas, beyond seeing their region.

- Registries (cylinders, user sites): any role that may write, inside its region; administrators
  of a region (county or town) and the gas company's managers manage stations' staff and scale
  devices in their region.
- Safety checks (安检): the gas trade (station staff, delivery workers, managers), the region's
  administrators, and town officers (joint inspections); a grid worker reports a hazard as a case.
- Phone orders: the region's administrators, the gas company's managers and station staff.
- Capturing cylinder events (EPCIS): the staff of a station and its delivery workers in their
  station's service area; the gas company's managers and region administrators in their region;
  a scale device bound to a station in that station's service area. Nobody else: a town officer
  has no business moving cylinders.

A station's *service area* is its own region, the sites it serves (wherever they lie), and the
stations next to it in the network (the one that supplies it and those it supplies), between
which cylinders travel. Every location (bizLocation, readPoint, sources, destinations) and every
cylinder of an event must lie in the capturer's area; a cylinder lies there when its owner
station, the station it is at or the site it is at does. The ledger asks `capture_verdicts` for
each event of a document (registered in GasConfig.ready()); one refusal refuses the document.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _

from jiceng.core import roles
from jiceng.core.models import Role
from jiceng.core.scope import code_in_scope, code_within
from jiceng.gas.models import (
    CYLINDER_URN,
    SITE_URN,
    STATION_URN,
    Cylinder,
    ScaleDevice,
    Station,
    UserSite,
)
from jiceng.gas.selectors import site_id_of, station_code_of

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from jiceng.core.models import User
    from jiceng.ledger.documents import ParsedEvent
    from jiceng.ledger.hooks import Capturer

# Who captures in their whole region, and who manages stations' staff and devices there.
REGION_GAS_ROLES = frozenset({*roles.REGION_ADMINS, Role.GAS_MANAGER})
# Who captures in their station's service area (the station they are staff or a worker of).
STATION_ROLES = frozenset({Role.STATION_STAFF, Role.DELIVERY_WORKER})
CHUNK = 5000  # identifiers per query


# --- registries ---------------------------------------------------------------------------


def check_may_write_in(actor: User | None, region_code: str) -> None:
    """Registry writes (cylinders, sites): a role that may write, inside its region."""
    if actor is None:
        return
    if not roles.may_write(actor):
        raise PermissionDenied(_("Your role may not change the gas registries."))
    if not code_in_scope(actor, region_code):
        raise PermissionDenied(_("That station or site is outside your region."))


def may_manage_station(user: User | AnonymousUser | None, station: Station) -> bool:
    """Region administrators and gas managers of the station's region: its staff, its devices."""
    if user is None or not user.is_authenticated or not roles.may_write(user):
        return False
    if not (roles.is_region_admin(user) or roles.has_role(user, Role.GAS_MANAGER)):
        return False
    return code_in_scope(user, station.region_id)


def check_may_manage_station(actor: User | None, station: Station) -> None:
    if actor is not None and not may_manage_station(actor, station):
        raise PermissionDenied(_("Only the region's administrators and gas managers may do this."))


SAFETY_CHECK_ROLES = frozenset({*REGION_GAS_ROLES, *STATION_ROLES, Role.TOWN_OFFICER})
ORDER_ROLES = frozenset({*REGION_GAS_ROLES, Role.STATION_STAFF})


def may_record_checks(user: User | AnonymousUser | None) -> bool:
    if user is None or not user.is_authenticated or not roles.may_write(user):
        return False
    return bool(user.is_superuser or roles.roles_of(user) & SAFETY_CHECK_ROLES)


def check_may_record_checks(actor: User) -> None:
    if not may_record_checks(actor):
        raise PermissionDenied(_("Your role may not record safety checks."))


def may_take_orders(user: User | AnonymousUser | None) -> bool:
    if user is None or not user.is_authenticated or not roles.may_write(user):
        return False
    return bool(user.is_superuser or roles.roles_of(user) & ORDER_ROLES)


def check_may_take_orders(actor: User) -> None:
    if not may_take_orders(actor):
        raise PermissionDenied(_("Your role may not take orders."))


# --- capture ------------------------------------------------------------------------------


@dataclass
class CaptureArea:
    """Where a capturer may capture: region codes (a whole subtree each) and stations."""

    region_codes: set[str] = field(default_factory=set)
    station_ids: set[int] = field(default_factory=set)

    def has_station(self, station_id: int | None, region_code: str | None) -> bool:
        if station_id is not None and station_id in self.station_ids:
            return True
        return bool(region_code) and any(
            code_within(region_code or "", r) for r in self.region_codes
        )

    def has_site(self, station_id: int | None, region_code: str) -> bool:
        if station_id is not None and station_id in self.station_ids:
            return True
        return any(code_within(region_code, r) for r in self.region_codes)


def _stations_area(stations: Sequence[Station], area: CaptureArea) -> None:
    for station in stations:
        area.region_codes.add(station.region_id)
        area.station_ids.add(station.pk)
        if station.parent_id is not None:
            area.station_ids.add(station.parent_id)
    ids = [s.pk for s in stations]
    if ids:
        area.station_ids.update(
            Station.objects.filter(parent_id__in=ids).values_list("pk", flat=True)
        )


def user_stations(user: User) -> list[Station]:
    """The stations a user works at: as their staff, or as a delivery worker."""
    return list(
        Station.objects.filter(
            Q(staff=user) | Q(workers__user=user, workers__is_active=True), is_active=True
        ).distinct()
    )


def capture_area(*, user: User | None, device: Any = None) -> CaptureArea | None:
    """Where the capturer may capture cylinder events, or None when not at all."""
    area = CaptureArea()
    if isinstance(device, ScaleDevice):
        if device.revoked_at is not None or not device.station.is_active:
            return None
        _stations_area([device.station], area)
        return area
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if not roles.may_write(user):
        return None
    held = roles.roles_of(user)
    if (held & REGION_GAS_ROLES or user.is_superuser) and user.region_id:
        area.region_codes.add(user.region_id)
    if held & STATION_ROLES:
        _stations_area(user_stations(user), area)
    if not area.region_codes and not area.station_ids:
        return None
    return area


def _places(event: ParsedEvent) -> list[str]:
    places: list[Any] = [event.biz_location, event.read_point]
    for key, name in (("sourceList", "source"), ("destinationList", "destination")):
        entries = event.body.get(key)
        if isinstance(entries, list):
            places += [e.get(name) for e in entries if isinstance(e, dict)]
    return [p for p in places if isinstance(p, str) and p]


def _ours(uri: str) -> bool:
    return uri.startswith((SITE_URN, STATION_URN))


def capture_verdicts(capturer: Capturer, events: Sequence[ParsedEvent]) -> list[list[str] | None]:
    """For each event: None when it is no cylinder event (not gas's to judge), else the reasons
    it is refused (empty: allowed). An event is gas's when it names a station or a user site, or
    a cylinder (a urn:jiceng:cylinder: identifier or one registered as a cylinder)."""
    objects = {e for ev in events for e in (*ev.epcs, *ev.child_epcs)}
    known: dict[str, Cylinder] = {}
    ordered = sorted(objects)
    for start in range(0, len(ordered), CHUNK):  # within every database's parameter limit
        cylinders = (
            Cylinder.objects.filter(identifier__in=ordered[start : start + CHUNK])
            .select_related("owner", "location_station", "location_site")
            .order_by()
        )
        known.update((c.identifier, c) for c in cylinders)
    claimed = [
        any(_ours(p) for p in _places(ev))
        or any(e in known or e.startswith(CYLINDER_URN) for e in (*ev.epcs, *ev.child_epcs))
        for ev in events
    ]
    if not any(claimed):
        return [None] * len(events)
    area = capture_area(user=capturer.user, device=capturer.device)
    if area is None:
        refusal = _("Your roles may not capture cylinder events.")
        return [[refusal] if c else None for c in claimed]
    codes = {station_code_of(p) for ev in events for p in _places(ev)} - {None}
    site_ids = {site_id_of(p) for ev in events for p in _places(ev)} - {None}
    stations = {
        s.code: s for s in Station.objects.filter(code__in=codes).only("pk", "code", "region_id")
    }
    sites = {
        s.pk: s
        for s in UserSite.objects.filter(pk__in=site_ids).only("pk", "region_id", "station_id")
    }
    verdicts: list[list[str] | None] = []
    for ev, mine in zip(events, claimed, strict=True):
        if not mine:
            verdicts.append(None)
            continue
        reasons = []
        for place in dict.fromkeys(_places(ev)):
            if place.startswith(STATION_URN):
                station = stations.get(station_code_of(place) or "")
                # An unknown place is the capture handler's to refuse (with its reason).
                if station is not None and not area.has_station(station.pk, station.region_id):
                    reasons.append(_("%s is outside your service area.") % place)
            elif place.startswith(SITE_URN):
                site = sites.get(site_id_of(place) or 0)
                if site is not None and not area.has_site(site.station_id, site.region_id):
                    reasons.append(_("%s is outside your service area.") % place)
            else:
                reasons.append(_("%s is not a station or site of this deployment.") % place)
        for epc in dict.fromkeys((*ev.epcs, *ev.child_epcs)):
            cylinder = known.get(epc)
            if cylinder is not None and not _cylinder_in(cylinder, area):
                reasons.append(_("Cylinder %s is outside your service area.") % epc)
        verdicts.append(reasons)
    return verdicts


def _cylinder_in(cylinder: Cylinder, area: CaptureArea) -> bool:
    """A cylinder lies in the area when its owner, its station or its site does; a cylinder
    seen but never placed anywhere (unregistered) lies everywhere."""
    places = []
    if cylinder.owner is not None:
        places.append(area.has_station(cylinder.owner_id, cylinder.owner.region_id))
    if cylinder.location_station is not None:
        places.append(
            area.has_station(cylinder.location_station_id, cylinder.location_station.region_id)
        )
    if cylinder.location_site is not None:
        site = cylinder.location_site
        places.append(area.has_site(site.station_id, site.region_id))
    return not places or any(places)
