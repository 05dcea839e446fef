"""Who may do what with inspections, beyond seeing their region.

- Record an inspection: any role that may write, for a target in their region; the module that
  owns the target kind adds its own rule (`TargetKind.may_inspect`: which roles inspect gas
  sites, shops, lottery outlets).
- Patrol rounds: any role that may write, in their region; only the round's leader or a region
  administrator finishes a round.
- Edit checklists: the county's administrators (`may_administer`): a checklist is the county's.
- See inspections, findings and rounds: everybody in whose region they lie (scope).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from jiceng.core import roles

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from jiceng.core.models import User
    from jiceng.inspections.models import Round


def may_inspect(user: User | AnonymousUser) -> bool:
    return user.is_authenticated and roles.may_write(user)


def check_may_inspect(user: User | AnonymousUser) -> None:
    if not may_inspect(user):
        raise PermissionDenied(_("Your role may not record inspections."))


def may_edit_checklists(user: User | AnonymousUser) -> bool:
    return roles.may_administer(user)


def check_may_edit_checklists(user: User | AnonymousUser) -> None:
    if not may_edit_checklists(user):
        raise PermissionDenied(_("Only the county's administrators edit checklists."))


def may_finish_round(user: User | AnonymousUser, round_: Round) -> bool:
    if not may_inspect(user):
        return False
    return round_.leader_id == user.pk or roles.is_region_admin(user)
