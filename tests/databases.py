"""Test databases built once per test process and cloned for the tests that read them.

A seeded county takes seconds to build (the test scale 15–20 s, the demo's registries over a
minute) and as long again to delete. `cloned_database(key, build)` builds it once per test
process (xdist worker), keeps it as a template, and gives each user a fresh copy of it in
place of the test database; when the block ends, the test database is what it was before.

- SQLite: the template is a file next to the test database, written and restored with SQLite's
  online backup (consistent in WAL mode, no file juggling).
- PostgreSQL: `CREATE DATABASE … TEMPLATE …`; the connection points at the copy while the
  block runs and at the test database again after it.

Use it from a class- or module-scoped fixture (a function-scoped one would run after the
test's transaction has begun); the tests inside still roll back their own writes:

    @pytest.fixture(scope="module")
    def county(django_db_setup, django_db_blocker):
        with django_db_blocker.unblock(), cloned_database("county", seed_test_county):
            yield
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
from django.db import connections

# key -> the template: a file path (SQLite) or a database name (PostgreSQL)
_templates: dict[str, str] = {}


def _copy_sqlite(source: str, target: str) -> None:
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def _postgresql(statement: str) -> None:
    with connections["default"]._nodb_cursor() as cursor:
        cursor.execute(statement)


@contextmanager
def cloned_database(key: str, build: Callable[[], object]) -> Iterator[None]:
    """While the block runs, the default database is a copy of the one `build()` makes from
    the (migrated, empty) test database; `build` runs once per process and key."""
    connection = connections["default"]
    name = str(connection.settings_dict["NAME"])
    connections.close_all()
    if connection.vendor == "sqlite":
        if connection.is_in_memory_db():
            raise RuntimeError("cloned_database needs a test database in a file")
        saved = f"{name}.saved-{key}"
        _copy_sqlite(name, saved)
        try:
            if key not in _templates:
                build()
                connections.close_all()
                _copy_sqlite(name, f"{name}.template-{key}")
                _templates[key] = f"{name}.template-{key}"
            else:
                _copy_sqlite(_templates[key], name)
            yield
        finally:
            connections.close_all()
            _copy_sqlite(saved, name)
            Path(saved).unlink()
        return
    if connection.vendor != "postgresql":
        raise RuntimeError(f"cloned_database does not know {connection.vendor}")
    template, clone = f"{name}_{key}", f"{name}_{key}_clone"
    try:
        if key not in _templates:
            _postgresql(f'DROP DATABASE IF EXISTS "{template}"')
            _postgresql(f'CREATE DATABASE "{template}" TEMPLATE "{name}"')
            connection.settings_dict["NAME"] = template
            build()
            connections.close_all()
            _templates[key] = template
        _postgresql(f'DROP DATABASE IF EXISTS "{clone}"')
        _postgresql(f'CREATE DATABASE "{clone}" TEMPLATE "{template}"')
        connection.settings_dict["NAME"] = clone
        yield
    finally:
        connections.close_all()
        connection.settings_dict["NAME"] = name
        _postgresql(f'DROP DATABASE IF EXISTS "{clone}"')


@pytest.fixture(scope="session", autouse=True)
def _drop_database_templates(django_db_blocker) -> Iterator[None]:
    """The templates go with the test database at the end of the session."""
    yield
    if not _templates:
        return
    with django_db_blocker.unblock():
        connections.close_all()
        for template in _templates.values():
            if connections["default"].vendor == "sqlite":
                Path(template).unlink(missing_ok=True)
            else:
                _postgresql(f'DROP DATABASE IF EXISTS "{template}"')
        _templates.clear()


TEST_COUNTY = "test-county"
TEST_COUNTY_SEED = 7


def seed_test_county() -> None:
    """The demo county at the test scale, seed 7: 桐乡's regions, organisations, sites, 1,200
    residents, the demo users, a year of cases and the long-term-care data (no hall history,
    no gas network). Mark its users `pytest.mark.xdist_group(TEST_COUNTY)`: one worker builds it."""
    from django.utils import translation

    from jiceng.demo.seed import seed_demo

    with translation.override("en"):
        seed_demo(scale="test", seed=TEST_COUNTY_SEED, reset=False, progress=False)


# (what, language, database, password hashers, content types) -> {model: rows} `what` added
_snapshots: dict[tuple[str, ...], dict[type, list[dict[str, object]]]] = {}


def _table_states() -> dict[type, tuple[int, object]]:
    """Rows and highest integer key of every table (None: no rows, or keys that are not
    integers)."""
    from django.apps import apps
    from django.db.models import Max

    integers = {"AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField"}
    states: dict[type, tuple[int, object]] = {}
    for model in apps.get_models(include_auto_created=True):
        manager = model._default_manager
        top = None
        if model._meta.pk.get_internal_type() in integers:
            top = manager.aggregate(top=Max("pk"))["top"]
        states[model] = (manager.count(), top)
    return states


def _recorded(create: Callable[[], object]) -> dict[type, list[dict[str, object]]] | None:
    """Run `create`; the rows it added per model, or None when they cannot be told apart."""
    before = _table_states()
    create()
    added: dict[type, list[dict[str, object]]] = {}
    for model, (count, top) in _table_states().items():
        if count == before[model][0]:
            continue
        rows = model._default_manager.order_by("pk")
        if before[model][0] == 0:
            added[model] = list(rows.values())
        elif (
            isinstance(top, int)
            and count - before[model][0] == rows.filter(pk__gt=before[model][1]).count()
        ):
            added[model] = list(rows.filter(pk__gt=before[model][1]).values())
        else:
            return None  # rows changed in a table that held some already: not replayable
    return added


def _replayed(snapshot: dict[type, list[dict[str, object]]]) -> bool:
    """Insert the recorded rows again, with their keys; False (nothing written) if one is taken."""
    from django.core.management.color import no_style
    from django.db import connection, transaction

    for model, rows in snapshot.items():
        if model._default_manager.filter(
            pk__in=[row[model._meta.pk.attname] for row in rows]
        ).exists():
            return False
    with transaction.atomic():  # keys are checked at the end (also outside a test's transaction)
        for model, rows in snapshot.items():
            model._default_manager.bulk_create([model(**row) for row in rows])
    if connection.vendor == "postgresql":  # new rows of the test must not reuse the keys
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), list(snapshot)):
                cursor.execute(statement)
    return True


def loaded_once(what: str, create: Callable[[], object]) -> None:
    """`create()` (which writes rows through the services, as a test would) the first time in a
    process; afterwards the same rows (keys, audit entries, password hashes and all) inserted
    again in one go, which is what a test's rollback had taken away. Used by the `regions` and
    `users` fixtures, which most tests ask for. Falls back to `create()` whenever the rows
    cannot be replayed exactly (a key already taken, rows added to a table that held some)."""
    from django.conf import settings
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.utils import translation

    # The rows point at content types (audit entries): a flush by a transactional test makes
    # them anew with other keys, and the snapshot recorded before no longer fits.
    content_types = ContentType.objects.order_by("pk").values_list("pk", "app_label", "model")
    key = (
        what,
        str(translation.get_language()),
        str(connection.settings_dict["NAME"]),
        ",".join(settings.PASSWORD_HASHERS),
        hashlib.sha256(repr(list(content_types)).encode()).hexdigest(),
    )
    snapshot = _snapshots.get(key)
    if snapshot is not None and _replayed(snapshot):
        return
    if snapshot is not None:
        create()
        return
    recorded = _recorded(create)
    if recorded is not None:
        _snapshots[key] = recorded
