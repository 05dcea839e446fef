"""One bulk row writer: many rows into one table with `executemany`, in batches, for seeding and
imports at a volume where the ORM's `bulk_create` (which prepares every value of every row
through its field) costs more than the insert itself.

- `insert_rows(model, columns, rows)`: tuples in the order of `columns` (column names), values
  as the database takes them (`adapters` gives the adapters of the columns that need one);
- `copy_rows(model, columns, rows)`: the same through COPY on PostgreSQL (imports of millions);
- `insert_objects(model, objects)`: unsaved model instances, their values adapted once per
  column (dates, times, JSON) and `auto_now`/`auto_now_add` filled in as `save` would;
- `reset_sequences(*models)`: move PostgreSQL's id sequences past rows written with their ids.

Nothing is read back, no signal is sent and no audit entry is written: for demo data and
imports whose rows are checked before they are written. Services that write a user's records use
the ORM. (The EPCIS capture, jiceng/ledger/services.py, has its own writer: one prepared
statement per event on PostgreSQL, specialised for its hot path.)
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models
from django.utils import timezone

BATCH = 5_000
Adapter = Callable[[Any], Any] | None


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _fields_by_column(model: type[models.Model]) -> dict[str, models.Field[Any, Any]]:
    return {f.column: f for f in model._meta.concrete_fields}


def _placeholder(field: models.Field[Any, Any]) -> str:
    if field.get_internal_type() == "JSONField" and connection.vendor == "postgresql":
        return "%s::jsonb"
    return "%s"


def adapters(model: type[models.Model], columns: Sequence[str]) -> list[Adapter]:
    """For each column, the function that turns a Python value into what the database takes
    (None where the driver takes the value as it is): dates and times as Django writes them on
    this database, JSON as text."""
    ops = connection.ops
    fields = _fields_by_column(model)
    found: list[Adapter] = []
    for column in columns:
        kind = fields[column].get_internal_type()
        if kind == "DateTimeField":
            found.append(ops.adapt_datetimefield_value)
        elif kind == "DateField":
            found.append(ops.adapt_datefield_value)
        elif kind == "TimeField":
            found.append(ops.adapt_timefield_value)
        elif kind == "JSONField":
            found.append(_json_text)
        else:
            found.append(None)
    return found


def insert_statement(model: type[models.Model], columns: Sequence[str]) -> str:
    """The INSERT of one row of `model` into `columns` (JSON columns cast on PostgreSQL)."""
    fields = _fields_by_column(model)
    unknown = [c for c in columns if c not in fields]
    if unknown:
        raise ValueError(f"{model.__name__} has no column {', '.join(unknown)}")
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    marks = ", ".join(_placeholder(fields[c]) for c in columns)
    # The table and column names are the model's own, never input.
    return f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({marks})"  # noqa: S608


def check_columns(model: type[models.Model], columns: Sequence[str]) -> None:
    """Refuse to write a model whose columns the writer does not know all of (a migration added
    one): better a clear error than rows missing a value."""
    if set(_fields_by_column(model)) != set(columns):
        raise RuntimeError(f"the bulk writer does not know the columns of {model.__name__}")


def insert_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    batch: int = BATCH,
) -> int:
    """INSERT `rows` (tuples in the order of `columns`) in batches; return how many."""
    statement = insert_statement(model, columns)
    written = 0
    pending: list[Sequence[Any]] = []
    with connection.cursor() as cursor:
        for row in rows:
            pending.append(row)
            if len(pending) >= batch:
                cursor.executemany(statement, pending)
                written += len(pending)
                pending = []
        if pending:
            cursor.executemany(statement, pending)
            written += len(pending)
    return written


def copy_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    batch: int = BATCH,
) -> int:
    """Write `rows` as `insert_rows` does, through PostgreSQL's COPY where the database is
    PostgreSQL (ten times faster for millions of rows), and through `insert_rows` elsewhere.
    Values are given as Python values (dates, decimals, strings); JSON columns are not
    supported here."""
    if connection.vendor != "postgresql":
        return insert_rows(model, columns, rows, batch=batch)
    fields = _fields_by_column(model)
    unknown = [c for c in columns if c not in fields]
    if unknown:
        raise ValueError(f"{model.__name__} has no column {', '.join(unknown)}")
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    # The table and column names are the model's own, never input.
    statement = f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN"
    written = 0
    connection.ensure_connection()
    with connection.connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
            written += 1
    return written


def insert_objects(
    model: type[models.Model], objects: Sequence[models.Model], *, batch: int = BATCH
) -> int:
    """INSERT unsaved instances of `model`. Instances without a primary key get none (the
    database numbers them; the instances do not learn their ids); nothing is read back."""
    if not objects:
        return 0
    fields = [
        f
        for f in model._meta.concrete_fields
        if not (f.primary_key and getattr(objects[0], f.attname) is None)
    ]
    columns = [f.column for f in fields]
    stamp = timezone.now()
    stamped = [
        f.attname
        for f in fields
        if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False)
    ]
    pairs = list(zip([f.attname for f in fields], adapters(model, columns), strict=True))

    def values() -> Iterable[tuple[Any, ...]]:
        for obj in objects:
            data = obj.__dict__
            for name in stamped:  # what pre_save would fill in
                data[name] = data.get(name) or stamp
            yield tuple(
                data[name] if adapt is None or data[name] is None else adapt(data[name])
                for name, adapt in pairs
            )

    return insert_rows(model, columns, values(), batch=batch)


def reset_sequences(*models_: type[models.Model]) -> None:
    """Move the id sequences of `models_` past their highest id (PostgreSQL; a no-op on
    SQLite), after rows were written with their ids."""
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), list(models_)):
            cursor.execute(statement)
