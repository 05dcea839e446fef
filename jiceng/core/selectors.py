"""Reads on the core registries. Every selector that takes a user applies their scope."""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Count, Model, Q, QuerySet
from django.db.models.functions import Substr
from django.http import Http404

from jiceng.core import access, region_codes
from jiceng.core.models import ApiToken, Organisation, Person, Region, Role, Site, User
from jiceng.core.scope import (
    get_in_scope_or_404,
    region_column,
    region_field,
    region_prefix_q,
    scope_queryset,
)

M = TypeVar("M", bound=Model)


def region_get_for_user(user: User, code: str) -> Region:
    """A region in the user's scope, or 404 (unknown and out-of-scope look alike)."""
    return get_in_scope_or_404(Region.objects.select_related("parent"), user, code=code)


def region_children(region: Region) -> QuerySet[Region]:
    return Region.objects.filter(parent=region).order_by("code")


def region_subtree(prefix: str) -> QuerySet[Region]:
    return Region.objects.filter(region_prefix_q(prefix, "code"))


def region_breadcrumbs(region: Region, user: User) -> list[Region]:
    """The chain from the user's own region down to `region`."""
    chain = []
    node: Region | None = region
    while node is not None:
        chain.append(node)
        if user.region_id == node.code:
            break
        node = node.parent
    return list(reversed(chain))


def rollup_by_child(queryset: QuerySet[Model], region: Region) -> dict[str, int]:
    """Count records of `queryset` per child region of `region`: a GROUP BY on a code prefix.

    The caller passes an already scoped queryset; records directly in `region` are not counted
    under any child.
    """
    child_level = region_codes.LEVELS[region_codes.LEVELS.index(region.level) + 1]
    length = region_codes.LEVEL_PREFIX_LENGTH[child_level]
    field = region_field(queryset.model)
    column = region_column(queryset.model)
    rows = (
        queryset.filter(region_prefix_q(region.prefix, field))
        .annotate(bucket=Substr(column, 1, length))
        .values("bucket")
        .annotate(n=Count("pk"))
        .order_by()
    )
    if region.level in ("province", "city"):
        # 6-digit children of a province or city: their codes pad the prefix with zeros.
        return {row["bucket"].ljust(6, "0"): row["n"] for row in rows}
    return {row["bucket"]: row["n"] for row in rows if len(row["bucket"]) == length}


def _within_region(queryset: QuerySet[M], region_code: str) -> QuerySet[M]:
    """Narrow an already scoped queryset to a region's subtree (an unknown code matches nothing)."""
    region_code = (region_code or "").strip()
    if not region_code:
        return queryset
    if not region_codes.is_well_formed(region_code):
        return queryset.none()
    return queryset.filter(
        region_prefix_q(region_codes.scope_prefix(region_code), region_field(queryset.model))
    )


def people_search(user: User, query: str = "", region_code: str = "") -> QuerySet[Person]:
    """People in the user's scope: by exact ID number (18 characters, through its keyed digest),
    else by name prefix or exact phone number; optionally within one region of the scope."""
    qs = _within_region(scope_queryset(Person.objects.select_related("region"), user), region_code)
    query = query.strip()
    if not query:
        return qs
    if len(query) == 18:
        from jiceng.core.identity_vault import digest

        return qs.filter(id_digest=digest(query))
    return qs.filter(Q(name__startswith=query) | Q(phone=query))


def organisations_search(
    user: User, query: str = "", kind: str = "", region_code: str = ""
) -> QuerySet[Organisation]:
    """Organisations in the user's scope by name (contains) or exact credit code."""
    qs = _within_region(
        scope_queryset(Organisation.objects.select_related("region"), user), region_code
    )
    if kind:
        qs = qs.filter(kind=kind)
    query = query.strip()
    if query:
        qs = qs.filter(Q(name__contains=query) | Q(credit_code=query.upper()))
    return qs


def sites_search(
    user: User, query: str = "", kind: str = "", region_code: str = ""
) -> QuerySet[Site]:
    """Sites in the user's scope by name or address (contains)."""
    qs = _within_region(
        scope_queryset(Site.objects.select_related("region", "organisation"), user), region_code
    )
    if kind:
        qs = qs.filter(kind=kind)
    query = query.strip()
    if query:
        qs = qs.filter(Q(name__contains=query) | Q(address__contains=query))
    return qs


def regions_in_scope(user: User, *, deepest_level: str = "grid") -> QuerySet[Region]:
    """The regions a user may file records under or filter by, down to `deepest_level`."""
    levels = region_codes.LEVELS[: region_codes.LEVELS.index(deepest_level) + 1]
    return scope_queryset(Region.objects.filter(level__in=levels), user).order_by("code")


# --- Accounts -------------------------------------------------------------------------------


def users_search(
    manager: User,
    query: str = "",
    region_code: str = "",
    role: str = "",
    active: bool | None = None,
) -> QuerySet[User]:
    """The accounts a region administrator manages: in their scope, by username or display name
    (contains), optionally within one region, with one role, active or disabled. Others: none."""
    if not access.may_manage_users(manager):
        return User.objects.none()
    qs = _within_region(scope_queryset(User.objects.select_related("region"), manager), region_code)
    if not access.grantable_roles(manager) >= frozenset(Role.values):
        # A town administrator does not see the county's administrators (none live in a town
        # anyway; this keeps the rule whatever the data).
        qs = qs.exclude(role_grants__role=Role.COUNTY_ADMIN)
    if role:
        qs = qs.filter(role_grants__role=role)
    if active is not None:
        qs = qs.filter(is_active=active)
    query = query.strip()
    if query:
        qs = qs.filter(Q(username__icontains=query) | Q(display_name__icontains=query))
    return qs.prefetch_related("role_grants").order_by("username")


def user_get_for_manager(manager: User, pk: int) -> User:
    """One account the manager may manage, or 404 (out of scope and missing look alike)."""
    user = users_search(manager).filter(pk=pk).first()
    if user is None or not access.may_manage_user(manager, user):
        raise Http404("No user matches the given query.")
    return user


def user_tokens(user: User) -> QuerySet[ApiToken]:
    """A user's API tokens, newest first, revoked ones included (their history)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")


def users_by_region_for_cli(region_code: str = "") -> QuerySet[User]:
    """Every account (the operator's command-line view), optionally within one region."""
    qs = User.objects.select_related("region").prefetch_related("role_grants")
    return _within_region(qs.order_by("region_id", "username"), region_code)
