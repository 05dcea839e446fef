"""Who may do what with a case, beyond seeing their region.

- Everyone sees the cases of their region (the case's region lies in their scope).
- Dispatchers of a case: the administrators of the region that owns it (county or town) and
  its town officers (the county's own officers and administrators own everything).
- Handlers: the members of the department the case is dispatched to.
- The reporter of a case follows it; anyone who sees a case and may write comments on it.
The state machine (`jiceng.cases.services`) names these checks as the `who` of each transition.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from jiceng.core import roles
from jiceng.core.models import Role
from jiceng.core.scope import code_in_scope

if TYPE_CHECKING:
    from jiceng.cases.models import Case
    from jiceng.core.models import User

DISPATCHER_ROLES = frozenset({*roles.REGION_ADMINS, Role.TOWN_OFFICER})


def is_dispatcher(user: User | None, case: Case) -> bool:
    """Officers and administrators of the region that owns the case."""
    if user is None or not roles.may_write(user):
        return False
    return bool(roles.roles_of(user) & DISPATCHER_ROLES) and code_in_scope(
        user, case.owner_region_id
    )


def is_handler(user: User | None, case: Case) -> bool:
    """Members of the department the case is dispatched to."""
    if user is None or case.department_id is None or not roles.may_write(user):
        return False
    return user.departments.filter(pk=case.department_id).exists()


def is_reporter(user: User | None, case: Case) -> bool:
    return user is not None and case.reporter_id == user.pk


def may_see(user: User | None, case: Case) -> bool:
    return user is not None and code_in_scope(user, case.region_id)


def may_comment(user: User | None, case: Case) -> bool:
    """Anyone who sees the case and may write."""
    return user is not None and may_see(user, case) and roles.may_write(user)
