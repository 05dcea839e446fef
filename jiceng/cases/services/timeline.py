"""A case's timeline: the event each intake and action writes, with its photos, and the clean
text of descriptions and notes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jiceng.cases import photos as photo_checks
from jiceng.cases.models import (
    Case,
    CaseEvent,
    CasePhoto,
    Department,
)
from jiceng.core.models import User

MAX_DESCRIPTION = 4000


def clean_text(value: str, *, field: str, limit: int, required: bool = False) -> str:
    text = (value or "").replace("\x00", "").strip()
    if required and not text:
        raise ValidationError({field: _("This field is required.")})
    if len(text) > limit:
        raise ValidationError({field: _("At most %d characters.") % limit})
    return text


def record_event(
    case: Case,
    kind: str,
    actor: User | None,
    at: datetime,
    *,
    note: str,
    from_status: str = "",
    to_status: str = "",
    department: Department | None = None,
    data: dict[str, Any] | None = None,
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        actor=actor,
        actor_label=str(actor) if actor else _("system"),
        at=at,
        note=note,
        from_status=from_status,
        to_status=to_status,
        department=department,
        data=data or {},
    )


def store_photos(
    case: Case,
    event: CaseEvent,
    checked: list[photo_checks.CheckedPhoto],
    kind: str,
    actor: User | None,
) -> None:
    for photo in checked:
        token, content = photo_checks.photo_content(photo)
        record = CasePhoto(
            case=case,
            event=event,
            kind=kind,
            token=token,
            extension=photo.extension,
            content_type=photo.content_type,
            size=len(photo.content),
            width=photo.width,
            height=photo.height,
            uploaded_by=actor,
        )
        record.file.save(content.name, content, save=False)
        record.save()
