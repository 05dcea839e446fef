"""Background tasks of the core: thin wrappers around services."""

from __future__ import annotations

from django_tasks import task

from jiceng.core import backup


@task()
def nightly_backup() -> str:
    """Back up into the data folder's backups/ and keep the newest JICENG_BACKUP_KEEP archives."""
    return str(backup.backup_nightly().path)
