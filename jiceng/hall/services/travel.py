"""The travel-time model of the ten-minute service circle, and routing-engine times imported as
CSV (`village,point,minutes`: a village code, a service point code, minutes)."""

from __future__ import annotations

import csv
import io
import math
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core import roles
from jiceng.core.models import Region, RegionLevel, User
from jiceng.hall.models import ServicePoint, TravelModel, TravelTime

MAX_ROWS = 2_000_000


def _check_administrator(actor: User | None) -> None:
    if actor is not None and not roles.may_administer(actor):
        raise PermissionDenied(_("Only a county administrator may change the travel model."))


def travel_model_set(
    *,
    actor: User | None,
    valid_from: date,
    detour_factor: float,
    speed_kmh: float,
    threshold_minutes: float,
    note: str = "",
) -> TravelModel:
    """The travel model from `valid_from` on (a row for that day is replaced)."""
    _check_administrator(actor)
    model = TravelModel.objects.filter(valid_from=valid_from).first() or TravelModel(
        valid_from=valid_from
    )
    model.detour_factor, model.speed_kmh = float(detour_factor), float(speed_kmh)
    model.threshold_minutes, model.note = float(threshold_minutes), note.strip()[:200]
    model.full_clean()
    model.save()
    return model


def travel_times_import_csv(
    *, actor: User | None, text: str, replace: bool = True, at: datetime | None = None
) -> int:
    """Import routing-engine travel times, all or nothing; with `replace`, earlier imported
    times are deleted first. Returns how many pairs were imported."""
    _check_administrator(actor)
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in ("village", "point", "minutes") if c not in (reader.fieldnames or [])]
    if missing:
        raise ValidationError({"file": _("Missing columns: %s") % ", ".join(missing)})
    raw = []
    for line, rec in enumerate(reader, start=2):
        if line - 1 > MAX_ROWS:
            raise ValidationError({"file": _("At most %d rows.") % MAX_ROWS})
        raw.append(
            (
                line,
                (rec["village"] or "").strip(),
                (rec["point"] or "").strip(),
                (rec["minutes"] or "").strip(),
            )
        )
    villages = set(
        Region.objects.filter(level=RegionLevel.VILLAGE, code__in={r[1] for r in raw}).values_list(
            "code", flat=True
        )
    )
    points = dict(
        ServicePoint.objects.filter(code__in={r[2] for r in raw}).values_list("code", "pk")
    )
    problems, rows, seen = [], [], set()
    now = at or timezone.now()
    for line, village, point, minutes in raw:
        why = []
        if village not in villages:
            why.append(_("unknown village %r") % village)
        if point not in points:
            why.append(_("unknown service point %r") % point)
        try:
            value = float(minutes)
            if not math.isfinite(value) or value < 0:
                raise ValueError(minutes)
        except ValueError:
            why.append(_("minutes must be a number of 0 or more, not %r") % minutes)
            value = 0.0
        if (village, point) in seen:
            why.append(_("the pair appears twice"))
        seen.add((village, point))
        if why:
            problems.append(_("line %(line)d: %(why)s") % {"line": line, "why": "; ".join(why)})
            continue
        rows.append(
            TravelTime(village_id=village, point_id=points[point], minutes=value, imported_at=now)
        )
    if problems:
        raise ValidationError({"file": problems[:50]})
    with transaction.atomic():
        if replace:
            TravelTime.objects.all().delete()
        TravelTime.objects.bulk_create(
            rows,
            batch_size=5_000,
            update_conflicts=True,
            unique_fields=["village", "point"],
            update_fields=["minutes", "imported_at"],
        )
    return len(rows)
