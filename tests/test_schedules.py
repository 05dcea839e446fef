from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from jiceng.schedules import PERIODIC, enqueue_due


def test_each_periodic_job_is_enqueued_once_per_interval(db):
    now = timezone.now()
    assert enqueue_due(now) == [job.name for job in PERIODIC]
    # A second worker looking at the same moment, or a minute later, enqueues nothing.
    assert enqueue_due(now) == []
    assert enqueue_due(now + timedelta(minutes=1)) == []
    assert DBTaskResult.objects.count() == len(PERIODIC)
    later = now + max(job.every for job in PERIODIC)
    assert enqueue_due(later) == [job.name for job in PERIODIC]
