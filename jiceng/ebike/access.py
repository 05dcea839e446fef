"""Who may do what in e-bike fire safety, beyond seeing their region.

- Registries (buildings, e-bikes, shops, charging places, converted ground floors, imports): any
  role that may write, inside its region (as the gas registries).
- A building's devices and alerts: its property manager (物业, `Building.property_manager`) and
  the administrators of its region. Alerts come from the building's lift blockers with their
  key, or from those users.
- Live counts (动态排摸): grid and village workers, town officers, region administrators, and the
  building's property manager, inside their region.
- Inspections: region administrators, town officers, grid and village workers and department
  handlers (the fire brigade, market supervision and traffic police inspect jointly); a
  property manager inspects their own buildings.
- Capturing e-bike events (EPCIS): a shop owner (`ebike_shop`, on the shop's owner list) for
  their own shop; region administrators in their region. Nobody else, and no device.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from jiceng.core import roles
from jiceng.core.models import Role
from jiceng.core.scope import code_in_scope
from jiceng.ebike.models import BATTERY_URN, EBIKE_URN, RECYCLER_URN, SHOP_URN, Building, Shop

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from jiceng.core.models import User
    from jiceng.ledger.documents import ParsedEvent
    from jiceng.ledger.hooks import Capturer

COUNT_ROLES = frozenset(
    {*roles.REGION_ADMINS, Role.GRID_WORKER, Role.VILLAGE_WORKER, Role.TOWN_OFFICER}
)
INSPECT_ROLES = frozenset(
    {
        *roles.REGION_ADMINS,
        Role.TOWN_OFFICER,
        Role.GRID_WORKER,
        Role.VILLAGE_WORKER,
        Role.DEPARTMENT_HANDLER,
    }
)


def _writer(user: User | AnonymousUser | None) -> bool:
    return bool(user is not None and user.is_authenticated and roles.may_write(user))


def check_may_write_in(actor: User | None, region_code: str) -> None:
    """Registry writes: a role that may write, inside its region (None: the system itself)."""
    if actor is None:
        return
    if not roles.may_write(actor):
        raise PermissionDenied(_("Your role may not change the e-bike registries."))
    if not code_in_scope(actor, region_code):
        raise PermissionDenied(_("That place is outside your region."))


def may_manage_building(user: User | AnonymousUser | None, building: Building) -> bool:
    """The building's property manager, or an administrator of its region."""
    if not _writer(user):
        return False
    assert user is not None
    if building.property_manager_id is not None and building.property_manager_id == user.pk:
        return True
    return roles.is_region_admin(user) and code_in_scope(user, building.region_id)


def check_may_manage_building(actor: User | None, building: Building) -> None:
    if actor is not None and not may_manage_building(actor, building):
        raise PermissionDenied(
            _("Only the building's property manager and the region's administrators may do this.")
        )


def may_count(user: User | AnonymousUser | None, building: Building) -> bool:
    if not _writer(user):
        return False
    assert user is not None
    if building.property_manager_id == user.pk:
        return True
    held = roles.roles_of(user)
    return bool(user.is_superuser or held & COUNT_ROLES) and code_in_scope(user, building.region_id)


def check_may_count(actor: User | None, building: Building) -> None:
    if actor is not None and not may_count(actor, building):
        raise PermissionDenied(_("Your role may not enter live counts for this building."))


def may_inspect_region(user: User | AnonymousUser | None, region_code: str) -> bool:
    if not _writer(user):
        return False
    assert user is not None
    held = roles.roles_of(user)
    return bool(user.is_superuser or held & INSPECT_ROLES) and code_in_scope(user, region_code)


def may_manage_shop(user: User | AnonymousUser | None, shop: Shop) -> bool:
    """A shop's owner (an `ebike_shop` user on its owner list) or a region administrator."""
    if not _writer(user):
        return False
    assert user is not None
    if roles.is_region_admin(user) and code_in_scope(user, shop.region_id):
        return True
    return roles.has_role(user, Role.EBIKE_SHOP) and shop.owners.filter(pk=user.pk or 0).exists()


# --- capture ------------------------------------------------------------------------------


def _places(event: ParsedEvent) -> list[str]:
    places: list[object] = [event.biz_location, event.read_point]
    for key, name in (("sourceList", "source"), ("destinationList", "destination")):
        entries = event.body.get(key)
        if isinstance(entries, list):
            places += [e.get(name) for e in entries if isinstance(e, dict)]
    return [p for p in places if isinstance(p, str) and p]


def _shop_place(uri: str) -> bool:
    return uri.startswith((SHOP_URN, RECYCLER_URN))


def _ebike_object(uri: str) -> bool:
    return uri.startswith((EBIKE_URN, BATTERY_URN))


def _claims(event: ParsedEvent) -> bool:
    objects = [*event.epcs, *event.child_epcs]
    parent = getattr(event, "parent_id", None)
    if isinstance(parent, str):
        objects.append(parent)
    return any(_ebike_object(o) for o in objects) or any(_shop_place(p) for p in _places(event))


def shop_credit_code(uri: str) -> str | None:
    for prefix in (SHOP_URN, RECYCLER_URN):
        if uri.startswith(prefix):
            return uri.removeprefix(prefix)
    return None


def capture_verdicts(capturer: Capturer, events: Sequence[ParsedEvent]) -> list[list[str] | None]:
    """For each event: None when it is no e-bike event, else the reasons it is refused (empty:
    allowed). An event is the ebike module's when it names an e-bike or battery, or a shop or
    recycler as a place. Every shop place must be the capturer's own shop (owners) or lie in the
    region of an administrator; events without a shop place are for administrators alone. A
    place naming an unknown shop is left to the capture handler, which refuses the document."""
    claimed = [_claims(ev) for ev in events]
    if not any(claimed):
        return [None] * len(events)
    user = capturer.user
    if capturer.device is not None or user is None or not _writer(user):
        refusal = _("Your roles may not capture e-bike events.")
        return [[refusal] if c else None for c in claimed]
    admin = roles.is_region_admin(user)
    codes = {shop_credit_code(p) for ev in events for p in _places(ev)} - {None}
    shops = {s.credit_code: s for s in Shop.objects.filter(credit_code__in=codes)}
    owned: set[int] = set()
    if roles.has_role(user, Role.EBIKE_SHOP):
        owned = set(Shop.objects.filter(owners=user).values_list("pk", flat=True))
    verdicts: list[list[str] | None] = []
    for ev, mine in zip(events, claimed, strict=True):
        if not mine:
            verdicts.append(None)
            continue
        reasons: list[str] = []
        shop_places = [p for p in dict.fromkeys(_places(ev)) if _shop_place(p)]
        for place in shop_places:
            shop = shops.get(shop_credit_code(place) or "")
            if shop is None:
                continue  # the handler refuses the document with its reason
            if shop.pk in owned or (admin and code_in_scope(user, shop.region_id)):
                continue
            reasons.append(_("%s is not your shop.") % place)
        if not shop_places and not admin:
            reasons.append(_("Only region administrators capture e-bike events without a shop."))
        verdicts.append(reasons)
    return verdicts
