"""Every periodic job of Jiceng, in one place. The task worker (`jiceng worker`) enqueues each
job when its interval has passed; with several workers, a conditional update on its
ScheduleMark row lets exactly one of them enqueue it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Periodic:
    name: str
    every: timedelta
    task: str  # dotted path of a django-tasks Task


PERIODIC: tuple[Periodic, ...] = (
    Periodic(
        "escalate-overdue-cases", timedelta(minutes=5), "jiceng.cases.tasks.escalate_overdue_cases"
    ),
    # Expire the queues of past days and summarise them for the KPIs.
    Periodic(
        "hall-close-days-and-summarise",
        timedelta(hours=1),
        "jiceng.hall.tasks.close_past_days_and_summarise",
    ),
    # Forget nonces of federation envelopes old enough to be refused by their timestamp.
    Periodic(
        "federation-prune-nonces", timedelta(hours=1), "jiceng.federation.tasks.prune_seen_nonces"
    ),
    # Import the peer regions' signed lists of designated care institutions (互享).
    Periodic(
        "ltc-import-peer-institutions",
        timedelta(hours=6),
        "jiceng.ltc.tasks.import_peer_institutions",
    ),
    # Gas site colours whose rules depend on the date (inspections falling due, deadlines):
    # once a day, besides the updates on every captured event.
    Periodic(
        "gas-recompute-site-colours",
        timedelta(hours=24),
        "jiceng.gas.tasks.recompute_site_colours",
    ),
    # Back up the database, uploads and keys; keep the newest JICENG_BACKUP_KEEP archives.
    Periodic("nightly-backup", timedelta(hours=24), "jiceng.core.tasks.nightly_backup"),
)


def enqueue_due(now: datetime | None = None) -> list[str]:
    """Enqueue the jobs whose interval has passed; return their names."""
    from jiceng.core.models import ScheduleMark

    now = now or timezone.now()
    enqueued = []
    for job in PERIODIC:
        ScheduleMark.objects.get_or_create(name=job.name, defaults={"last_run_at": now - job.every})
        claimed = ScheduleMark.objects.filter(
            name=job.name, last_run_at__lte=now - job.every
        ).update(last_run_at=now)
        if claimed:
            import_string(job.task).enqueue()
            enqueued.append(job.name)
    return enqueued
