"""Who may do what in the power module (迎峰度夏), beyond seeing their region.

- account managers (`account_manager`, 客户经理) keep meters, machines, readings and plans;
- dispatchers (`power_dispatcher`, 调度) run demand-response events and read their results;
- an enterprise's contact (`enterprise_contact`) reads their own enterprise's meters and plans,
  and commits their meters to an event; nothing of other enterprises;
- the region's administrators do everything; the regulator reads.

Every record is further limited by region scope (jiceng/core/scope.py); an enterprise contact is
limited to their organisation as well."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from jiceng.core import roles
from jiceng.core.models import Role
from jiceng.core.scope import code_in_scope, scope_queryset

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from jiceng.core.models import User

M = TypeVar("M", bound=Model)

MANAGERS = frozenset({*roles.REGION_ADMINS, Role.ACCOUNT_MANAGER})
DISPATCHERS = frozenset({*roles.REGION_ADMINS, Role.POWER_DISPATCHER})
# Read every record of their region.
STAFF_READERS = frozenset({*MANAGERS, *DISPATCHERS, Role.REGULATOR})
READERS = frozenset({*STAFF_READERS, Role.ENTERPRISE_CONTACT})
# Who may record an enterprise's commitment to a demand-response event (the contact: their own).
COMMITTERS = frozenset({*DISPATCHERS, Role.ACCOUNT_MANAGER, Role.ENTERPRISE_CONTACT})


def _has(user: User | AnonymousUser | None, allowed: frozenset[str]) -> bool:
    if user is None:
        return True  # the system itself (seed, schedules, migrations)
    if not user.is_authenticated:
        return False
    return bool(user.is_superuser or roles.roles_of(user) & allowed)


def may_read(user: User | AnonymousUser | None) -> bool:
    return _has(user, READERS)


def may_manage(user: User | AnonymousUser | None) -> bool:
    """Meters, prices, machines, readings, temperatures and plans."""
    return _has(user, MANAGERS)


def may_dispatch(user: User | AnonymousUser | None) -> bool:
    """Demand-response events: create, invite, read results."""
    return _has(user, DISPATCHERS)


def is_contact_only(user: User | AnonymousUser | None) -> bool:
    """A user who sees only their own enterprise (an enterprise contact with no staff role)."""
    if user is None or not user.is_authenticated or user.is_superuser:
        return False
    mine = roles.roles_of(user)
    return Role.ENTERPRISE_CONTACT in mine and not mine & STAFF_READERS


def check_read(user: User | AnonymousUser | None) -> None:
    if not may_read(user):
        raise PermissionDenied(_("Only the power company's staff and enterprises may see this."))


def check_manage(user: User | AnonymousUser | None) -> None:
    if not may_manage(user):
        raise PermissionDenied(_("Only the power company's account managers may do this."))


def check_dispatch(user: User | AnonymousUser | None) -> None:
    if not may_dispatch(user):
        raise PermissionDenied(_("Only the power company's dispatchers may do this."))


def check_commit(user: User | AnonymousUser | None, enterprise_id: int | None) -> None:
    """May record a commitment for a meter of this enterprise."""
    if not _has(user, COMMITTERS):
        raise PermissionDenied(_("You may not commit load to a demand-response event."))
    if is_contact_only(user) and (
        enterprise_id is None or getattr(user, "organisation_id", None) != enterprise_id
    ):
        raise PermissionDenied(_("You may commit only your own enterprise's meters."))


def check_in_scope(user: User | AnonymousUser | None, region_code: str) -> None:
    if user is not None and not code_in_scope(user, region_code):
        raise PermissionDenied(_("This record is outside your region."))


def visible(
    queryset: QuerySet[M], user: User | AnonymousUser | None, enterprise_field: str = "enterprise"
) -> QuerySet[M]:
    """The records of `queryset` the user may read: their region's, and for an enterprise
    contact only their own enterprise's (none without an organisation)."""
    if user is None:
        return queryset
    if not may_read(user):
        return queryset.none()
    queryset = scope_queryset(queryset, user)
    if is_contact_only(user):
        organisation_id = getattr(user, "organisation_id", None)
        if organisation_id is None:
            return queryset.none()
        queryset = queryset.filter(**{f"{enterprise_field}_id": organisation_id})
    return queryset
