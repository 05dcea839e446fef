"""The demo history's tickets and handling records as plain rows, planned in memory and written
in large batches with the core bulk writer."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from jiceng.core.bulk import check_columns, insert_rows, reset_sequences
from jiceng.demo.hall.network import PlannedHall
from jiceng.hall.models import (
    TIDAL_SESSION_KINDS,
    HandlingRecord,
    Priority,
    ServiceItem,
    Ticket,
    TicketSource,
    TicketStatus,
)

ZONE = ZoneInfo(settings.TIME_ZONE)


class RowWriter:
    """Tickets and handling records as plain rows with their ids, written by the bulk writer
    (jiceng/core/bulk.py): a model instance per row would take most of the seeding time."""

    TICKET_COLUMNS = (
        "id", "hall_id", "service_day", "number", "sequence", "group_id", "transferred_from",
        "item_id", "priority", "green_reason", "source", "phone", "key", "status", "queue_at",
        "appointment_at", "taken_at", "hour", "first_called_at", "called_at", "started_at",
        "completed_at", "window_id", "clerk_id", "recalls", "outcome", "session_kind",
        "wait_seconds", "handle_seconds", "rating", "rating_comment", "rated_at", "version",
    )  # fmt: skip
    RECORD_COLUMNS = (
        "id", "point_id", "ticket_id", "channel", "item_id", "person_id", "organisation_id", "day",
        "hour", "started_at", "ended_at", "seconds", "outcome", "session_kind", "clerk_id", "note",
        "created_at",
    )  # fmt: skip

    def __init__(self) -> None:
        check_columns(Ticket, self.TICKET_COLUMNS)
        check_columns(HandlingRecord, self.RECORD_COLUMNS)
        self.next_ticket = int(Ticket.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
        self.next_record = int(HandlingRecord.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
        self.tickets: list[tuple[Any, ...]] = []
        self.records: list[tuple[Any, ...]] = []
        self.written_tickets = self.written_records = self.tidal_served = 0
        self.now = timezone.now()
        self.sqlite = connection.vendor == "sqlite"
        self.midnights: dict[date, datetime] = {}

    def moment(self, day: date, minute: float | None) -> Any:
        """A moment of a day as the database takes it (SQLite: UTC text, as Django writes it)."""
        if minute is None:
            return None
        base = self.midnights.get(day)
        if base is None:
            base = datetime.combine(day, time(0), ZONE)
            if self.sqlite:
                base = base.astimezone(UTC).replace(tzinfo=None)
            self.midnights[day] = base
        value = base + timedelta(seconds=round(minute * 60))
        return value.isoformat(" ") if self.sqlite else value

    def day(self, day: date) -> Any:
        return day.isoformat() if self.sqlite else day

    def add_tickets(self, planned: PlannedHall, day: date, tickets: list[dict[str, Any]]) -> None:
        for t in tickets:
            ticket_id, self.next_ticket = self.next_ticket, self.next_ticket + 1
            called, started, done = t.get("called"), t.get("started"), t.get("done")
            taken = self.moment(day, t["arrival"])
            rating = t.get("rating")
            item: ServiceItem = t["item"]
            handle = (
                round((done - started) * 60) if done is not None and started is not None else None
            )
            self.tickets.append(
                (
                    ticket_id,
                    planned.hall.pk,
                    self.day(day),
                    t["number"],
                    t["sequence"],
                    t["group"],
                    "",
                    item.pk,
                    Priority.GREEN if t["green"] else Priority.NORMAL,
                    "elderly" if t["green"] else "",
                    TicketSource.APPOINTMENT if t["appointment"] else TicketSource.KIOSK,
                    "",
                    secrets.token_urlsafe(24),
                    t["status"],
                    taken,
                    taken if t["appointment"] else None,
                    taken,
                    int(t["arrival"] // 60),
                    self.moment(day, called),
                    self.moment(day, called),
                    self.moment(day, started),
                    self.moment(day, done),
                    t.get("window"),
                    None,
                    0,
                    t.get("outcome", ""),
                    t.get("kind", ""),
                    round((called - t["arrival"]) * 60) if called is not None else None,
                    handle,
                    rating,
                    "",
                    self.moment(day, done + 2) if rating and done is not None else None,
                    1,
                )
            )
            if t["status"] == TicketStatus.DONE:
                self.tidal_served += t.get("kind", "") in TIDAL_SESSION_KINDS
                self.add_record(
                    point_id=planned.point.pk,
                    ticket_id=ticket_id,
                    channel=HandlingRecord.Channel.QUEUE,
                    item_id=item.pk,
                    day=day,
                    start=float(t["started"]),
                    seconds=handle or 0,
                    outcome=t["outcome"],
                    kind=t.get("kind", ""),
                )

    def add_record(
        self,
        *,
        point_id: int,
        ticket_id: int | None,
        channel: str,
        item_id: int,
        day: date,
        start: float,
        seconds: int,
        outcome: str,
        kind: str = "",
        person_id: int | None = None,
        organisation_id: int | None = None,
    ) -> None:
        record_id, self.next_record = self.next_record, self.next_record + 1
        self.records.append(
            (
                record_id,
                point_id,
                ticket_id,
                channel,
                item_id,
                person_id,
                organisation_id,
                self.day(day),
                int(start // 60),
                self.moment(day, start),
                self.moment(day, start + seconds / 60),
                seconds,
                outcome,
                kind,
                None,
                "",
                self.now,
            )
        )

    def pending(self) -> int:
        return len(self.tickets) + len(self.records)

    def flush(self) -> None:
        with transaction.atomic():
            insert_rows(Ticket, self.TICKET_COLUMNS, self.tickets)
            insert_rows(HandlingRecord, self.RECORD_COLUMNS, self.records)
        self.written_tickets += len(self.tickets)
        self.written_records += len(self.records)
        self.tickets.clear()
        self.records.clear()

    def finish(self) -> None:
        """Write what is left and move PostgreSQL's id sequences past the rows written."""
        self.flush()
        reset_sequences(Ticket, HandlingRecord)
