"""Background tasks of long-term care: thin wrappers around services."""

from __future__ import annotations

from django_tasks import task

from jiceng.ltc.services.exchanges import institutions_import_all


@task()
def import_peer_institutions() -> dict[str, int | str]:
    """Bring the peer regions' designated institutions up to date (互享)."""
    return institutions_import_all()
