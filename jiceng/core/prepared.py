"""Statements that run for every captured event (the ledger's insert, the gas handler's reads
and writes, the colour refresh), prepared once per connection on PostgreSQL.

Django's cursors bind parameters on the client, so PostgreSQL parses and plans every statement
again; for the handful of small statements behind one delivery that cost about as much as
running them. `prepared_rows` and `prepared_run` send such a statement through psycopg's own
cursor on Django's connection (the same transaction), which binds on the server and prepares
the statement the first time its text is seen (`environment.postgresql_options` allows it).
Elsewhere they use Django's cursor. These statements bypass Django's query log and execute
wrappers: use them only for hot paths whose SQL is fixed in the code.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection


def prepared_rows(sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """The rows a query answers."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall())
    import psycopg

    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params, prepare=True)
        return list(cursor.fetchall())


def prepared_run(sql: str, rows: Sequence[Sequence[Any]]) -> None:
    """Run a statement that answers nothing, once per parameter row (several rows: sent
    together)."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            if len(rows) == 1:
                cursor.execute(sql, rows[0])
            else:
                cursor.executemany(sql, rows)
        return
    import psycopg

    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        if len(rows) == 1:
            cursor.execute(sql, rows[0], prepare=True)
        else:
            cursor.executemany(sql, rows)
