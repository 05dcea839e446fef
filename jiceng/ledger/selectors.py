"""Reads of the ledger: the EPCIS event query, capture jobs.

`events_query` answers the EPCIS 2.0 simple event query parameters this repository supports
(`MATCH_epc`, `MATCH_anyEPC`, `EQ_bizStep`, `EQ_bizLocation`, `EQ_disposition`, `EQ_readPoint`,
`EQ_action`, `eventType`, `GE_eventTime`, `LT_eventTime`) in eventTime order, a page at a time:
the page token is the position (eventTime, id) of the last event returned, so a page costs the
same wherever it lies and events captured meanwhile never shift a page.

A `MATCH_epc` query walks the identifier index (identifier, eventTime): the events of one
cylinder are found without touching the others, however many millions the ledger holds.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from django.db.models import F, Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.http import Http404

from jiceng.core.caching import ProcessCache, process_cache
from jiceng.core.scope import get_in_scope_or_404, region_prefix_q, user_scope_prefix
from jiceng.ledger.documents import STANDARD_CONTEXT, biz_step_uri, disposition_uri, parse_time
from jiceng.ledger.models import CaptureJob, EpcRole, LedgerEvent, LedgerEventEpc

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from jiceng.core.models import User

DEFAULT_PER_PAGE = 100
MAX_PER_PAGE = 1000
MATCH_EPC_ROLES = (EpcRole.EPC, EpcRole.CHILD, EpcRole.INPUT, EpcRole.OUTPUT)
ANY_EPC_ROLES = (*MATCH_EPC_ROLES, EpcRole.PARENT)

Values = str | Iterable[str] | None


class QueryInvalid(ValueError):
    """A query parameter that cannot be answered; the message names it."""


def _values(value: Values) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


def _vocabulary(values: list[str], normalise: Any, name: str) -> list[str]:
    uris = []
    for value in values:
        uri = normalise(value)
        if uri is None:
            raise QueryInvalid(f"{name}: {value!r} is neither a CBV value nor a URI.")
        uris.append(uri)
    return uris


def _time(value: datetime | str | None, name: str) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    parsed = parse_time(value)
    if parsed is None:
        raise QueryInvalid(f"{name}: {value!r} is not a date-time with an offset.")
    return parsed


def page_token_encode(event_time: datetime, pk: int) -> str:
    raw = f"{event_time.astimezone(UTC).isoformat()}|{pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def page_token_decode(token: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        when, pk = raw.split("|")
        return datetime.fromisoformat(when), int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise QueryInvalid("nextPageToken: not a token this server gave out.") from None


def format_time(value: datetime) -> str:
    """UTC, milliseconds, `Z`: how the ledger writes the times it sets (recordTime)."""
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _scope_prefix(user: User | AnonymousUser | None) -> str | None:
    """None: no limit (internal callers); "": the user sees nothing."""
    if user is None:
        return None
    return user_scope_prefix(user) or ""


class _Row(NamedTuple):
    pk: int
    event_time: datetime
    record_time: datetime
    capture_job_id: int
    body: Any  # the event as a dict, or as JSON text


def _events_page(
    *,
    match_epc: Values = None,
    match_any_epc: Values = None,
    eq_biz_step: Values = None,
    eq_biz_location: Values = None,
    eq_disposition: Values = None,
    eq_read_point: Values = None,
    eq_action: Values = None,
    event_type: Values = None,
    ge_event_time: datetime | str | None = None,
    lt_event_time: datetime | str | None = None,
    per_page: int = DEFAULT_PER_PAGE,
    page_token: str | None = None,
    user: User | AnonymousUser | None = None,
    as_text: bool = False,
) -> tuple[list[_Row], str | None]:
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise QueryInvalid(f"perPage: must be between 1 and {MAX_PER_PAGE}.")
    prefix = _scope_prefix(user)
    if prefix == "":
        return [], None
    match = _values(match_epc)
    match_any = _values(match_any_epc)
    event_filter = Q()
    if steps := _values(eq_biz_step):
        event_filter &= Q(biz_step__in=_vocabulary(steps, biz_step_uri, "EQ_bizStep"))
    if dispositions := _values(eq_disposition):
        event_filter &= Q(
            disposition__in=_vocabulary(dispositions, disposition_uri, "EQ_disposition")
        )
    if locations := _values(eq_biz_location):
        event_filter &= Q(biz_location__in=locations)
    if read_points := _values(eq_read_point):
        event_filter &= Q(read_point__in=read_points)
    if actions := _values(eq_action):
        event_filter &= Q(action__in=actions)
    if types := _values(event_type):
        event_filter &= Q(event_type__in=types)
    if prefix is not None:
        event_filter &= region_prefix_q(prefix, "region")
    since = _time(ge_event_time, "GE_eventTime")
    until = _time(lt_event_time, "LT_eventTime")
    after = page_token_decode(page_token) if page_token else None

    if match or match_any:
        # Walk the identifier index (answered from the index alone); the event's own
        # conditions apply through the join, which also reads the events' columns: one query.
        index: QuerySet[LedgerEventEpc] = LedgerEventEpc.objects.all()
        if match:
            index = index.filter(epc__in=match, role__in=MATCH_EPC_ROLES)
        if match_any:
            index = index.filter(epc__in=match_any, role__in=ANY_EPC_ROLES)
        if since is not None:
            index = index.filter(event_time__gte=since)
        if until is not None:
            index = index.filter(event_time__lt=until)
        if after is not None:
            index = index.filter(
                Q(event_time__gt=after[0]) | Q(event_time=after[0], event_id__gt=after[1])
            )
        if event_filter:
            index = index.filter(_through("event", event_filter))
        body: Any = Cast("event__body", TextField()) if as_text else F("event__body")
        raw = list(
            index.order_by("event_time", "event_id").values_list(
                "event_id", "event_time", "event__record_time", "event__capture_job_id", body
            )[: per_page + 1]
        )
        more = len(raw) > per_page
        # An event naming the identifier twice (in two roles) comes once.
        seen: set[int] = set()
        rows = []
        for row in raw[:per_page]:
            if row[0] not in seen:
                seen.add(row[0])
                rows.append(_Row(*row))
    else:
        queryset = LedgerEvent.objects.filter(event_filter)
        if since is not None:
            queryset = queryset.filter(event_time__gte=since)
        if until is not None:
            queryset = queryset.filter(event_time__lt=until)
        if after is not None:
            queryset = queryset.filter(
                Q(event_time__gt=after[0]) | Q(event_time=after[0], pk__gt=after[1])
            )
        body = Cast("body", TextField()) if as_text else F("body")
        raw = list(
            queryset.order_by("event_time", "id").values_list(
                "pk", "event_time", "record_time", "capture_job_id", body
            )[: per_page + 1]
        )
        more = len(raw) > per_page
        rows = [_Row(*row) for row in raw[:per_page]]
    token = page_token_encode(rows[-1].event_time, rows[-1].pk) if more and rows else None
    return rows, token


def _through(relation: str, condition: Q) -> Q:
    """The same condition on a related model (`biz_step__in` → `event__biz_step__in`)."""
    moved = Q()
    moved.connector, moved.negated = condition.connector, condition.negated
    for child in condition.children:
        if isinstance(child, Q):
            moved.children.append(_through(relation, child))
        else:
            key, value = cast(tuple[str, Any], child)
            moved.children.append((f"{relation}__{key}", value))
    return moved


def events_query(
    *,
    match_epc: Values = None,
    eq_biz_step: Values = None,
    eq_biz_location: Values = None,
    eq_disposition: Values = None,
    ge_event_time: datetime | str | None = None,
    lt_event_time: datetime | str | None = None,
    per_page: int = DEFAULT_PER_PAGE,
    page_token: str | None = None,
    user: User | AnonymousUser | None = None,
    **more: Any,
) -> tuple[list[dict[str, Any]], str | None]:
    """Events as EPCIS JSON (as captured, plus recordTime), oldest first, and the token of the
    next page (None on the last). `user` limits them to the user's region; without it, all
    (for callers that have checked scope themselves). Also takes match_any_epc, eq_read_point,
    eq_action and event_type. Raises QueryInvalid for a parameter it cannot answer."""
    rows, token = _events_page(
        match_epc=match_epc,
        eq_biz_step=eq_biz_step,
        eq_biz_location=eq_biz_location,
        eq_disposition=eq_disposition,
        ge_event_time=ge_event_time,
        lt_event_time=lt_event_time,
        per_page=per_page,
        page_token=page_token,
        user=user,
        **more,
    )
    return [{**row.body, "recordTime": format_time(row.record_time)} for row in rows], token


# The JSON-LD contexts of capture jobs' documents never change once captured: kept until the
# process has seen ten thousand jobs.
CONTEXTS_CACHE: ProcessCache[list[Any]] = process_cache(
    "ledger.contexts", seconds=None, max_entries=10_000
)


def _job_contexts(job_ids: set[int]) -> list[Any]:
    """The JSON-LD context entries of these capture jobs' documents (they never change once
    captured, so they are kept in memory)."""
    known: dict[int, list[Any]] = {}
    for pk in job_ids:
        entry = CONTEXTS_CACHE.lookup(pk)
        if entry is not None:
            known[pk] = entry.value
    missing = job_ids - known.keys()
    if missing:
        found = dict(CaptureJob.objects.filter(pk__in=missing).values_list("pk", "context"))
        for pk in missing:
            known[pk] = found.get(pk) or []
            CONTEXTS_CACHE.put(pk, known[pk])
    context: list[Any] = [STANDARD_CONTEXT]
    for pk in sorted(job_ids):
        for entry_context in known[pk]:
            if entry_context not in context:
                context.append(entry_context)
    return context


def _event_text(body: str, record_time: datetime) -> str:
    """The stored JSON text of an event with its recordTime, without decoding it."""
    stamp = format_time(record_time)
    if '"recordTime"' in body:  # sent by the client: ours replaces it
        return json.dumps({**json.loads(body), "recordTime": stamp}, ensure_ascii=False)
    return f'{body.rstrip()[:-1]}, "recordTime": "{stamp}"}}'


def events_query_document(
    *, user: User | AnonymousUser | None, **parameters: Any
) -> tuple[str, str | None]:
    """An EPCISQueryDocument (as JSON text) of one page of `events_query`, declaring in its
    @context the namespace prefixes that the documents of its events declared. The events'
    stored JSON is spliced in as it is, not decoded and encoded again."""
    rows, token = _events_page(user=user, as_text=True, **parameters)
    head = {
        "@context": _job_contexts({row.capture_job_id for row in rows}),
        "type": "EPCISQueryDocument",
        "schemaVersion": "2.0",
        "creationDate": format_time(datetime.now(UTC)),
    }
    events = ", ".join(_event_text(row.body, row.record_time) for row in rows)
    text = (
        json.dumps(head, ensure_ascii=False)[:-1]
        + ', "epcisBody": {"queryResults": {"queryName": "SimpleEventQuery", '
        + f'"resultsBody": {{"eventList": [{events}]}}}}}}}}'
    )
    return text, token


def capture_job_get(*, capture_id: str, user: User | AnonymousUser) -> CaptureJob:
    """A capture job of the user's region (Http404 for others and for malformed ids)."""
    try:
        key = uuid.UUID(capture_id)
    except ValueError:
        raise Http404("No capture job has this id.") from None
    return get_in_scope_or_404(CaptureJob.objects.all(), user, capture_id=key)


def capture_job_get_for_device(*, capture_id: str, region_code: str) -> CaptureJob:
    """A capture job that a device (no user) captured in `region_code`, its station's region
    (Http404 for any other and for malformed ids): a scale reads the jobs of its captures."""
    try:
        key = uuid.UUID(capture_id)
    except ValueError:
        raise Http404("No capture job has this id.") from None
    jobs = CaptureJob.objects.filter(capture_id=key, actor__isnull=True, region_id=region_code)
    job = jobs.first()
    if job is None:
        raise Http404("No capture job has this id.")
    return job
