"""Escalation: overdue open cases climb to the next level by their category's rule (a task runs
it every few minutes)."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.cases.calendar import working_calendar
from jiceng.cases.models import (
    Case,
    Status,
)
from jiceng.cases.services import CaseChanged, TransitionRefused, case_act


def escalate_overdue_cases(*, now: datetime | None = None) -> int:
    """Escalate every overdue open case by its category's rule; return how many escalated."""
    now = now or timezone.now()
    calendar = working_calendar()
    candidates = (
        Case.objects.filter(is_open=True, clock_due_at__lt=now, owner_region__level="town")
        .exclude(status=Status.SUSPENDED)
        .select_related("category")
        .only(
            "pk",
            "clock_due_at",
            "escalated_at",
            "category__escalate_after_hours",
            "category__escalate_up_to",
            "owner_region_id",
        )
    )
    escalated = 0
    for case in candidates.iterator(chunk_size=500):
        if case.category.escalate_up_to == "town":
            continue
        due = case.clock_due_at
        if (
            due is None
            or calendar.working_hours_between(due, now) < case.category.escalate_after_hours
        ):
            continue
        try:
            case_act(
                case_id=case.pk,
                actor=None,
                action="escalate",
                system=True,
                at=now,
                note=_("Overdue: escalated automatically by the category's rule."),
            )
        except (TransitionRefused, CaseChanged):
            continue
        escalated += 1
    return escalated
