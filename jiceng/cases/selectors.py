"""Reads on cases. Every selector that takes a user applies their region scope."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from jiceng.cases.models import Case
from jiceng.core.models import User
from jiceng.core.scope import get_in_scope_or_404, scope_queryset


def deadline_colour(case: Case, *, now: datetime | None = None) -> str:
    """green / yellow (80 % of the time used) / red (overdue); "none" when no clock runs."""
    if case.clock_due_at is None or case.clock_yellow_at is None:
        return "none"
    now = now or timezone.now()
    if now >= case.clock_due_at:
        return "red"
    if now >= case.clock_yellow_at:
        return "yellow"
    return "green"


def cases_visible_to(user: User) -> QuerySet[Case]:
    return scope_queryset(Case.objects.all(), user)


def case_get_for_user(user: User, case_id: int) -> Case:
    return get_in_scope_or_404(
        Case.objects.select_related("category", "region", "owner_region", "department", "reporter"),
        user,
        pk=case_id,
    )
