"""Rows in every table, to show that a refused request changed nothing."""

from __future__ import annotations

from django.apps import apps


def table_counts() -> dict[str, int]:
    """The number of rows of every concrete model (many-to-many tables included)."""
    counts: dict[str, int] = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        counts[meta.db_table] = model._default_manager.using("default").count()
    return counts
