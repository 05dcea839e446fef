"""Designated care institutions (定点护理机构), the care arrangement of each insured person, and
the services delivered to each person each month (the basis of payment and of the settlement
between the two regions' bureaus)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core.identifiers import validate_credit_code
from jiceng.core.models import Region
from jiceng.core.scope import code_within
from jiceng.ltc import policy
from jiceng.ltc.access import check_in_scope, check_staff
from jiceng.ltc.models import (
    CareMode,
    Institution,
    InsuredPerson,
    Recognition,
    ServiceRecord,
    SharedInstitution,
)
from jiceng.ltc.selectors import current_level

if TYPE_CHECKING:
    from jiceng.core.models import User


def _care_modes(values: Any) -> list[str]:
    modes = [v for v in (values or []) if v]
    unknown = [m for m in modes if m not in CareMode.values]
    if unknown or not modes:
        raise ValidationError(
            {"care_modes": _("Choose one or more of: %s") % ", ".join(CareMode.values)}
        )
    return [m for m in CareMode.values if m in modes]


def institution_create(
    *,
    actor: User | None,
    name: str,
    credit_code: str,
    region_code: str,
    care_modes: list[str],
    beds: int = 0,
    capacity: int = 0,
    address: str = "",
    phone: str = "",
    designated_on: date | None = None,
) -> Institution:
    check_staff(actor)
    errors: dict[str, Any] = {}
    name = (name or "").strip()
    if not name or len(name) > 200:
        errors["name"] = _("Give the institution's name (at most 200 characters).")
    try:
        code = validate_credit_code(credit_code)
    except ValidationError as exc:
        errors["credit_code"] = exc.messages
        code = ""
    try:
        modes = _care_modes(care_modes)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        modes = []
    if beds < 0 or capacity < 0:
        errors["beds"] = _("Beds and capacity cannot be negative.")
    region = Region.objects.filter(code=(region_code or "").strip()).first()
    if region is None:
        errors["region"] = _("Unknown region code: %s") % region_code
    if errors:
        raise ValidationError(errors)
    assert region is not None
    check_in_scope(actor, region.code)
    if Institution.objects.filter(credit_code=code).exists():
        raise ValidationError({"credit_code": _("An institution with this code is designated.")})
    try:
        with transaction.atomic():
            return Institution.objects.create(
                name=name,
                credit_code=code,
                region=region,
                care_modes=modes,
                beds=beds,
                capacity=capacity,
                address=(address or "").strip()[:300],
                phone=(phone or "").strip()[:30],
                designated_on=designated_on or timezone.localdate(),
            )
    except IntegrityError:
        raise ValidationError(
            {"credit_code": _("An institution with this code is designated.")}
        ) from None


def institution_set_status(
    *, actor: User | None, institution: Institution, status: str
) -> Institution:
    check_staff(actor)
    check_in_scope(actor, institution.region_id)
    if status not in Institution.Status.values:
        raise ValidationError({"status": _("Unknown status: %s") % status})
    institution.status = status
    institution.save(update_fields=["status"])
    return institution


def insured_set_residence(
    *, actor: User | None, insured: InsuredPerson, residence_code: str, residence_name: str = ""
) -> InsuredPerson:
    """Where an insured person lives when that is outside the county (or '' when inside)."""
    check_staff(actor)
    check_in_scope(actor, insured.person.region_id)
    code = (residence_code or "").strip()
    if code and (not code.isdigit() or len(code) not in (6, 9, 12, 15)):
        raise ValidationError({"residence_code": _("Not a region code: %s") % code})
    insured.residence_code = code
    insured.residence_name = (residence_name or "").strip()[:100]
    insured.save(update_fields=["residence_code", "residence_name"])
    return insured


def insured_choose_institution(
    *,
    actor: User | None,
    insured: InsuredPerson,
    care_mode: str,
    institution: Institution | None = None,
    shared_institution: SharedInstitution | None = None,
    today: date | None = None,
) -> InsuredPerson:
    """Choose the care mode and the institution that provides it. A peer region's institution
    may be chosen by an insured person who lives in that region."""
    check_staff(actor)
    check_in_scope(actor, insured.person.region_id)
    today = today or timezone.localdate()
    if care_mode not in CareMode.values:
        raise ValidationError({"care_mode": _("Unknown care mode: %s") % care_mode})
    if (institution is None) == (shared_institution is None):
        raise ValidationError({"institution": _("Choose one institution.")})
    level = current_level(insured.person, today=today)
    if level is None or policy.rate_for(level=level, care_mode=care_mode, on=today) is None:
        raise ValidationError(
            {"care_mode": _("The person's current level gives no benefit for this care mode.")}
        )
    provider: Institution | SharedInstitution
    if institution is not None:
        provider = institution
    else:
        assert shared_institution is not None
        provider = shared_institution
        if not code_within(insured.residence_code, shared_institution.peer_code):
            raise ValidationError(
                {
                    "institution": _(
                        "Only a person who lives in region %(code)s may choose its institutions."
                    )
                    % {"code": shared_institution.peer_code}
                }
            )
        if not shared_institution.listed:
            raise ValidationError(
                {"institution": _("The peer region no longer lists this institution.")}
            )
    if provider.status != Institution.Status.DESIGNATED:
        raise ValidationError({"institution": _("This institution is not designated now.")})
    if care_mode not in provider.care_modes:
        raise ValidationError({"care_mode": _("This institution does not offer this care mode.")})
    insured.care_mode = care_mode
    insured.institution = institution
    insured.shared_institution = shared_institution
    insured.save(update_fields=["care_mode", "institution", "shared_institution"])
    return insured


def month_start(day: date) -> date:
    return day.replace(day=1)


def service_record_set(
    *,
    actor: User | None,
    month: date,
    care_mode: str,
    units: int,
    insured: InsuredPerson | None = None,
    recognition: Recognition | None = None,
    institution: Institution | None = None,
    shared_institution: SharedInstitution | None = None,
) -> ServiceRecord:
    """Record (or correct) the care one person received from one institution in one month; the
    amount follows the benefit table on the month's first day. Recording it again replaces it."""
    check_staff(actor)
    month = month_start(month)
    if (insured is None) == (recognition is None):
        raise ValidationError({"person": _("Give one person.")})
    if (institution is None) == (shared_institution is None):
        raise ValidationError({"institution": _("Give one institution.")})
    if insured is not None:
        region_id = insured.person.region_id
        level = current_level(insured.person, today=policy.add_months(month, 1) - timedelta(days=1))
        subject_key = f"p{insured.pk}"
    else:
        assert recognition is not None
        region_id = recognition.region_id
        month_end = policy.add_months(month, 1) - timedelta(days=1)
        valid = recognition.assessed_on <= month_end and recognition.valid_until >= month
        level = recognition.level if valid else None
        subject_key = f"r{recognition.pk}"
    check_in_scope(actor, region_id)
    if level is None:
        raise ValidationError({"person": _("The person had no valid assessment that month.")})
    rate = policy.rate_for(level=level, care_mode=care_mode, on=month)
    if rate is None:
        raise ValidationError(
            {
                "care_mode": _("Level %(level)d gives no benefit for this care mode.")
                % {"level": level}
            }
        )
    if not isinstance(units, int) or units < 1 or units > rate.max_units_per_month:
        raise ValidationError(
            {"units": _("Between 1 and %(n)d a month.") % {"n": rate.max_units_per_month}}
        )
    peer_code = ""
    if shared_institution is not None:
        peer_code = shared_institution.peer_code
        provider_key = f"s{shared_institution.pk}"
    else:
        assert institution is not None
        provider_key = f"i{institution.pk}"
        if recognition is not None:
            peer_code = recognition.origin_region
    amount = (rate.amount * units).quantize(Decimal("0.01"))
    with transaction.atomic():
        record, _created = ServiceRecord.objects.update_or_create(
            month=month,
            care_mode=care_mode,
            subject_key=subject_key,
            provider_key=provider_key,
            defaults={
                "units": units,
                "unit": rate.unit,
                "amount": amount,
                "level": level,
                "insured": insured,
                "recognition": recognition,
                "institution": institution,
                "shared_institution": shared_institution,
                "peer_code": peer_code,
                "region_id": region_id,
                "recorded_by": actor,
                "recorded_at": timezone.now(),
            },
        )
    return record
