"""Who may do what in long-term care, beyond seeing their region.

The care-insurance staff (the bureau's clerks and handlers, and the region's administrators) run the
workflow, record assessments and institutions and talk to the peer region. Other users who may
write (town officers, village workers) may take in an application, withdraw it or lodge an appeal
for a resident of their region. Reading follows the region scope alone."""

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

STAFF_ROLES = frozenset({*roles.REGION_ADMINS, Role.DEPARTMENT_HANDLER, Role.WINDOW_CLERK})


def is_ltc_staff(user: User | AnonymousUser | None) -> bool:
    if user is None:
        return True  # the system itself (seed, schedules, exchanges)
    return bool(roles.roles_of(user) & STAFF_ROLES) or bool(getattr(user, "is_superuser", False))


def check_staff(actor: User | None) -> None:
    if not is_ltc_staff(actor):
        raise PermissionDenied(_("Only the care-insurance staff may do this."))


def check_may_write(actor: User | None) -> None:
    if actor is not None and not roles.may_write(actor):
        raise PermissionDenied(_("Your role may only read."))


def check_in_scope(actor: User | None, region_code: str) -> None:
    if actor is not None and not code_in_scope(actor, region_code):
        raise PermissionDenied(_("This record is outside your region."))
