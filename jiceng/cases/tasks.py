"""Background tasks of the case loop: thin wrappers around services."""

from __future__ import annotations

from django_tasks import task

from jiceng.cases.services import escalation


@task()
def escalate_overdue_cases() -> int:
    return escalation.escalate_overdue_cases()
