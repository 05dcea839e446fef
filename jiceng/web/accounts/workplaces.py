"""Where a user works: the hall service points (window clerks, village workers) and the gas
stations (station staff, delivery workers) whose staff they are.

These writes live in the web layer because an account's page is the one place that sees the core
and both modules (domain modules never import each other, the core imports none of them). The
rule is the account rule: the manager must manage the user, and every place must lie in the
user's region (hence also in the manager's). The staff relations are audited by django-auditlog
(hall and gas register them), with the manager as actor.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from jiceng.core import access
from jiceng.core.models import User
from jiceng.core.scope import scope_queryset
from jiceng.core.services.accounts import as_actor
from jiceng.gas.models import Station
from jiceng.hall.models import ServicePoint


def point_choices(user: User) -> list[tuple[str, str]]:
    """Active service points in the user's region, as (code, label)."""
    points = scope_queryset(ServicePoint.objects.filter(is_active=True), user).order_by("code")
    return [(p.code, f"{p.name} ({p.code})") for p in points.only("code", "name")]


def station_choices(user: User) -> list[tuple[str, str]]:
    stations = scope_queryset(Station.objects.filter(is_active=True), user).order_by("code")
    return [(s.code, f"{s.name} ({s.code})") for s in stations.only("code", "name")]


def user_point_codes(user: User) -> list[str]:
    return sorted(ServicePoint.objects.filter(staff=user).values_list("code", flat=True))


def user_station_codes(user: User) -> list[str]:
    return sorted(Station.objects.filter(staff=user).values_list("code", flat=True))


Place = TypeVar("Place", ServicePoint, Station)


def _resolve(
    places: QuerySet[Place], user: User, codes: Iterable[str], field: str, missing: str
) -> list[Place]:
    """The active places of these codes in the user's region, in the order given (once each);
    ValidationError on `field` names any other, with the `missing` message."""
    wanted = [c.strip() for c in codes if c and c.strip()]
    found = {
        p.code: p
        for p in scope_queryset(places.filter(is_active=True), user).filter(code__in=wanted)
    }
    absent = [c for c in wanted if c not in found]
    if absent:
        raise ValidationError({field: missing % ", ".join(absent)})
    return [found[c] for c in dict.fromkeys(wanted)]


def resolve_points(user: User, codes: Iterable[str], field: str = "points") -> list[ServicePoint]:
    """The points of these codes in the user's region; ValidationError names any other."""
    return _resolve(
        ServicePoint.objects.all(),
        user,
        codes,
        field,
        _("No service point %s in the user's region."),
    )


def resolve_stations(user: User, codes: Iterable[str], field: str = "stations") -> list[Station]:
    """The gas stations of these codes in the user's region; ValidationError names any other."""
    return _resolve(
        Station.objects.all(), user, codes, field, _("No gas station %s in the user's region.")
    )


def user_workplaces_set(
    *,
    actor: User | None,
    user: User,
    point_codes: Iterable[str],
    station_codes: Iterable[str],
) -> None:
    """Make the user staff of exactly these points and stations (others are left)."""
    if actor is not None:
        access.check_manage_user(actor, user)
    points = resolve_points(user, point_codes)
    stations = resolve_stations(user, station_codes)

    def write() -> None:
        with transaction.atomic():
            for point in ServicePoint.objects.filter(staff=user).exclude(
                pk__in=[p.pk for p in points]
            ):
                point.staff.remove(user)
            for point in points:
                point.staff.add(user)
            for station in Station.objects.filter(staff=user).exclude(
                pk__in=[s.pk for s in stations]
            ):
                station.staff.remove(user)
            for station in stations:
                station.staff.add(user)

    as_actor(actor, write)
