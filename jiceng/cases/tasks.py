"""Background tasks of the case loop: thin wrappers around services."""

from __future__ import annotations

from django_tasks import task

from jiceng.cases import services


@task()
def escalate_overdue_cases() -> int:
    return services.escalate_overdue_cases()
