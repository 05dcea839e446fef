"""Who may do what in the welfare-lottery module, beyond seeing their region.

The module's users are the welfare-lottery centre's staff (`lottery_staff`), the region's
administrators (who may do everything in their region) and the regulator, who reads. Nobody else
sees the module at all: an outlet's sales and the fund ledger are the centre's business, not the
town officers' or the gas company's. Every record is further limited by region scope
(jiceng/core/scope.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from jiceng.core import roles
from jiceng.core.models import Role
from jiceng.core.scope import code_in_scope

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from jiceng.core.models import User

WRITERS = frozenset({*roles.REGION_ADMINS, Role.LOTTERY_STAFF})
READERS = frozenset({*WRITERS, Role.REGULATOR})


def may_read(user: User | AnonymousUser | None) -> bool:
    if user is None:
        return True  # the system itself (seed, schedules)
    if not user.is_authenticated:
        return False
    return bool(user.is_superuser or roles.roles_of(user) & READERS)


def may_write(user: User | AnonymousUser | None) -> bool:
    if user is None:
        return True
    if not user.is_authenticated:
        return False
    return bool(user.is_superuser or roles.roles_of(user) & WRITERS)


def check_read(user: User | AnonymousUser | None) -> None:
    if not may_read(user):
        raise PermissionDenied(_("Only the welfare-lottery centre's staff may see this."))


def check_write(user: User | AnonymousUser | None) -> None:
    if not may_write(user):
        raise PermissionDenied(_("Only the welfare-lottery centre's staff may do this."))


def check_in_scope(user: User | None, region_code: str) -> None:
    if user is not None and not code_in_scope(user, region_code):
        raise PermissionDenied(_("This record is outside your region."))
