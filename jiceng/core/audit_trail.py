"""Reading the audit trail: a record's history, and the administrators' query over the whole log.

The log is django-auditlog's LogEntry. What it shows is made safe for the reader: ID numbers are
masked wherever they might appear (the log stores only the masked form, and any free text is
masked again), and a person's birth date is shown only to roles that read ID numbers, since the
mask hides exactly the birth date.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db.models import DateTimeField, F, Model, QuerySet, Value
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiceng.core import roles
from jiceng.core.identifiers import mask_ids_in_text
from jiceng.core.models import ApiToken, Organisation, Person, Region, Site, User, UserRole

# The models whose changes the log records (see core.apps), by their model name.
AUDITED_MODELS: dict[str, type[Model]] = {
    model._meta.model_name: model  # type: ignore[misc]
    for model in (Person, Organisation, Site, Region, User, UserRole, ApiToken)
}
# Fields shown only to roles that read ID numbers (together with the mask they give it away).
_ID_REVEALING_FIELDS = {(Person, "birth_date")}
# Validated codes that are not ID numbers, though an all-digit credit code looks like one.
_VALIDATED_CODES = {(Organisation, "credit_code")}
_ACTIONS = {
    LogEntry.Action.CREATE: gettext_lazy("created"),
    LogEntry.Action.UPDATE: gettext_lazy("changed"),
    LogEntry.Action.DELETE: gettext_lazy("deleted"),
    LogEntry.Action.ACCESS: gettext_lazy("accessed"),
}


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class AuditLine:
    """One log entry as a reader may see it."""

    entry_id: int
    timestamp: datetime
    actor: str
    action: str
    model_name: str
    model_label: str
    object_pk: str
    object_repr: str
    changes: list[FieldChange]
    note: str
    remote_addr: str


class _RegionNames:
    """Names of the regions that entries refer to by code, fetched once each."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}

    def label(self, code: str) -> str:
        if code not in self.names:
            region = Region.objects.filter(code=code).only("name").first()
            self.names[code] = f"{region.name} ({code})" if region else code
        return self.names[code]


def _is_empty(value: Any) -> bool:
    return value is None or value in ("None", "")


def _shown(value: Any, *, mask: bool = True) -> str:
    if _is_empty(value):
        return "—"
    return mask_ids_in_text(str(value)) if mask else str(value)


def _local_datetime(value: Any) -> Any:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return value
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, UTC)
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _field_changes(
    entry: LogEntry, model: type[Model] | None, reads_ids: bool, regions: _RegionNames
) -> list[FieldChange]:
    changes: list[FieldChange] = []
    for name, values in (entry.changes_dict or {}).items():
        old, new = [*values, None, None][:2] if isinstance(values, list) else (None, values)
        if entry.action == LogEntry.Action.CREATE and _is_empty(new):
            continue  # a new record's empty fields say nothing
        field = None
        if model is not None:
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:
                field = None
        if field is not None and (not field.concrete or getattr(field, "primary_key", False)):
            continue  # reverse relations and the record's own number
        if field is not None and getattr(field, "auto_now_add", False):
            continue  # the creation time is the entry's own time
        label = name
        if field is not None:
            label = capfirst(str(getattr(field, "verbose_name", name)))
            choices = dict(getattr(field, "choices", None) or [])
            if choices:
                old, new = choices.get(old, old), choices.get(new, new)
            elif getattr(field, "related_model", None) is Region:
                old, new = (v if _is_empty(v) else regions.label(str(v)) for v in (old, new))
            elif isinstance(field, DateTimeField):
                old, new = (v if _is_empty(v) else _local_datetime(v) for v in (old, new))
        if (model, name) in _ID_REVEALING_FIELDS and not reads_ids:
            hidden = _("(hidden)")
            old = old if _is_empty(old) else hidden
            new = new if _is_empty(new) else hidden
        mask = (model, name) not in _VALIDATED_CODES
        changes.append(
            FieldChange(field=label, old=_shown(old, mask=mask), new=_shown(new, mask=mask))
        )
    return changes


def _note(entry: LogEntry) -> str:
    data = entry.additional_data if isinstance(entry.additional_data, dict) else {}
    access = data.get("access")
    if access == "id_number_revealed":
        return _("Viewed the ID number in clear")
    if access == "export":
        clear = _(" with clear ID numbers") if data.get("clear_id_numbers") else ""
        return _("Exported as %(format)s%(clear)s") % {
            "format": str(data.get("format", "")).upper(),
            "clear": clear,
        }
    if data.get("account") == "password_reset":
        return _("Gave a temporary password, to be changed at the next sign-in")
    if data.get("import"):
        return _("Imported from %s") % mask_ids_in_text(str(data["import"]))
    return ""


def _actor(entry: LogEntry) -> str:
    if entry.actor is None:
        return _("system")
    return str(entry.actor)


def describe_entry(
    entry: LogEntry, *, viewer: User, regions: _RegionNames | None = None
) -> AuditLine:
    model = entry.content_type.model_class()
    reads_ids = roles.may_read_id_numbers(viewer)
    return AuditLine(
        entry_id=entry.pk,
        timestamp=entry.timestamp,
        actor=_actor(entry),
        action=str(_ACTIONS.get(entry.action, entry.action)),
        model_name=entry.content_type.model,
        model_label=str(model._meta.verbose_name) if model else entry.content_type.model,
        object_pk=entry.object_pk,
        object_repr=mask_ids_in_text(entry.object_repr or ""),
        changes=_field_changes(entry, model, reads_ids, regions or _RegionNames()),
        note=_note(entry),
        remote_addr=entry.remote_addr or "",
    )


def record_history(record: Model, *, viewer: User, limit: int = 50) -> list[AuditLine]:
    """The latest entries about one record, newest first (the caller checked its scope)."""
    content_type = ContentType.objects.get_for_model(type(record))
    if isinstance(record.pk, int):
        entries = LogEntry.objects.filter(object_id=record.pk)
    else:
        entries = LogEntry.objects.filter(object_pk=str(record.pk))
    entries = (
        _of_content_type(entries, content_type)
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-pk")[:limit]
    )
    return describe_entries(entries, viewer=viewer)


def describe_entries(entries: Iterable[LogEntry], *, viewer: User) -> list[AuditLine]:
    regions = _RegionNames()
    return [describe_entry(entry, viewer=viewer, regions=regions) for entry in entries]


def _of_content_type(entries: QuerySet[LogEntry], content_type: ContentType) -> QuerySet[LogEntry]:
    """Entries of one model, for a query that already names the record.

    The condition is written as an expression so that no index applies to it: the record's
    own (far narrower) index is then used. Without table statistics SQLite would otherwise
    pick the content type's index and read every entry of the model: a million for people.
    """
    return entries.alias(content_type_plus_0=F("content_type_id") + Value(0)).filter(
        content_type_plus_0=content_type.pk
    )


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_log_query(
    *,
    model_name: str = "",
    username: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    object_pk: str = "",
) -> QuerySet[LogEntry]:
    """Entries matching every filter given (dates are local days, both ends included)."""
    entries = LogEntry.objects.select_related("actor", "content_type")
    if object_pk:
        entries = entries.filter(object_pk=object_pk)
    if model_name:
        model = AUDITED_MODELS.get(model_name)
        if model is None:
            return entries.none()
        content_type = ContentType.objects.get_for_model(model)
        if object_pk:
            entries = _of_content_type(entries, content_type)
        else:
            entries = entries.filter(content_type=content_type)
    if username:
        entries = entries.filter(actor__username=username)
    if date_from:
        entries = entries.filter(timestamp__gte=_start_of(date_from))
    if date_to:
        entries = entries.filter(timestamp__lt=_start_of(date_to + timedelta(days=1)))
    return entries.order_by("-pk")


AUDIT_CSV_HEADER = [
    "entry",
    "timestamp",
    "actor",
    "action",
    "model",
    "object",
    "object_repr",
    "changes",
    "note",
    "remote_addr",
]


def audit_log_rows(entries: QuerySet[LogEntry], *, viewer: User) -> Iterator[list[object]]:
    """The header and one row per entry, for a CSV export of a query."""
    yield list(AUDIT_CSV_HEADER)
    regions = _RegionNames()
    for entry in entries.iterator(chunk_size=2000):
        line = describe_entry(entry, viewer=viewer, regions=regions)
        yield [
            line.entry_id,
            timezone.localtime(line.timestamp).isoformat(timespec="seconds"),
            line.actor,
            line.action,
            line.model_name,
            line.object_pk,
            line.object_repr,
            "; ".join(f"{c.field}: {c.old} → {c.new}" for c in line.changes),
            line.note,
            line.remote_addr,
        ]
