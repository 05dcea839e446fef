"""Keyset ("more") paging: the next page starts right after the last record shown.

No page ever counts the whole set: on a county's million people a COUNT(*) on every page load
costs more than the page itself. A page fetches one row more than it shows to know whether a
"more" link is needed, and the cursor is an opaque string in the link.

Registry lists run in region order, then in order of registration: that is the order of the
region index, which both databases then read in order from the user's scope prefix on, with no
sort and no scan of the rest of the county. The audit log runs newest first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.db.models import Model, Q, QuerySet

from jiceng.core.scope import region_column

M = TypeVar("M", bound=Model)
PAGE_SIZE = 50
_REGION_CURSOR = re.compile(r"(\d{6,15})\.(\d{1,18})")


@dataclass(frozen=True)
class KeysetPage(Generic[M]):
    items: list[M]
    next_cursor: str | None  # where the next page starts, None on the last page


def by_region_page(
    queryset: QuerySet[M], cursor: str | None, size: int = PAGE_SIZE
) -> KeysetPage[M]:
    """Records in order of region code, then of registration; `cursor` is "region.id"."""
    column = region_column(queryset.model)
    match = _REGION_CURSOR.fullmatch(cursor or "")
    if match:
        code, pk = match.group(1), int(match.group(2))
        # The first condition lets the index seek to the cursor's region; the second skips
        # the records of that region already shown.
        queryset = queryset.filter(**{f"{column}__gte": code}).filter(
            Q(**{f"{column}__gt": code}) | Q(pk__gt=pk)
        )
    items = list(queryset.order_by(column, "pk")[: size + 1])
    if len(items) <= size:
        return KeysetPage(items=items, next_cursor=None)
    last = items[size - 1]
    return KeysetPage(items=items[:size], next_cursor=f"{getattr(last, column)}.{last.pk}")


def newest_first_page(
    queryset: QuerySet[M], cursor: str | None, size: int = PAGE_SIZE
) -> KeysetPage[M]:
    """Records newest first (by id); `cursor` is the id below which the next page starts."""
    if cursor and cursor.isdigit() and len(cursor) < 19:
        queryset = queryset.filter(pk__lt=int(cursor))
    items = list(queryset.order_by("-pk")[: size + 1])
    if len(items) <= size:
        return KeysetPage(items=items, next_cursor=None)
    return KeysetPage(items=items[:size], next_cursor=str(items[size - 1].pk))
