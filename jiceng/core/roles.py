"""What each role may do beyond seeing its region. Roles are granted per user (UserRole).

An administrator of a region (a county administrator, or a town administrator for its town) may
do everything within that region, in every module, writes included: a module that lists the
roles allowed to do something includes `REGION_ADMINS` (or asks `is_region_admin`), and the
region scope (`jiceng.core.scope`) keeps each administrator inside their own region. Every other
role belongs to a module or is a cross-module office. What is deployment-wide (trust between
deployments, the county's registries and catalogue) stays with the county administrators
(`may_administer`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from jiceng.core.models import Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from jiceng.core.models import User

# Administrators of a region: everything within it, in every module.
REGION_ADMINS = frozenset({Role.COUNTY_ADMIN, Role.TOWN_ADMIN})
# Roles whose work needs the clear ID number: a window clerk checks a resident's identity, an
# administrator corrects registry records. Everybody else sees it masked.
READS_ID_NUMBERS = frozenset({*REGION_ADMINS, Role.WINDOW_CLERK})
# Roles that may only read.
READ_ONLY = frozenset({Role.REGULATOR})
# Roles that administer what is deployment-wide (registry imports, audit queries, federation).
ADMINISTERS = frozenset({Role.COUNTY_ADMIN})


def roles_of(user: User | AnonymousUser) -> frozenset[str]:
    if not user.is_authenticated:
        return frozenset()
    cached: frozenset[str] | None = getattr(user, "_jiceng_roles", None)
    if cached is None:
        cached = frozenset(user.role_grants.values_list("role", flat=True))
        setattr(user, "_jiceng_roles", cached)  # noqa: B010 - a per-request cache on the object
    return cached


def has_role(user: User | AnonymousUser, role: str) -> bool:
    return role in roles_of(user)


def may_read_id_numbers(user: User | AnonymousUser) -> bool:
    return bool(roles_of(user) & READS_ID_NUMBERS)


def is_region_admin(user: User | AnonymousUser | None) -> bool:
    """An administrator of their region (county or town): may do everything within it."""
    if user is None or not user.is_authenticated:
        return False
    return bool(user.is_superuser or roles_of(user) & REGION_ADMINS)


def may_write(user: User | AnonymousUser) -> bool:
    roles = roles_of(user)
    return bool(roles) and not roles <= READ_ONLY


def may_administer(user: User | AnonymousUser) -> bool:
    return user.is_authenticated and (user.is_superuser or bool(roles_of(user) & ADMINISTERS))
