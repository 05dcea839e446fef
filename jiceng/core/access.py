"""Who may do what with the core's records. Accounts: who manages whose account.

Region administrators manage the accounts of their region: a county administrator those of the
county, a town administrator those of the town (its villages and grids included). Nobody grants
beyond their own:
- the region given must lie in the manager's scope;
- only a county administrator grants `county_admin`, and only with a county's region;
- `town_admin` goes only with a town's region. A town administrator may grant it within their own
  town (a deputy, or a successor before they leave), since that gives nothing beyond their own;
- a manager edits only users whose region lies in their scope and whose roles they could grant
  (a town administrator never edits a county administrator).
A manager may not disable their own account (the county would lose its last administrator).
Refusals raise PermissionDenied with the reason; out-of-scope users are not found at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from jiceng.core import roles
from jiceng.core.models import Region, RegionLevel, Role
from jiceng.core.scope import code_in_scope

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from jiceng.core.models import User

# The roles that manage accounts, and the region level each one goes with.
USER_MANAGER_ROLES = frozenset({Role.COUNTY_ADMIN, Role.TOWN_ADMIN})
_ROLE_LEVEL = {Role.COUNTY_ADMIN: RegionLevel.COUNTY, Role.TOWN_ADMIN: RegionLevel.TOWN}


def may_manage_users(user: User | AnonymousUser) -> bool:
    """Whether the user administers accounts at all (county or town administrators)."""
    if not user.is_authenticated or not user.is_active or user.region_id is None:
        return False
    return bool(roles.roles_of(user) & USER_MANAGER_ROLES)


def grantable_roles(manager: User) -> frozenset[str]:
    """The roles a manager may give: every role for a county administrator, every role but
    `county_admin` for a town administrator, none for anyone else."""
    held = roles.roles_of(manager)
    if not may_manage_users(manager):
        return frozenset()
    if Role.COUNTY_ADMIN in held:
        return frozenset(Role.values)
    return frozenset(Role.values) - {Role.COUNTY_ADMIN}


def check_grant(manager: User, *, role_codes: Iterable[str], region: Region) -> None:
    """Refuse (PermissionDenied, with the reason) roles or a region beyond the manager's own."""
    if not may_manage_users(manager):
        raise PermissionDenied(_("Only county and town administrators manage accounts."))
    if not code_in_scope(manager, region.code):
        raise PermissionDenied(
            _("%(region)s lies outside your region: you cannot give it.") % {"region": region}
        )
    allowed = grantable_roles(manager)
    for code in role_codes:
        if code not in allowed:
            raise PermissionDenied(
                _("You cannot grant the role “%(role)s”: only a county administrator can.")
                % {"role": Role(code).label}
            )
        level = _ROLE_LEVEL.get(Role(code))
        if level is not None and region.level != level:
            raise PermissionDenied(
                _("The role “%(role)s” goes with a %(level)s, not with %(region)s.")
                % {"role": Role(code).label, "level": level.label, "region": region}
            )


def may_manage_user(manager: User, target: User) -> bool:
    """Whether the manager may see and change the target's account."""
    if not may_manage_users(manager) or target.region_id is None:
        return False
    if not code_in_scope(manager, target.region_id):
        return False
    return roles.roles_of(target) <= grantable_roles(manager)


def check_manage_user(manager: User, target: User) -> None:
    if not may_manage_user(manager, target):
        raise PermissionDenied(_("This account is not one you manage."))
