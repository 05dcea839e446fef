"""Who may do what in the service halls and the service network, beyond seeing their region.

- Managers of a hall or point: the administrators of its region (county or town) and the town
  officers of its region. They set up points, halls, windows and sessions, and apply staffing
  plans.
- Operators of a hall's windows: its managers, and the window clerks on the staff of its point.
- Handling records at a point: its staff (a bank clerk, a village worker at a village station)
  and its managers.
Devices (a kiosk, a board) act through the hall's key, checked where the key is read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from jiceng.core import roles
from jiceng.core.models import Role
from jiceng.core.scope import code_in_scope
from jiceng.hall.models import Hall, PointKind, ServicePoint

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from jiceng.core.models import User

MANAGER_ROLES = frozenset({*roles.REGION_ADMINS, Role.TOWN_OFFICER})


def may_manage(user: User | AnonymousUser | None, region_code: str) -> bool:
    """Hall managers: administrators and town officers of the hall's region."""
    if user is None or not user.is_authenticated or not roles.may_write(user):
        return False
    return bool(roles.roles_of(user) & MANAGER_ROLES) and code_in_scope(user, region_code)


def may_operate(user: User | None, hall: Hall) -> bool:
    """Who works a hall's windows: its managers, and window clerks on the staff of its point."""
    if user is None or not code_in_scope(user, hall.point.region_id):
        return False
    if may_manage(user, hall.point.region_id):
        return True
    return (
        roles.has_role(user, Role.WINDOW_CLERK)
        and roles.may_write(user)
        and hall.point.staff.filter(pk=user.pk).exists()
    )


def may_record(user: User | None, point: ServicePoint) -> bool:
    """The point's staff (a bank clerk, a village worker) and its managers record its work."""
    if user is None or not roles.may_write(user) or not code_in_scope(user, point.region_id):
        return False
    if may_manage(user, point.region_id):
        return True
    return point.staff.filter(pk=user.pk).exists() or (
        roles.has_role(user, Role.VILLAGE_WORKER) and point.kind == PointKind.VILLAGE_STATION
    )


def check_operator(user: User | None, hall: Hall) -> None:
    """A hall outside the user's region is as absent as a missing one; else operators only."""
    if user is None or not code_in_scope(user, hall.point.region_id):
        raise Hall.DoesNotExist(_("No such hall."))
    if not may_operate(user, hall):
        raise PermissionDenied(_("Only the hall's clerks and managers may do this."))


def check_manager(user: User | None, hall: Hall) -> None:
    if user is None or not code_in_scope(user, hall.point.region_id):
        raise Hall.DoesNotExist(_("No such hall."))
    if not may_manage(user, hall.point.region_id):
        raise PermissionDenied(_("Only the hall's managers may do this."))


def check_manager_of(actor: User | None, region_code: str) -> None:
    """None is the system (a data load); a user must manage the region."""
    if actor is None:
        return
    if not code_in_scope(actor, region_code):
        raise PermissionDenied(_("The place is outside your region."))
    if not may_manage(actor, region_code):
        raise PermissionDenied(
            _("Only administrators and town officers manage the service network.")
        )
