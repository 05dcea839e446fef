"""Writes to the audit trail beyond what django-auditlog records by itself.

django-auditlog records every create, update and delete of the registered core models (see
core.apps). Three things it cannot see are recorded here: a user reading a clear ID number, an
export of a registry, and records created in bulk by an import (bulk inserts send no signals).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from auditlog.cid import get_cid
from auditlog.context import auditlog_value
from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model

from jiceng.core.models import Person, User


def _request_context() -> dict[str, Any]:
    """The remote address that AuditlogMiddleware put in context for this request, if any."""
    try:
        context = auditlog_value.get()
    except LookupError:
        return {}
    return {"remote_addr": context.get("remote_addr"), "remote_port": context.get("remote_port")}


def _entry(*, actor: User | None, **fields: Any) -> LogEntry:
    return LogEntry(
        actor=actor,
        actor_email=getattr(actor, "email", None) or None,
        cid=get_cid(),
        **_request_context(),
        **fields,
    )


def audit_record_id_number_reveal(*, actor: User, person: Person) -> LogEntry:
    """Record that `actor` was shown the clear ID number of `person`."""
    entry = _entry(
        actor=actor,
        content_type=ContentType.objects.get_for_model(Person),
        object_pk=str(person.pk),
        object_id=person.pk,
        object_repr=str(person),
        action=LogEntry.Action.ACCESS,
        additional_data={"access": "id_number_revealed"},
    )
    entry.save()
    return entry


def audit_record_export(
    *, actor: User, model: type[Model], description: str, details: Mapping[str, Any]
) -> LogEntry:
    """Record that `actor` exported records of `model` (filters and format in `details`)."""
    entry = _entry(
        actor=actor,
        content_type=ContentType.objects.get_for_model(model),
        object_pk="",
        object_repr=description,
        action=LogEntry.Action.ACCESS,
        additional_data={"access": "export", **details},
    )
    entry.save()
    return entry


def audit_record_bulk_creation(
    *, actor: User | None, instances: Iterable[Model], details: Mapping[str, Any]
) -> int:
    """Record the creation of records inserted in bulk, as django-auditlog would for each one.

    The instances must carry their primary keys (bulk_create sets them on SQLite and PostgreSQL).
    """
    entries = []
    content_types: dict[type[Model], ContentType] = {}
    for instance in instances:
        model = type(instance)
        if model not in content_types:
            content_types[model] = ContentType.objects.get_for_model(model)
        entries.append(
            _entry(
                actor=actor,
                content_type=content_types[model],
                object_pk=str(instance.pk),
                object_id=instance.pk,
                object_repr=str(instance),
                action=LogEntry.Action.CREATE,
                changes=model_instance_diff(None, instance),
                additional_data=dict(details),
            )
        )
    LogEntry.objects.bulk_create(entries, batch_size=500)
    return len(entries)


def audit_record_password_reset(*, actor: User | None, user: User) -> LogEntry:
    """Record that `actor` gave `user` a temporary password (the hash never enters the log)."""
    entry = _entry(
        actor=actor,
        content_type=ContentType.objects.get_for_model(User),
        object_pk=str(user.pk),
        object_id=user.pk,
        object_repr=str(user),
        action=LogEntry.Action.UPDATE,
        additional_data={"account": "password_reset"},
    )
    entry.save()
    return entry
