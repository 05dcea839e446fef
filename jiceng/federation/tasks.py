"""Background tasks of the federation engine: thin wrappers around services."""

from __future__ import annotations

from django_tasks import task

from jiceng.federation.services import seen_nonces_prune


@task()
def prune_seen_nonces() -> int:
    return seen_nonces_prune()
