"""Capture of EPCIS documents into the ledger, all or nothing, and flagging of events.

`document_capture` checks the whole document first (`documents.document_parse`, no database
work). A document that fails is recorded as a failed capture job with every reason, and nothing
of it is stored. A valid one is stored in ONE transaction: the capture job, every event not
stored before (`INSERT ... ON CONFLICT (event_id) DO NOTHING RETURNING`, so an eventID repeated
inside the document, by an earlier capture or by a capture running at the same moment is stored
once, without a read-then-write race), their identifiers, then the registered handlers (`hooks`)
with the newly stored events. A handler that raises `CaptureRefused` rolls all of it back; the
failed job is then recorded with its reasons. Before any of it, the capturer (a user, or a
module's device) must be allowed every event (`jiceng.ledger.access`): otherwise
`CaptureForbidden` is raised and nothing at all is stored, not even a job. On PostgreSQL the
job, the events and their identifiers take one statement; on SQLite, which has one writer,
prepared single-row INSERTs.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from django.db import DataError, connection, transaction
from django.utils import timezone

from jiceng.core.models import Region
from jiceng.ledger.access import check_may_capture
from jiceng.ledger.documents import DocumentInvalid, NotADocument, ParsedEvent, document_parse
from jiceng.ledger.hooks import CapturedEvent, Capturer, CaptureRefused, capture_handlers
from jiceng.ledger.models import CaptureJob, LedgerEvent, LedgerEventEpc

if TYPE_CHECKING:
    from jiceng.core.models import User

# Bound variables per statement: below SQLite's 32,766 and PostgreSQL's 65,535.
MAX_PARAMETERS = 30_000

_EVENT_COLUMNS = (
    "event_id",
    "event_type",
    "action",
    "event_time",
    "event_time_zone_offset",
    "record_time",
    "biz_step",
    "disposition",
    "read_point",
    "biz_location",
    "parent_id",
    "capture_job_id",
    "region_id",
    "flagged",
    "flag_reasons",
    "body",
)
_EPC_COLUMNS = ("event_id", "epc", "role", "event_time")


def document_capture(
    *,
    document: dict[str, Any],
    actor: User | None,
    region: Region | None = None,
    device: Any = None,
    device_label: str = "",
) -> CaptureJob:
    """Capture an EPCIS document. Returns the finished capture job: `success` tells whether
    its new events were stored (`stored_count`; `duplicate_count` repeated ones skipped), or
    `errors` why nothing was. The events belong to `region` (default: the actor's region).

    The capturer is `actor`, or `device` (a module's device acting with its key, no user,
    recorded on the job as `device_label`, e.g. "gas.scale:12");
    with neither, the system itself captures (seeding, a module's own service that checked its
    caller). A capturer not allowed every event gets `CaptureForbidden` and nothing is stored."""
    created_at = timezone.now()
    if region is None and actor is not None:
        region = actor.region
    failed = partial(
        _job_failed, actor=actor, device=device_label, region=region, created_at=created_at
    )
    try:
        parsed = document_parse(document)
    except NotADocument as exc:
        return failed(errors=[exc.reason])
    except DocumentInvalid as exc:
        return failed(errors=exc.errors)
    if actor is not None or device is not None:
        check_may_capture(Capturer(user=actor, device=device), parsed.events)
    # Everything that needs no database is done before the transaction: SQLite has one writer.
    for event in parsed.events:
        event.body_text = _body_text(event.body)
    try:
        with transaction.atomic():
            job = CaptureJob(
                actor=actor,
                device=device_label[:60],
                region=region,
                created_at=created_at,
                running=False,
                success=True,
                context=parsed.context,
                event_count=len(parsed.events),
            )
            stored = _job_and_events_insert(job=job, events=parsed.events)
            if stored:
                for handler in capture_handlers():
                    handler(stored)
    except CaptureRefused as exc:
        return failed(errors=exc.errors)
    except DataError as exc:  # e.g. a NUL character, which PostgreSQL cannot store in text
        reason = f"The database cannot store a value of this document: {exc}".strip()
        return failed(errors=[reason])
    return job


def _job_insert(job: CaptureJob) -> CaptureJob:
    """Insert the capture job with a plain INSERT ... RETURNING (every document writes one, and
    the ORM's create costs about as much as the rest of a one-event capture)."""
    fields = [f for f in CaptureJob._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(CaptureJob._meta.db_table)} ({columns}) "  # noqa: S608
            f"VALUES ({marks}) RETURNING id",
            [f.get_db_prep_save(f.pre_save(job, add=True), connection) for f in fields],
        )
        job.pk = cursor.fetchone()[0]
    job._state.adding = False
    job._state.db = connection.alias
    return job


def _job_finish(job: CaptureJob, *, stored_count: int) -> None:
    """Record the counts and the end of a successful capture (a plain UPDATE: it runs for
    every document, and the ORM's save costs more than the write)."""
    job.stored_count = stored_count
    job.duplicate_count = job.event_count - stored_count
    job.finished_at = timezone.now()
    table = connection.ops.quote_name(CaptureJob._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET stored_count = %s, duplicate_count = %s, finished_at = %s "  # noqa: S608
            "WHERE id = %s",
            [
                job.stored_count,
                job.duplicate_count,
                connection.ops.adapt_datetimefield_value(job.finished_at),
                job.pk,
            ],
        )


def _job_failed(
    *,
    actor: User | None,
    device: str = "",
    region: Region | None,
    created_at: datetime,
    errors: list[str],
) -> CaptureJob:
    return CaptureJob.objects.create(
        actor=actor,
        device=device[:60],
        region=region,
        created_at=created_at,
        finished_at=timezone.now(),
        running=False,
        success=False,
        errors=errors,
    )


def _job_and_events_insert(*, job: CaptureJob, events: list[ParsedEvent]) -> list[CapturedEvent]:
    """Insert the capture job and the events not stored yet, and record the counts on the job;
    the newly stored events, in document order."""
    first: dict[str, ParsedEvent] = {}
    for event in events:
        first.setdefault(event.event_id, event)
    # Sorted by eventID: concurrent captures take their row locks in the same order.
    ordered = sorted(first.values(), key=lambda e: e.event_id)
    record_time = job.created_at
    if connection.vendor == "postgresql":
        new_pks = _insert_postgresql(job=job, events=ordered, record_time=record_time)
    else:
        _job_insert(job)
        if not ordered:
            new_pks = {}
        elif connection.vendor == "sqlite" and _sqlite_writes_locked():
            new_pks = _insert_sqlite(job=job, events=ordered, record_time=record_time)
        else:
            new_pks = _insert_portable(job=job, events=ordered, record_time=record_time)
        _job_finish(job, stored_count=len(new_pks))
    stored = []
    for event_id, event in first.items():
        pk = new_pks.get(event_id)
        if pk is None:
            continue
        stored.append(
            CapturedEvent(
                pk=pk,
                event_id=event_id,
                event_type=event.event_type,
                action=event.action or None,
                event_time=event.event_time,
                biz_step=event.biz_step or None,
                disposition=event.disposition or None,
                read_point=event.read_point or None,
                biz_location=event.biz_location or None,
                epcs=event.epcs,
                child_epcs=event.child_epcs,
                parent_id=event.parent_id or None,
                body=event.body,
            )
        )
    return stored


def _body_text(body: dict[str, Any]) -> str:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def _insert_postgresql(
    *, job: CaptureJob, events: list[ParsedEvent], record_time: datetime
) -> dict[str, int]:
    """One statement whatever the number of events: the job takes the next id of its sequence,
    the events come from arrays (unnest), skipping stored eventIDs (ON CONFLICT DO NOTHING
    waits for a concurrent capture of the same id and then skips it), their identifiers join
    the events just stored, and the job is written with its counts. (The foreign keys are
    checked at commit, so the job may come last.)"""
    import psycopg

    quote = connection.ops.quote_name
    job_table = quote(CaptureJob._meta.db_table)
    event_table = quote(LedgerEvent._meta.db_table)
    epc_table = quote(LedgerEventEpc._meta.db_table)
    counted = ("id", "stored_count", "duplicate_count")
    job_fields = [f for f in CaptureJob._meta.concrete_fields if f.name not in counted]
    job.finished_at = timezone.now()
    job_values = [f.get_db_prep_save(f.pre_save(job, add=True), connection) for f in job_fields]
    identifiers: tuple[list[Any], list[Any], list[Any], list[Any]] = ([], [], [], [])
    for event in events:
        for epc, role in event.identifiers:
            identifiers[0].append(event.event_id)
            identifiers[1].append(epc)
            identifiers[2].append(role)
            identifiers[3].append(event.event_time)
    connection.ensure_connection()
    # A cursor with server-side binding sends the arrays in binary: no quoting of every JSON
    # body into an array literal (Django's cursors bind on the client). Same connection, so
    # the same transaction.
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(
            f"""
            WITH job AS (
                SELECT nextval(pg_get_serial_sequence(%s, 'id')) AS id
            ),
            stored AS (
                INSERT INTO {event_table} (
                    event_id, event_type, action, event_time, event_time_zone_offset, biz_step,
                    disposition, read_point, biz_location, parent_id, body,
                    record_time, capture_job_id, region_id, flagged, flag_reasons
                )
                SELECT e.*, %s, job.id, %s, false, '[]'::jsonb
                FROM unnest(
                    %b::text[], %b::text[], %b::text[], %b::timestamptz[], %b::text[], %b::text[],
                    %b::text[], %b::text[], %b::text[], %b::text[], %b::text[]::jsonb[]
                ) AS e, job
                ON CONFLICT (event_id) DO NOTHING
                RETURNING id, event_id
            ),
            epcs AS (
                INSERT INTO {epc_table} (event_id, epc, role, event_time)
                SELECT stored.id, x.epc, x.role, x.event_time
                FROM unnest(%b::text[], %b::text[], %b::text[], %b::timestamptz[])
                    AS x(event_key, epc, role, event_time)
                JOIN stored ON stored.event_id = x.event_key
            ),
            saved AS (
                INSERT INTO {job_table} (
                    id, stored_count, duplicate_count,
                    {", ".join(quote(f.column) for f in job_fields)}
                )
                SELECT job.id, n.count, %s - n.count, {", ".join(["%s"] * len(job_fields))}
                FROM job, (SELECT count(*) AS count FROM stored) AS n
            )
            SELECT job.id, stored.id, stored.event_id FROM job LEFT JOIN stored ON true
            """,  # noqa: S608 - table and column names from the models
            [
                CaptureJob._meta.db_table,
                record_time,
                job.region_id,
                [e.event_id for e in events],
                [e.event_type for e in events],
                [e.action for e in events],
                [e.event_time for e in events],
                [e.event_time_zone_offset for e in events],
                [e.biz_step for e in events],
                [e.disposition for e in events],
                [e.read_point for e in events],
                [e.biz_location for e in events],
                [e.parent_id for e in events],
                [e.body_text or _body_text(e.body) for e in events],
                *identifiers,
                job.event_count,
                *job_values,
            ],
            # The same text for every document: parsed and planned once per connection.
            prepare=True,
        )
        rows = cursor.fetchall()
    job.pk = rows[0][0]
    job._state.adding, job._state.db = False, connection.alias
    new_pks = {event_id: pk for _job, pk, event_id in rows if pk is not None}
    job.stored_count = len(new_pks)
    job.duplicate_count = job.event_count - job.stored_count
    return new_pks


def _sqlite_writes_locked() -> bool:
    """Whether transactions take SQLite's write lock at BEGIN (IMMEDIATE, as configured)."""
    options = connection.settings_dict.get("OPTIONS", {})
    return str(options.get("transaction_mode", "")).upper() in ("IMMEDIATE", "EXCLUSIVE")


def _insert_sqlite(
    *, job: CaptureJob, events: list[ParsedEvent], record_time: datetime
) -> dict[str, int]:
    """SQLite in an IMMEDIATE transaction holds the database's only write lock from BEGIN: no
    other capture can insert meanwhile, so the stored eventIDs are read once, the new events get
    the next ids, and prepared single-row INSERTs run for each event and identifier."""
    event_table = connection.ops.quote_name(LedgerEvent._meta.db_table)
    epc_table = connection.ops.quote_name(LedgerEventEpc._meta.db_table)
    adapt_time = _time_adapter()
    recorded = adapt_time(record_time)
    ids = [e.event_id for e in events]
    per_statement = MAX_PARAMETERS
    stored: set[str] = set()
    with connection.cursor() as cursor:
        for start in range(0, len(ids), per_statement):
            chunk = ids[start : start + per_statement]
            cursor.execute(
                f"SELECT event_id FROM {event_table} WHERE event_id IN "  # noqa: S608
                f"({', '.join(['%s'] * len(chunk))})",
                chunk,
            )
            stored.update(row[0] for row in cursor.fetchall())
        new = [e for e in events if e.event_id not in stored]
        if not new:
            return {}
        # The next ids after any used so far (AUTOINCREMENT's sequence included).
        cursor.execute(
            f"SELECT MAX(x) FROM (SELECT COALESCE(MAX(id), 0) AS x FROM {event_table} "  # noqa: S608
            "UNION ALL SELECT seq FROM sqlite_sequence WHERE name = %s)",
            [LedgerEvent._meta.db_table],
        )
        first_pk = int(cursor.fetchone()[0]) + 1
        new_pks = {e.event_id: first_pk + i for i, e in enumerate(new)}
        when = [adapt_time(e.event_time) for e in new]
        cursor.executemany(
            f"""
            INSERT INTO {event_table} (
                id, event_id, event_type, action, event_time, event_time_zone_offset,
                record_time, biz_step, disposition, read_point, biz_location, parent_id,
                capture_job_id, region_id, flagged, flag_reasons, body
            ) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 0, '[]', %s)
            """,  # noqa: S608 - table names from the models
            [
                (
                    first_pk + i,
                    e.event_id,
                    e.event_type,
                    e.action,
                    when[i],
                    e.event_time_zone_offset,
                    recorded,
                    e.biz_step,
                    e.disposition,
                    e.read_point,
                    e.biz_location,
                    e.parent_id,
                    job.pk,
                    job.region_id,
                    e.body_text or _body_text(e.body),
                )
                for i, e in enumerate(new)
            ],
        )
        cursor.executemany(
            f"INSERT INTO {epc_table} (event_id, epc, role, event_time) "  # noqa: S608
            "VALUES (%s, %s, %s, %s)",
            [
                (first_pk + i, epc, role, when[i])
                for i, e in enumerate(new)
                for epc, role in e.identifiers
            ],
        )
    return new_pks


def _insert_portable(
    *, job: CaptureJob, events: list[ParsedEvent], record_time: datetime
) -> dict[str, int]:
    """Any database with INSERT ... ON CONFLICT DO NOTHING RETURNING: multi-row INSERTs."""
    adapt_time = _time_adapter()
    recorded = adapt_time(record_time)
    when = {e.event_id: adapt_time(e.event_time) for e in events}
    json_prep = LedgerEvent._meta.get_field("body").get_db_prep_value
    no_reasons = json_prep([], connection)
    rows = [
        (
            e.event_id,
            e.event_type,
            e.action,
            when[e.event_id],
            e.event_time_zone_offset,
            recorded,
            e.biz_step,
            e.disposition,
            e.read_point,
            e.biz_location,
            e.parent_id,
            job.pk,
            job.region_id,
            False,
            no_reasons,
            json_prep(e.body, connection),
        )
        for e in events
    ]
    returned = _rows_insert(
        LedgerEvent._meta.db_table,
        _EVENT_COLUMNS,
        rows,
        suffix=" ON CONFLICT (event_id) DO NOTHING RETURNING id, event_id",
    )
    new_pks = {event_id: pk for pk, event_id in returned}
    _rows_insert(
        LedgerEventEpc._meta.db_table,
        _EPC_COLUMNS,
        [
            (new_pks[e.event_id], epc, role, when[e.event_id])
            for e in events
            if e.event_id in new_pks
            for epc, role in e.identifiers
        ],
    )
    return new_pks


def _time_adapter() -> Callable[[datetime], Any]:
    """A datetime as the database takes it: SQLite stores naive UTC text (what Django's
    adapt_datetimefield_value writes, without its per-value checks), PostgreSQL the value."""
    if connection.vendor == "sqlite":
        return lambda value: str(value.astimezone(UTC).replace(tzinfo=None))
    return connection.ops.adapt_datetimefield_value


def _rows_insert(
    table: str, columns: Sequence[str], rows: list[tuple[Any, ...]], *, suffix: str = ""
) -> list[tuple[Any, ...]]:
    """Multi-row INSERTs of `rows`, as few statements as the parameter limit allows; the rows
    of RETURNING when `suffix` asks for them."""
    if not rows:
        return []
    quote = connection.ops.quote_name
    # Table and column names come from the models, never from input.
    head = f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) VALUES "  # noqa: S608
    placeholder = "(" + ", ".join(["%s"] * len(columns)) + ")"
    per_statement = max(1, MAX_PARAMETERS // len(columns))
    returned: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            sql = head + ", ".join([placeholder] * len(chunk)) + suffix
            cursor.execute(sql, [value for row in chunk for value in row])
            if "RETURNING" in suffix:
                returned += cursor.fetchall()
    return returned


def events_flag(*, event_pks: list[int], reason: str) -> int:
    """Mark events as flagged with a reason (kept once per event); how many were changed.
    Capture handlers call it inside the capture transaction."""
    if not event_pks:
        return 0
    by_reasons: dict[tuple[str, ...], list[int]] = defaultdict(list)
    current = LedgerEvent.objects.filter(pk__in=event_pks).values_list("pk", "flag_reasons")
    for pk, reasons in current:
        if reason not in reasons:
            by_reasons[tuple(reasons)].append(pk)
    changed = 0
    for reasons, pks in by_reasons.items():
        changed += LedgerEvent.objects.filter(pk__in=pks).update(
            flagged=True, flag_reasons=[*reasons, reason]
        )
    return changed
