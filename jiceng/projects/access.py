"""Who may do what with key projects.

- See a project: the region's administrators and town officers and the regulator (read-only),
  whose scope holds the project's region, and the project's lead and task-force members.
- Manage a project (create, stage changes, milestones, meetings, contest scores): the
  administrators and town officers of its region, and its lead official.
- Report a problem of a project: those who manage it and its task-force members.
Everyone else gets no page (403 for a list, 404 for a record).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from jiceng.core import roles
from jiceng.core.models import Role
from jiceng.core.scope import code_in_scope

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from jiceng.core.models import User
    from jiceng.projects.models import Decision, Project

OFFICE_ROLES = frozenset({*roles.REGION_ADMINS, Role.TOWN_OFFICER})
READER_ROLES = frozenset({*OFFICE_ROLES, Role.REGULATOR})


def uses_module(user: User | AnonymousUser | None) -> bool:
    """May open the module's pages at all (the office, the regulator, leads and members)."""
    if user is None or not user.is_authenticated:
        return False
    if roles.roles_of(user) & READER_ROLES:
        return True
    return bool(user.led_projects.exists() or user.task_force_projects.exists())


def is_office(user: User | AnonymousUser | None, region_code: str) -> bool:
    """An administrator or town officer whose scope holds the region, who may write."""
    return (
        user is not None
        and user.is_authenticated
        and roles.may_write(user)
        and bool(roles.roles_of(user) & OFFICE_ROLES)
        and code_in_scope(user, region_code)
    )


def is_lead(user: User | AnonymousUser | None, project: Project) -> bool:
    return user is not None and user.is_authenticated and project.lead_id == user.pk


def is_member(user: User | AnonymousUser | None, project: Project) -> bool:
    return (
        user is not None
        and user.is_authenticated
        and project.task_force.filter(pk=user.pk).exists()
    )


def may_see(user: User | AnonymousUser | None, project: Project) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if roles.roles_of(user) & READER_ROLES and code_in_scope(user, project.region_id):
        return True
    return is_lead(user, project) or is_member(user, project)


def may_manage(user: User | AnonymousUser | None, project: Project) -> bool:
    if user is None or not user.is_authenticated or not roles.may_write(user):
        return False
    return is_office(user, project.region_id) or is_lead(user, project)


def may_report_problem(user: User | AnonymousUser | None, project: Project) -> bool:
    if user is None or not user.is_authenticated or not roles.may_write(user):
        return False
    return may_manage(user, project) or is_member(user, project)


def stage_who(user: User | None, project: Project) -> bool:
    """Who may move a project to another stage (the state machine's `who`)."""
    return may_manage(user, project)


def may_mark_decision(user: User | AnonymousUser | None, decision: Decision) -> bool:
    """Who may mark a meeting's decision done: the meeting region's office and the assignee."""
    if user is None or not user.is_authenticated or not roles.may_write(user):
        return False
    return is_office(user, decision.meeting.region_id) or decision.assignee_id == user.pk
