"""Safety checks (安检) of user sites, on the shared inspections engine: a check is an
inspection of target kind "gas_site" against the checklist "gas_site" (data: the county edits
it; loaded from jiceng/reference/gas-checklist.json). A hazard is a failed finding with its
grade (severity), rectification deadline and gas-hazard case; the item's category is the
hazard's kind (the case's `hazard` attribute).

The engine opens the cases, joins a repeated hazard to its open case, rectifies a hazard when a
re-inspection finds the item fine or its case closes any other way, and opens it again when the
case is reopened; after each of these the site's colour follows (`site_changed`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core.models import User
from jiceng.core.scope import code_in_scope
from jiceng.gas.access import check_may_record_checks
from jiceng.gas.models import UserSite
from jiceng.gas.services.colours import site_colours_refresh
from jiceng.inspections.hooks import CaseSpec, Target, TargetKind
from jiceng.inspections.models import ChecklistItem, Inspection, Severity
from jiceng.inspections.selectors import checklist_with_items
from jiceng.inspections.services import inspection_record

HAZARD_CATEGORY = "gas_hazard"
TARGET_KIND = "gas_site"
CHECKLIST = "gas_site"
GRADES = (Severity.MAJOR, Severity.MINOR)


# --- the target kind the gas module registers (GasConfig.ready) ------------------------------


def site_target(target_id: str) -> Target | None:
    """A gas user site by its id, as the engine sees it."""
    if not target_id.isdigit():
        return None
    site = UserSite.objects.select_related("site").filter(pk=int(target_id)).first()
    if site is None:
        return None
    return Target(
        region_code=site.region_id,
        label=site.site.name or site.identifier,
        lat=site.site.lat,
        lon=site.site.lon,
        address=site.site.address,
    )


def site_may_inspect(actor: User, target: Target) -> None:
    """The gas trade, the region's administrators and town officers check sites."""
    check_may_record_checks(actor)


def hazard_case(item: ChecklistItem, note: str) -> CaseSpec:
    """A failed item opens a gas-hazard case; the item's category is the kind of hazard."""
    return CaseSpec(
        category=HAZARD_CATEGORY,
        attributes={"hazard": item.category or "illegal_connection"},
        description=_("Hazard at a gas user site: %(item)s.") % {"item": item.text},
    )


def site_changed(target_ids: list[str], at: datetime) -> None:
    """The sites' colours follow their checks and hazards."""
    site_colours_refresh(site_ids=[int(t) for t in target_ids if t.isdigit()], at=at)


SITE_TARGET = TargetKind(
    resolve=site_target,
    may_inspect=site_may_inspect,
    case_for=hazard_case,
    changed=site_changed,
    categories=(HAZARD_CATEGORY,),
)


# --- recording a check -------------------------------------------------------------------------


def _clean_hazards(
    hazards: list[dict[str, Any]], items: set[str], today: date
) -> dict[str, dict[str, Any]]:
    clean: dict[str, dict[str, Any]] = {}
    for hazard in hazards:
        if not isinstance(hazard, dict):
            raise ValidationError({"hazards": _("A hazard names an item and a grade.")})
        item, grade = hazard.get("item"), hazard.get("grade")
        if item not in items:
            raise ValidationError({"hazards": _("Unknown checklist item: %s") % item})
        if grade not in GRADES:
            raise ValidationError({"hazards": _("A hazard is graded major or minor.")})
        if item in clean:
            raise ValidationError({"hazards": _("An item is answered twice: %s") % item})
        deadline = hazard.get("deadline")
        if isinstance(deadline, str) and deadline:
            try:
                deadline = date.fromisoformat(deadline)
            except ValueError:
                raise ValidationError({"hazards": _("Not a date: %s") % deadline}) from None
        if isinstance(deadline, date) and deadline < today:
            raise ValidationError({"hazards": _("A rectification deadline lies in the past.")})
        clean[str(item)] = {
            "severity": grade,
            "deadline": deadline or None,
            "note": str(hazard.get("description") or "")[:300],
        }
    return clean


def safety_check_record(
    *,
    actor: User,
    site_id: int,
    answers: dict[str, dict[str, Any]],
    hazards: list[dict[str, Any]] | None = None,
    note: str = "",
    photos: list[UploadedFile] | dict[str, list[UploadedFile]] | None = None,
    at: datetime | None = None,
) -> Inspection:
    """Record a safety check: every item of the gas checklist answered, every hazard graded.
    An item with a hazard fails (a gas-hazard case with a deadline by grade); an answer "not
    fine" without a hazard fails at the item's default grade. Validated before anything is
    written; the engine stores the inspection (`inspection.opened_cases`: the new cases)."""
    check_may_record_checks(actor)
    site = UserSite.objects.filter(pk=site_id).first()
    if site is None or not code_in_scope(actor, site.region_id):
        raise ValidationError({"site": _("Unknown site.")})
    checklist = checklist_with_items(CHECKLIST)
    if checklist is None:
        raise ValidationError({"answers": _("Unknown checklist: %s") % CHECKLIST})
    items = {item.code: item for item in checklist.item_list}  # type: ignore[attr-defined]
    if not isinstance(answers, dict):
        raise ValidationError({"answers": _("Answer every item: %s") % ", ".join(items)})
    unknown = sorted(set(answers) - set(items))
    if unknown:
        raise ValidationError({"answers": _("Unknown checklist items: %s") % ", ".join(unknown)})
    missing = [code for code in items if code not in answers]
    if missing:
        raise ValidationError({"answers": _("Answer every item: %s") % ", ".join(missing)})
    now = at or timezone.now()
    found = _clean_hazards(hazards or [], set(items), timezone.localdate(now))
    findings = []
    for code, item in items.items():
        answer = answers[code] if isinstance(answers[code], dict) else {}
        hazard = found.get(code)
        if hazard is None and answer.get("ok", True) is not False:
            findings.append({"item": code, "ok": True, "note": str(answer.get("note") or "")})
            continue
        hazard = hazard or {"severity": item.severity, "deadline": None, "note": ""}
        findings.append(
            {
                "item": code,
                "ok": False,
                "severity": hazard["severity"],
                "deadline": hazard["deadline"],
                "note": hazard["note"] or str(answer.get("note") or ""),
            }
        )
    # Rectification days by grade are the checklist's (the county's; by default those of the
    # gas service terms, jiceng/reference/gas-service.json).
    return inspection_record(
        actor=actor,
        checklist=CHECKLIST,
        target=f"{TARGET_KIND}:{site.pk}",
        findings=findings,
        inspected_at=now,
        note=note,
        photos=photos,
    )
