"""Safety checks (安检) of user sites: the checklist, photos, and hazards that open cases.
Closing a hazard's case (any way the case loop closes it) marks the hazard rectified;
reopening the case opens the hazard again."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.cases import photos as photo_checks
from jiceng.core.models import User
from jiceng.core.scope import code_in_scope
from jiceng.gas.access import check_may_record_checks
from jiceng.gas.models import CheckItem, Hazard, SafetyCheck, SafetyCheckPhoto, UserSite
from jiceng.gas.reference_data import service_terms
from jiceng.gas.services.colours import site_colours_refresh

if TYPE_CHECKING:
    from jiceng.cases.models import Case

HAZARD_CATEGORY = "gas_hazard"
# The value of the gas_hazard case attribute "hazard" for each checklist item.
HAZARD_KIND = {
    CheckItem.HOSE: "hose",
    CheckItem.GAS_ALARM: "no_alarm",
    CheckItem.CYLINDERS: "overdue_cylinder",
    CheckItem.REGULATOR: "regulator",
    CheckItem.VALVE: "valve",
    CheckItem.VENTILATION: "ventilation",
    CheckItem.STORAGE: "storage",
    CheckItem.KITCHEN: "kitchen",
}


def _clean_hazards(hazards: list[dict[str, Any]], today: date) -> list[dict[str, Any]]:
    days = service_terms()["rectify_days"]
    clean = []
    for hazard in hazards:
        item, grade = hazard.get("item"), hazard.get("grade")
        if item not in CheckItem.values:
            raise ValidationError({"hazards": _("Unknown checklist item: %s") % item})
        if grade not in Hazard.Grade.values:
            raise ValidationError({"hazards": _("A hazard is graded major or minor.")})
        deadline = hazard.get("deadline") or today + timedelta(days=int(days[grade]))
        if isinstance(deadline, str):
            try:
                deadline = date.fromisoformat(deadline)
            except ValueError:
                raise ValidationError({"hazards": _("Not a date: %s") % deadline}) from None
        if deadline < today:
            raise ValidationError({"hazards": _("A rectification deadline lies in the past.")})
        clean.append(
            {
                "item": item,
                "grade": grade,
                "deadline": deadline,
                "description": str(hazard.get("description") or "")[:300],
            }
        )
    return clean


def safety_check_record(
    *,
    actor: User,
    site_id: int,
    answers: dict[str, dict[str, Any]],
    hazards: list[dict[str, Any]] | None = None,
    note: str = "",
    photos: list[UploadedFile] | None = None,
    at: datetime | None = None,
) -> SafetyCheck:
    """Record a safety check with its answers; every hazard found opens a gas-hazard case.
    Everything is validated before anything is written."""
    check_may_record_checks(actor)
    site = UserSite.objects.select_related("site").filter(pk=site_id).first()
    if site is None or not code_in_scope(actor, site.region_id):
        raise ValidationError({"site": _("Unknown site.")})
    unknown = sorted(set(answers) - set(CheckItem.values))
    if unknown:
        raise ValidationError({"answers": _("Unknown checklist items: %s") % ", ".join(unknown)})
    missing = [item for item in CheckItem.values if item not in answers]
    if missing:
        raise ValidationError({"answers": _("Answer every item: %s") % ", ".join(missing)})
    now = at or timezone.now()
    today = timezone.localdate(now)
    clean = _clean_hazards(hazards or [], today)
    checked_photos = photo_checks.check_photos(photos or [])
    from jiceng.cases.models import Source
    from jiceng.cases.services.intake import case_report

    with transaction.atomic():
        check = SafetyCheck.objects.create(
            site=site,
            region_id=site.region_id,
            checked_at=now,
            inspector=actor,
            answers={
                item: {"ok": bool(value.get("ok")), "note": str(value.get("note") or "")[:300]}
                for item, value in answers.items()
            },
            note=note[:2000],
        )
        for photo in checked_photos:
            token, content = photo_checks.photo_content(photo)
            record = SafetyCheckPhoto(
                check_record=check,
                token=token,
                content_type=photo.content_type,
                size=len(photo.content),
            )
            record.file.save(content.name, content, save=False)
            record.save()
        for spec in clean:
            hazard = Hazard.objects.create(
                check_record=check,
                site=site,
                item=spec["item"],
                grade=spec["grade"],
                description=spec["description"],
                deadline=spec["deadline"],
                found_at=now,
            )
            label = CheckItem(spec["item"]).label
            grade = Hazard.Grade(spec["grade"]).label
            case = case_report(
                actor=actor,
                category=HAZARD_CATEGORY,
                description=_(
                    "%(grade)s hazard at a gas user site: %(item)s. %(text)s "
                    "Rectify by %(deadline)s."
                )
                % {
                    "grade": grade,
                    "item": label,
                    "text": spec["description"],
                    "deadline": spec["deadline"].isoformat(),
                },
                region_code=site.region_id,
                lat=site.site.lat,
                lon=site.site.lon,
                address=site.site.address,
                source=Source.INSPECTION,
                attributes={"hazard": HAZARD_KIND[CheckItem(spec["item"])]},
                source_ref=f"gas-hazard:{hazard.pk}",
                at=now,
            )
            hazard.case = case
            hazard.save(update_fields=["case"])
        site_colours_refresh(site_ids=[site.pk], at=now)
    return check


def hazard_case_closed(case: Case) -> None:
    """Closing a hazard's case clears the hazard, and the site's colour follows."""
    hazard = Hazard.objects.filter(case=case, status=Hazard.Status.OPEN).first()
    if hazard is None:
        return
    at = case.closed_at or timezone.now()
    hazard.status, hazard.rectified_at = Hazard.Status.RECTIFIED, at
    hazard.save(update_fields=["status", "rectified_at"])
    site_colours_refresh(site_ids=[hazard.site_id], at=max(at, timezone.now()))


def hazard_case_reopened(case: Case) -> None:
    """Reopening a hazard's case means the hazard was not put right: it is open again, and the
    site's colour follows (red again for a major hazard past its deadline)."""
    hazard = Hazard.objects.filter(case=case, status=Hazard.Status.RECTIFIED).first()
    if hazard is None:
        return
    hazard.status, hazard.rectified_at = Hazard.Status.OPEN, None
    hazard.save(update_fields=["status", "rectified_at"])
    site_colours_refresh(site_ids=[hazard.site_id], at=timezone.now())
