"""The inspections engine's writes: recording an inspection (every active item answered, failed
items opening cases, passed items closing them), patrol rounds, and the county's checklist
edits.

The case loop is reached only through its public services: a failed item opens a case with
`case_report` (source INSPECTION, category from the target kind's `case_for`); a later
inspection that passes the item marks its findings rectified and walks the case to closed as
the system (resolved, then verified by the re-inspection). A case closed any other way
(verified by the office, dismissed, merged) marks its open findings rectified too; reopening it
opens them again (handlers registered in InspectionsConfig.ready)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.cases import photos as photo_checks
from jiceng.core.errors import Refused
from jiceng.core.models import Region, User
from jiceng.core.scope import code_in_scope
from jiceng.inspections.access import (
    check_may_edit_checklists,
    check_may_inspect,
    may_finish_round,
)
from jiceng.inspections.hooks import Target, TargetKind, target_kind
from jiceng.inspections.models import (
    Checklist,
    ChecklistItem,
    Finding,
    Inspection,
    InspectionPhoto,
    Round,
    Severity,
)

if TYPE_CHECKING:
    from jiceng.cases.models import Case

NOTE_LIMIT = 300
CODE_PATTERN = re.compile(r"^[a-z0-9_-]{1,40}$")
DEFAULT_DEADLINE_DAYS = {Severity.MAJOR: 3, Severity.MINOR: 7}
# A phone's clock may run a little ahead of the server's.
FUTURE_SLACK = timedelta(minutes=5)

Photos = Sequence[UploadedFile] | Mapping[str, Sequence[UploadedFile]] | None


# --- targets -----------------------------------------------------------------------------------


def target_parse(target: str) -> tuple[str, str, TargetKind]:
    """ "kind:id" → (kind, id, handler); an unknown kind or a malformed string is a
    ValidationError on `target`."""
    kind, sep, target_id = str(target or "").partition(":")
    handler = target_kind(kind) if sep else None
    if handler is None or not target_id or len(target_id) > 60:
        raise ValidationError({"target": _("Unknown target: %s") % str(target)[:80]})
    return kind, target_id, handler


def target_resolve(actor: User, target: str) -> tuple[str, str, TargetKind, Target]:
    """The target, if it exists and lies in the actor's region (one outside is as unknown as a
    missing one), after the module's own rule on who inspects it."""
    kind, target_id, handler = target_parse(target)
    found = handler.resolve(target_id)
    if found is None or not code_in_scope(actor, found.region_code):
        raise ValidationError({"target": _("Unknown target: %s") % str(target)[:80]})
    handler.may_inspect(actor, found)
    return kind, target_id, handler, found


# --- recording an inspection -----------------------------------------------------------------


def _clean_deadline(value: Any, today: date) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            raise ValidationError({"findings": _("Not a date: %s") % value[:20]}) from None
    if not isinstance(value, date):
        raise ValidationError({"findings": _("Not a date: %s") % str(value)[:20]})
    if value < today:
        raise ValidationError({"findings": _("A rectification deadline lies in the past.")})
    return value


def _clean_findings(
    checklist: Checklist, findings: Sequence[Mapping[str, Any]], today: date
) -> list[dict[str, Any]]:
    """Every active item answered exactly once; severities known; deadlines today or later
    (default: today + the checklist's days for the severity)."""
    if not isinstance(findings, Sequence) or isinstance(findings, str):
        raise ValidationError({"findings": _("Answer the checklist item by item.")})
    items = {item.code: item for item in checklist.items.all() if item.is_active}
    days = {**DEFAULT_DEADLINE_DAYS, **(checklist.deadline_days or {})}
    seen: set[str] = set()
    clean = []
    for answer in findings:
        if not isinstance(answer, Mapping):
            raise ValidationError({"findings": _("Answer the checklist item by item.")})
        code = str(answer.get("item") or "")
        item = items.get(code)
        if item is None:
            raise ValidationError({"findings": _("Unknown checklist item: %s") % code[:40]})
        if code in seen:
            raise ValidationError({"findings": _("An item is answered twice: %s") % code})
        seen.add(code)
        ok = answer.get("ok")
        if not isinstance(ok, bool):
            raise ValidationError({"findings": _("Say whether %s is fine.") % code})
        severity = answer.get("severity") or item.severity
        if severity not in Severity.values:
            raise ValidationError({"findings": _("A finding is major or minor.")})
        deadline = None
        if not ok:
            deadline = _clean_deadline(answer.get("deadline"), today) or today + timedelta(
                days=int(days.get(severity, 7))
            )
        clean.append(
            {
                "item": item,
                "ok": ok,
                "note": str(answer.get("note") or "").strip()[:NOTE_LIMIT],
                "severity": "" if ok else severity,
                "deadline": deadline,
            }
        )
    missing = [code for code in items if code not in seen]
    if missing:
        raise ValidationError({"findings": _("Answer every item: %s") % ", ".join(missing)})
    return clean


def _clean_photos(photos: Photos, item_codes: set[str]) -> dict[str, list[Any]]:
    """Photos of the whole inspection (key "") and of single items (key: the item's code)."""
    if not photos:
        return {}
    grouped: Mapping[str, Sequence[UploadedFile]] = (
        photos if isinstance(photos, Mapping) else {"": photos}
    )
    clean: dict[str, list[Any]] = {}
    total = 0
    for code, files in grouped.items():
        if code and code not in item_codes:
            raise ValidationError({"photos": _("Unknown checklist item: %s") % code[:40]})
        if files:
            clean[code] = photo_checks.check_photos(list(files))
            total += len(clean[code])
    if total > photo_checks.MAX_PHOTOS * 2:
        raise ValidationError({"photos": _("At most %d photos.") % (photo_checks.MAX_PHOTOS * 2)})
    return clean


def _clean_round(actor: User, round_id: Any) -> Round | None:
    if round_id in (None, ""):
        return None
    try:
        pk = int(round_id)
    except (TypeError, ValueError):
        raise ValidationError({"round_id": _("Unknown patrol round.")}) from None
    found = Round.objects.filter(pk=pk).first()
    if found is None or not code_in_scope(actor, found.region_id):
        raise ValidationError({"round_id": _("Unknown patrol round.")})
    return found


def inspection_record(
    *,
    actor: User,
    checklist: str,
    target: str,
    findings: Sequence[Mapping[str, Any]],
    inspected_at: datetime | None = None,
    note: str = "",
    photos: Photos = None,
    round_id: int | str | None = None,
) -> Inspection:
    """Record an inspection of `target` ("kind:id") against `checklist` (its code).

    `findings` answers every active item once: {item, ok, note, optional severity, optional
    deadline}. Everything is validated before anything is written; bad input stores nothing.
    A failed item becomes an open finding with a deadline by severity and a case (or joins the
    case of the item's open finding at the same target); a passed item rectifies the item's
    open findings there and closes their case. The answer's `opened_cases` lists the new cases.
    `photos` is a list (of the whole inspection) or a mapping item code → list ("" the whole)."""
    check_may_inspect(actor)
    found_checklist = (
        Checklist.objects.filter(code=str(checklist or "")[:40], is_active=True)
        .prefetch_related("items")
        .first()
    )
    if found_checklist is None:
        raise ValidationError({"checklist": _("Unknown checklist: %s") % str(checklist)[:40]})
    kind, target_id, handler, place = target_resolve(actor, target)
    now = timezone.now()
    at = inspected_at or now
    if at > now + FUTURE_SLACK:
        raise ValidationError({"inspected_at": _("An inspection cannot lie in the future.")})
    today = timezone.localdate(at)
    answers = _clean_findings(found_checklist, findings, today)
    checked_photos = _clean_photos(photos, {a["item"].code for a in answers})
    patrol = _clean_round(actor, round_id)
    specs = {
        answer["item"].pk: handler.case_for(answer["item"], answer["note"])
        for answer in answers
        if not answer["ok"]
    }
    from jiceng.cases.models import Source
    from jiceng.cases.services import register_close_handler, register_reopen_handler
    from jiceng.cases.services.intake import case_report

    with transaction.atomic():
        earlier: dict[int, list[Finding]] = defaultdict(list)
        for open_finding in (
            Finding.objects.select_for_update(of=("self",))
            .select_related("case")
            .filter(target_kind=kind, target_id=target_id, status=Finding.Status.OPEN)
            .order_by("id")
        ):
            earlier[open_finding.item_id].append(open_finding)
        inspection = Inspection.objects.create(
            checklist=found_checklist,
            target_kind=kind,
            target_id=target_id,
            target_label=place.label[:200],
            region_id=place.region_code,
            inspected_at=at,
            inspector=actor,
            note=str(note or "")[:2000],
            round=patrol,
            is_reinspection=bool(earlier),
        )
        rows = Finding.objects.bulk_create(
            [
                Finding(
                    inspection=inspection,
                    item=answer["item"],
                    target_kind=kind,
                    target_id=target_id,
                    ok=answer["ok"],
                    note=answer["note"],
                    severity=answer["severity"],
                    status=Finding.Status.OK if answer["ok"] else Finding.Status.OPEN,
                    deadline=answer["deadline"],
                )
                for answer in answers
            ]
        )
        opened: list[Case] = []
        joined: list[Finding] = []
        to_close: dict[int, Case] = {}
        rectified: list[Finding] = []
        for row, answer in zip(rows, answers, strict=True):
            item = answer["item"]
            previous = earlier.get(item.pk, [])
            if row.ok:
                for old in previous:
                    old.status, old.rectified_at, old.rectified_by = (
                        Finding.Status.RECTIFIED,
                        at,
                        inspection,
                    )
                    rectified.append(old)
                    if old.case_id is not None and old.case is not None and old.case.is_open:
                        to_close[old.case_id] = old.case
                continue
            open_case = next(
                (old.case for old in reversed(previous) if old.case and old.case.is_open), None
            )
            if open_case is not None:
                row.case = open_case
                joined.append(row)
                continue
            spec = specs[item.pk]
            register_close_handler(spec.category, finding_case_closed)
            register_reopen_handler(spec.category, finding_case_reopened)
            description = spec.description or _("%(severity)s finding at %(target)s: %(item)s.") % {
                "severity": Severity(answer["severity"]).label,
                "target": place.label,
                "item": item.text,
            }
            if answer["note"] and answer["note"] not in description:
                description = f"{description} {answer['note']}"
            rectify = _("Rectify by %s.") % answer["deadline"].isoformat()
            description = f"{description} {rectify}"
            row.case = case_report(
                actor=actor,
                category=spec.category,
                description=description,
                region_code=place.region_code,
                lat=place.lat,
                lon=place.lon,
                address=place.address,
                source=Source.INSPECTION,
                attributes=spec.attributes,
                source_ref=f"inspection-finding:{row.pk}",
                at=at,
            )
            opened.append(row.case)
            joined.append(row)
        if joined:
            Finding.objects.bulk_update(joined, ["case"])
        if rectified:
            Finding.objects.bulk_update(rectified, ["status", "rectified_at", "rectified_by"])
        _store_photos(inspection, rows, checked_photos)
        for case in to_close.values():
            _close_by_reinspection(case, actor, max(at, case.reported_at))
        handler.changed([target_id], at)
    inspection.opened_cases = opened  # type: ignore[attr-defined]
    return inspection


def _store_photos(
    inspection: Inspection, rows: list[Finding], checked: dict[str, list[Any]]
) -> None:
    by_code = {row.item.code: row for row in rows}
    for code, photos in checked.items():
        for photo in photos:
            token, content = photo_checks.photo_content(photo)
            record = InspectionPhoto(
                inspection=inspection,
                finding=by_code.get(code) if code else None,
                token=token,
                content_type=photo.content_type,
                size=len(photo.content),
            )
            record.file.save(content.name, content, save=False)
            record.save()


# The system's steps that take an open case to closed, by its status: a re-inspection found
# the item put right, which is what the office would otherwise verify on site.
_CLOSING_STEPS = {
    "reported": "dispatch",
    "accepted": "dispatch",
    "returned": "dispatch",
    "dispatched": "resolve",
    "in_progress": "resolve",
    "resolved": "verify",
}


def _close_by_reinspection(case: Case, actor: User, at: datetime) -> None:
    """Walk the case to closed as the system. A case that cannot get there (no department to
    dispatch it to, suspended) stays open for the office to verify; its finding is rectified
    all the same."""
    from jiceng.cases.services import case_act

    note = (
        _("Put right: a re-inspection on %s found the item fine.")
        % timezone.localdate(at).isoformat()
    )
    try:
        with transaction.atomic():
            for _step in range(len(_CLOSING_STEPS)):
                action = _CLOSING_STEPS.get(case.status)
                if action is None:
                    break
                case = case_act(
                    case_id=case.pk,
                    actor=actor,
                    action=action,
                    note=note,
                    system=True,
                    at=at,
                )
    except (ValidationError, Refused, PermissionDenied):
        return


# --- a case closed or reopened in the case loop -----------------------------------------------


def _targets_changed(findings: list[Finding], at: datetime) -> None:
    by_kind: dict[str, set[str]] = defaultdict(set)
    for finding in findings:
        by_kind[finding.target_kind].add(finding.target_id)
    for kind, ids in by_kind.items():
        handler = target_kind(kind)
        if handler is not None:
            handler.changed(sorted(ids), at)


def finding_case_closed(case: Case) -> None:
    """A finding's case closed (verified, dismissed, merged): its open findings are rectified,
    and the targets' modules hear of it."""
    findings = list(Finding.objects.filter(case=case, status=Finding.Status.OPEN))
    if not findings:
        return
    at = case.closed_at or timezone.now()
    for finding in findings:
        finding.status, finding.rectified_at = Finding.Status.RECTIFIED, at
    Finding.objects.bulk_update(findings, ["status", "rectified_at"])
    _targets_changed(findings, max(at, timezone.now()))


def finding_case_reopened(case: Case) -> None:
    """Reopening the case means the item was not put right: its findings are open again."""
    findings = list(Finding.objects.filter(case=case, status=Finding.Status.RECTIFIED))
    if not findings:
        return
    for finding in findings:
        finding.status, finding.rectified_at, finding.rectified_by = (
            Finding.Status.OPEN,
            None,
            None,
        )
    Finding.objects.bulk_update(findings, ["status", "rectified_at", "rectified_by"])
    _targets_changed(findings, timezone.now())


def category_listen(category: str) -> None:
    """Hear when cases of `category` close or reopen (InspectionsConfig.ready, per kind)."""
    from jiceng.cases.services import register_close_handler, register_reopen_handler

    register_close_handler(category, finding_case_closed)
    register_reopen_handler(category, finding_case_reopened)


# --- patrol rounds -----------------------------------------------------------------------------


def _clean_route(route: Any) -> list[Any]:
    """A list of [lat, lon] points or place names."""
    if route in (None, ""):
        return []
    if isinstance(route, str):
        return [part.strip()[:100] for part in re.split(r"[\n,，;；→]+", route) if part.strip()][
            :200
        ]
    if not isinstance(route, list) or len(route) > 2000:
        raise ValidationError({"route": _("A route is a list of points or places.")})
    clean: list[Any] = []
    for point in route:
        if isinstance(point, str):
            clean.append(point.strip()[:100])
            continue
        if (
            isinstance(point, list | tuple)
            and len(point) == 2
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in point)
            and -90 <= point[0] <= 90
            and -180 <= point[1] <= 180
        ):
            clean.append([float(point[0]), float(point[1])])
            continue
        raise ValidationError({"route": _("A route is a list of points or places.")})
    return clean


def round_start(
    *,
    actor: User,
    region_code: str,
    kind: str = "night_patrol",
    members: str = "",
    route: Any = None,
    note: str = "",
    at: datetime | None = None,
) -> Round:
    """Start a patrol round in a region of the actor's; the actor leads it."""
    check_may_inspect(actor)
    if not CODE_PATTERN.match(str(kind or "")) or len(kind) > 30:
        raise ValidationError({"kind": _("Unknown kind of round.")})
    region = Region.objects.filter(code=str(region_code or "")[:20]).first()
    if region is None or not code_in_scope(actor, region.code):
        raise ValidationError({"region_code": _("Unknown region.")})
    now = timezone.now()
    started = at or now
    if started > now + FUTURE_SLACK:
        raise ValidationError({"started_at": _("A round cannot start in the future.")})
    clean_route = _clean_route(route)
    return Round.objects.create(
        kind=kind,
        region=region,
        leader=actor,
        members=str(members or "").strip()[:300],
        started_at=started,
        route=clean_route,
        note=str(note or "").strip()[:4000],
    )


def round_finish(
    *,
    actor: User,
    round_id: int,
    route: Any = None,
    note: str | None = None,
    at: datetime | None = None,
) -> Round:
    """Finish a round: when it ended, the route walked and what was found on the way."""
    patrol = Round.objects.filter(pk=round_id).first()
    if patrol is None or not code_in_scope(actor, patrol.region_id):
        raise ValidationError({"round_id": _("Unknown patrol round.")})
    if not may_finish_round(actor, patrol):
        raise PermissionDenied(_("Only the round's leader or an administrator finishes it."))
    if patrol.ended_at is not None:
        raise Refused(_("The round has already finished."))
    ended = at or timezone.now()
    if ended < patrol.started_at:
        raise ValidationError({"ended_at": _("A round cannot end before it started.")})
    if ended > timezone.now() + FUTURE_SLACK:
        raise ValidationError({"ended_at": _("A round cannot end in the future.")})
    fields = ["ended_at"]
    if route not in (None, "", []):
        patrol.route = _clean_route(route)
        fields.append("route")
    if note is not None:
        patrol.note = str(note).strip()[:4000]
        fields.append("note")
    patrol.ended_at = ended
    patrol.save(update_fields=fields)
    return patrol


# --- the county's checklists -----------------------------------------------------------------


def _clean_items(items: Any) -> list[dict[str, Any]]:
    if not isinstance(items, Sequence) or isinstance(items, str) or not items:
        raise ValidationError({"items": _("A checklist has at least one item.")})
    if len(items) > 200:
        raise ValidationError({"items": _("At most 200 items.")})
    clean, seen = [], set()
    for position, entry in enumerate(items):
        if not isinstance(entry, Mapping):
            raise ValidationError({"items": _("Each item has a code and a text.")})
        code = str(entry.get("code") or "").strip()
        if not CODE_PATTERN.match(code):
            raise ValidationError(
                {"items": _("An item's code is letters, digits, - and _: %s") % code[:40]}
            )
        if code in seen:
            raise ValidationError({"items": _("Two items have the code %s.") % code})
        seen.add(code)
        text = str(entry.get("text") or "").strip()
        if not text or len(text) > 300:
            raise ValidationError({"items": _("Item %s needs a text (at most 300).") % code})
        severity = entry.get("severity") or Severity.MINOR
        if severity not in Severity.values:
            raise ValidationError({"items": _("A finding is major or minor.")})
        category = str(entry.get("category") or "").strip()
        if category and not CODE_PATTERN.match(category):
            raise ValidationError({"items": _("Unknown category: %s") % category[:40]})
        clean.append(
            {
                "code": code,
                "text": text,
                "text_en": str(entry.get("text_en") or "").strip()[:300],
                "category": category,
                "severity": severity,
                "position": position,
                "is_active": entry.get("is_active", True) is not False,
            }
        )
    return clean


def _clean_deadline_days(value: Any) -> dict[str, int]:
    if not isinstance(value, Mapping):
        raise ValidationError({"deadline_days": _("Days to rectify, for major and minor.")})
    clean = {}
    for severity in Severity.values:
        try:
            days = int(value.get(severity))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise ValidationError(
                {"deadline_days": _("Days to rectify, for major and minor.")}
            ) from None
        if not 0 <= days <= 365:
            raise ValidationError({"deadline_days": _("Between 0 and 365 days.")})
        clean[severity] = days
    return clean


def checklist_save(
    actor: User,
    code: str,
    items: Sequence[Mapping[str, Any]],
    *,
    name: str | None = None,
    name_en: str | None = None,
    module: str | None = None,
    deadline_days: Mapping[str, Any] | None = None,
    is_active: bool | None = None,
) -> Checklist:
    """Create or edit a checklist (county administrators only): its items in order, as given.
    An item left out is deleted if it was never answered, else deactivated (its findings keep
    it); an item given again with its code is edited in place."""
    check_may_edit_checklists(actor)
    code = str(code or "").strip()
    if not CODE_PATTERN.match(code):
        raise ValidationError({"code": _("A code is letters, digits, - and _.")})
    clean_items = _clean_items(items)
    checklist = Checklist.objects.filter(code=code).first()
    if checklist is None and not (name and module):
        raise ValidationError({"name": _("A new checklist needs a name and a module.")})
    if name is not None and not 0 < len(name.strip()) <= 100:
        raise ValidationError({"name": _("A name of at most 100 characters.")})
    if module is not None and not CODE_PATTERN.match(module):
        raise ValidationError({"module": _("Unknown module.")})
    days = _clean_deadline_days(deadline_days) if deadline_days is not None else None
    with transaction.atomic():
        if checklist is None:
            checklist = Checklist(code=code, deadline_days=dict(DEFAULT_DEADLINE_DAYS))
        if name is not None:
            checklist.name = name.strip()
        if name_en is not None:
            checklist.name_en = name_en.strip()[:100]
        if module is not None:
            checklist.module = module
        if days is not None:
            checklist.deadline_days = days
        if is_active is not None:
            checklist.is_active = is_active
        checklist.save()
        existing = {item.code: item for item in ChecklistItem.objects.filter(checklist=checklist)}
        kept = set()
        for entry in clean_items:
            item = existing.get(entry["code"]) or ChecklistItem(checklist=checklist)
            for field, value in entry.items():
                setattr(item, field, value)
            item.save()
            kept.add(entry["code"])
        gone = [item for code_, item in existing.items() if code_ not in kept]
        answered = set(
            Finding.objects.filter(item__in=gone).values_list("item_id", flat=True).distinct()
        )
        for item in gone:
            if item.pk in answered:
                if item.is_active:
                    item.is_active = False
                    item.save(update_fields=["is_active"])
            else:
                item.delete()
    return checklist
