"""Lifecycle events as captured from EPCIS 2.0 documents, and the capture jobs that brought them.

An event keeps its body exactly as received (every field, extensions included); the columns
beside it are the indexed facts that queries filter on, normalised (CBV short names expanded to
full URIs, times in UTC). An event belongs to the region of the user who captured it: that is
its scope.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiceng.core.models import Region

URI_LENGTH = 500


class CaptureJob(models.Model):
    """One POST of an EPCIS document: its outcome, reasons when refused, and what it stored."""

    capture_id = models.UUIDField(_("capture ID"), default=uuid.uuid4, unique=True, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("captured by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The module's device that captured with its key (no actor then), as the module labels it,
    # e.g. "gas.scale:12"; empty for a user's or the system's capture. A label, not a key: the
    # ledger knows no module's models.
    device = models.CharField(_("captured by device"), max_length=60, blank=True, default="")
    created_at = models.DateTimeField(_("created"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    running = models.BooleanField(_("running"), default=True)
    success = models.BooleanField(_("success"), default=False)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    # The document's own JSON-LD context entries (namespace prefixes of extensions), so that
    # query results can declare the prefixes their events use.
    context = models.JSONField(_("JSON-LD context"), default=list, blank=True)
    event_count = models.PositiveIntegerField(_("events in the document"), default=0)
    stored_count = models.PositiveIntegerField(_("new events stored"), default=0)
    duplicate_count = models.PositiveIntegerField(_("repeated events skipped"), default=0)

    region_field: ClassVar[str] = "region"

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("capture job")
        verbose_name_plural = _("capture jobs")

    def __str__(self) -> str:
        return str(self.capture_id)


class LedgerEvent(models.Model):
    """One EPCIS event, stored once per eventID."""

    event_id = models.CharField(_("event ID"), max_length=URI_LENGTH)
    event_type = models.CharField(_("event type"), max_length=30)
    action = models.CharField(_("action"), max_length=10, blank=True)
    event_time = models.DateTimeField(_("event time"))
    event_time_zone_offset = models.CharField(_("time zone offset"), max_length=6)
    record_time = models.DateTimeField(_("record time"))
    biz_step = models.CharField(_("business step"), max_length=URI_LENGTH, blank=True)
    disposition = models.CharField(_("disposition"), max_length=URI_LENGTH, blank=True)
    read_point = models.CharField(_("read point"), max_length=URI_LENGTH, blank=True)
    biz_location = models.CharField(_("business location"), max_length=URI_LENGTH, blank=True)
    parent_id = models.CharField(_("parent ID"), max_length=URI_LENGTH, blank=True)
    # The ledger only grows: no index on these keys, which nothing looks events up by (one less
    # B-tree to maintain per event keeps capture fast). Scope filters ride on the other indexes.
    # No database constraint either: only the capture service writes events, with the job and
    # region it has just written or read, and checking two keys per event at COMMIT cost a third
    # of a PostgreSQL capture. The ORM still refuses to delete a job or region events refer to.
    capture_job = models.ForeignKey(
        CaptureJob,
        verbose_name=_("capture job"),
        on_delete=models.PROTECT,
        related_name="events",
        db_index=False,
        db_constraint=False,
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    flagged = models.BooleanField(_("flagged"), default=False)
    flag_reasons = models.JSONField(_("flag reasons"), default=list, blank=True)
    body = models.JSONField(_("event as received"))

    region_field: ClassVar[str] = "region"

    class Meta:
        ordering = ["event_time", "id"]
        verbose_name = _("ledger event")
        verbose_name_plural = _("ledger events")
        # A constraint rather than unique=True: on PostgreSQL that would add a second index
        # (for LIKE) that nothing uses and every capture would have to maintain.
        constraints = [models.UniqueConstraint(fields=["event_id"], name="ledger_event_id_once")]
        indexes = [
            models.Index(fields=["event_time", "id"], name="ledger_event_time"),
            models.Index(fields=["biz_location", "event_time"], name="ledger_event_location"),
            models.Index(
                fields=["event_time"],
                name="ledger_event_flagged",
                condition=models.Q(flagged=True),
            ),
        ]

    def __str__(self) -> str:
        return self.event_id


class EpcRole(models.TextChoices):
    EPC = "epc", _("object (epcList)")
    CHILD = "child", _("child (childEPCs)")
    PARENT = "parent", _("parent (parentID)")
    INPUT = "input", _("input (inputEPCList)")
    OUTPUT = "output", _("output (outputEPCList)")
    QUANTITY = "quantity", _("class (quantity lists)")


class LedgerEventEpc(models.Model):
    """An identifier an event names, in one role: the index behind MATCH_epc and friends."""

    # Written in the same statement as its event, from the event's returned id: no database
    # constraint to check at COMMIT (see LedgerEvent.capture_job); the ORM deletes these rows
    # with their event.
    event = models.ForeignKey(
        LedgerEvent,
        on_delete=models.CASCADE,
        related_name="epcs",
        db_index=False,
        db_constraint=False,
    )
    epc = models.CharField(_("identifier"), max_length=URI_LENGTH)
    role = models.CharField(_("role"), max_length=10, choices=EpcRole.choices)
    event_time = models.DateTimeField(_("event time"))

    class Meta:
        verbose_name = _("event identifier")
        verbose_name_plural = _("event identifiers")
        # Every column a MATCH_epc query reads is in the index: it is answered from the index
        # alone, and only the matching events themselves are read from the table.
        indexes = [
            models.Index(fields=["epc", "event_time", "event_id", "role"], name="ledger_epc_time")
        ]

    def __str__(self) -> str:
        return f"{self.epc} ({self.role})"
