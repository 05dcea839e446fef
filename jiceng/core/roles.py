"""What each role may do beyond seeing its region. Roles are granted per user (UserRole)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from jiceng.core.models import Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from jiceng.core.models import User

# Roles whose work needs the clear ID number: a window clerk checks a resident's identity, a
# county administrator corrects registry records. Everybody else sees it masked.
READS_ID_NUMBERS = frozenset({Role.COUNTY_ADMIN, Role.WINDOW_CLERK})
# Roles that may only read.
READ_ONLY = frozenset({Role.REGULATOR})
# Roles that administer the registries (imports, audit queries).
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


def may_write(user: User | AnonymousUser) -> bool:
    roles = roles_of(user)
    return bool(roles) and not roles <= READ_ONLY


def may_administer(user: User | AnonymousUser) -> bool:
    return user.is_authenticated and (user.is_superuser or bool(roles_of(user) & ADMINISTERS))
