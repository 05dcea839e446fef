"""Who may see and do what in the youth talent reserve.

A young person's record is private. It is visible only to
- the organisation roles of the person's region: party organisers (组织委员) and the region's
  administrators, whose scope holds the record's village;
- the secretary of the branch the person belongs to;
- their mentors while the mentorship lasts (a mentor's account on the mentorship);
- the person themself (a `youth` account linked to the record).
Nobody else, the regulator included, sees it: a record out of reach is a 404, a list is empty.

Writes: organisers register people, record steps, manage reserve cadres, platforms and studios in
their scope; a branch secretary registers people of their scope and records the steps of their
branch's members. Whoever organises a platform (its organisers, or an organiser of its region)
records its activities and so certifies the hours. Full ID numbers are shown only to the
organisation roles, each view audited.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.db.models import Q

from jiceng.core import roles
from jiceng.core.models import Role
from jiceng.core.scope import code_in_scope, region_prefix_q, user_scope_prefix

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from jiceng.core.models import User
    from jiceng.youth.models import Platform, Talent

ORGANISER_ROLES = frozenset({*roles.REGION_ADMINS, Role.PARTY_ORGANISER})
MODULE_ROLES = frozenset({*ORGANISER_ROLES, Role.BRANCH_SECRETARY, Role.MENTOR, Role.YOUTH})


def _signed_in(user: User | AnonymousUser | None) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def uses_module(user: User | AnonymousUser | None) -> bool:
    if user is None or not _signed_in(user):
        return False
    return bool(user.is_superuser or roles.roles_of(user) & MODULE_ROLES)


def is_organiser(user: User | AnonymousUser | None) -> bool:
    """A party organiser or region administrator (of whatever region their scope is)."""
    return _signed_in(user) and bool(
        roles.is_region_admin(user) or roles.has_role(user, Role.PARTY_ORGANISER)  # type: ignore[arg-type]
    )


def organises(user: User | AnonymousUser | None, region_code: str) -> bool:
    """An organiser whose scope holds the region, who may write there."""
    return (
        is_organiser(user)
        and roles.may_write(user)  # type: ignore[arg-type]
        and code_in_scope(user, region_code)  # type: ignore[arg-type]
    )


def is_secretary(user: User | AnonymousUser | None) -> bool:
    return _signed_in(user) and roles.has_role(user, Role.BRANCH_SECRETARY)  # type: ignore[arg-type]


def visible_q(user: User | AnonymousUser | None, *, today: date) -> Q | None:
    """The talents a user may see, as a filter on Talent; None when they may see none."""
    if not _signed_in(user):
        return None
    assert user is not None
    parts: list[Q] = []
    if is_organiser(user):
        prefix = user_scope_prefix(user)
        if prefix is not None:
            parts.append(region_prefix_q(prefix))
    parts.append(Q(user_id=user.pk))
    parts.append(Q(branch__secretary_id=user.pk))
    from jiceng.youth.models import Mentorship

    parts.append(
        Q(
            pk__in=Mentorship.objects.filter(mentor_user_id=user.pk)
            .filter(Q(end__isnull=True) | Q(end__gte=today))
            .values("talent_id")
        )
    )
    combined = parts[0]
    for part in parts[1:]:
        combined |= part
    return combined


def may_see(user: User | AnonymousUser | None, talent: Talent, *, today: date) -> bool:
    if not _signed_in(user):
        return False
    assert user is not None
    if is_organiser(user) and code_in_scope(user, talent.region_id):
        return True
    if talent.user_id == user.pk:
        return True
    if talent.branch is not None and talent.branch.secretary_id == user.pk:
        return True
    return (
        talent.mentorships.filter(mentor_user_id=user.pk)
        .filter(Q(end__isnull=True) | Q(end__gte=today))
        .exists()
    )


def may_manage(user: User | AnonymousUser | None, talent: Talent) -> bool:
    """Record steps, mentors, tags: an organiser of the region or the branch's secretary."""
    if not _signed_in(user) or not roles.may_write(user):  # type: ignore[arg-type]
        return False
    assert user is not None
    if organises(user, talent.region_id):
        return True
    return talent.branch is not None and talent.branch.secretary_id == user.pk


def may_register(user: User | AnonymousUser | None, region_code: str) -> bool:
    """Register a young person in a village: an organiser or a branch secretary of its scope."""
    if organises(user, region_code):
        return True
    return (
        is_secretary(user)
        and roles.may_write(user)  # type: ignore[arg-type]
        and code_in_scope(user, region_code)  # type: ignore[arg-type]
    )


def may_reveal_id_number(user: User | AnonymousUser | None, talent: Talent) -> bool:
    """The full ID number: the organisation roles of the person's region only (audited)."""
    return is_organiser(user) and code_in_scope(user, talent.region_id)  # type: ignore[arg-type]


def may_record_activity(user: User | AnonymousUser | None, platform: Platform) -> bool:
    """Whoever organises the platform records (and so certifies) its activities."""
    if not _signed_in(user) or not roles.may_write(user):  # type: ignore[arg-type]
        return False
    assert user is not None
    if organises(user, platform.region_id):
        return True
    return platform.organisers.filter(pk=user.pk or 0).exists()
