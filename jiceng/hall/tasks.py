"""Background tasks of the service network: thin wrappers around services."""

from __future__ import annotations

from django_tasks import task

from jiceng.hall.services.queue import tickets_close_past_days
from jiceng.hall.services.summaries import summaries_build_due


@task()
def close_past_days_and_summarise() -> int:
    """Close the queues of past days, then summarise the days not summarised yet."""
    tickets_close_past_days()
    return summaries_build_due()
