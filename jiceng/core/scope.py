"""Region scope: the one sanctioned way to limit what a user sees and touches.

Every page and endpoint that reads or changes region-bound records goes through
`scope_queryset` (lists) or `get_in_scope_or_404` (one record). A user's scope is the scope
prefix of their region: "this town and everything under it" is a prefix match on the record's
region code, written as a range so that a plain B-tree index answers it on SQLite and PostgreSQL.
A user without a region sees nothing: scope fails closed.

A model declares which field holds its region code with `region_field` (default "region"; a
path such as "site__region" works too). Region itself uses "code".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from jiceng.core.region_codes import LEVEL_CODE_LENGTH, prefix_upper_bound, scope_prefix

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from jiceng.core.models import User

M = TypeVar("M", bound=Model)


def user_scope_prefix(user: User | AnonymousUser) -> str | None:
    """The region-code prefix a user may see, or None when they may see nothing."""
    if not user.is_authenticated or not user.is_active:
        return None
    region = user.region
    return region.prefix if region is not None else None


def _column(field: str) -> str:
    # The foreign-key column itself ("region_id"): no join to the region table.
    return field if field.rsplit("__", 1)[-1] == "code" else f"{field}_id"


def region_prefix_q(prefix: str, field: str = "region") -> Q:
    """Records whose region code (in `field`) starts with `prefix`."""
    column = _column(field)
    return Q(**{f"{column}__gte": prefix, f"{column}__lt": prefix_upper_bound(prefix)})


def region_field(model: type[Model]) -> str:
    """The field (or path, "site__region") that holds a model's region code."""
    return getattr(model, "region_field", "region")


_region_field = region_field


def region_column(model: type[Model]) -> str:
    """The lookup of a model's region code itself ("region_id", "owner__region_id"; "code" for
    Region): for ordering, grouping and keyset paging by region without a join."""
    return _column(region_field(model))


def scope_queryset(queryset: QuerySet[M], user: User | AnonymousUser) -> QuerySet[M]:
    """The part of `queryset` inside the user's region."""
    prefix = user_scope_prefix(user)
    if prefix is None:
        return queryset.none()
    return queryset.filter(region_prefix_q(prefix, _region_field(queryset.model)))


def get_in_scope_or_404(queryset: QuerySet[M], user: User | AnonymousUser, **lookup: Any) -> M:
    """One record inside the user's region; a record outside it is as absent as a missing one."""
    try:
        return scope_queryset(queryset, user).get(**lookup)
    except ObjectDoesNotExist:
        raise Http404(f"No {queryset.model._meta.verbose_name} matches the given query.") from None


def code_in_scope(user: User | AnonymousUser, code: str) -> bool:
    """Whether a region code lies in the user's scope (for writes that name a region)."""
    prefix = user_scope_prefix(user)
    return prefix is not None and code.startswith(prefix)


def code_within(code: str, region_code: str) -> bool:
    """Whether the region `code` lies in the region `region_code` (itself included)."""
    if not code or not region_code:
        return False
    try:
        prefix = scope_prefix(region_code)
    except (KeyError, ValueError):
        return False
    return code.startswith(prefix)


def county_of(code: str) -> str:
    """The county (6 digits) a code below or at county level lies in."""
    return code[: LEVEL_CODE_LENGTH["county"]]


def town_of(code: str) -> str | None:
    """The town (9 digits) a town, village or grid code lies in; None above town level."""
    length = LEVEL_CODE_LENGTH["town"]
    return code[:length] if len(code) >= length else None


def village_of(code: str) -> str | None:
    """The village (12 digits) a village or grid code lies in; None above village level."""
    length = LEVEL_CODE_LENGTH["village"]
    return code[:length] if len(code) >= length else None
