"""Background tasks of the gas module: thin wrappers around services."""

from __future__ import annotations

from django_tasks import task

from jiceng.gas.services import colours


@task()
def recompute_site_colours() -> int:
    return colours.site_colours_recompute_all()
