"""Reserve cadres (后备干部): each village's reserve, its criteria as data (`ReservePolicy`, the
nearest one up the region tree; default: 35 or under, from jiceng/reference/
party-development.json), the cadres' training, practice and evaluations, and the target."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jiceng.core.errors import Refused
from jiceng.core.models import Region
from jiceng.core.region_codes import ancestor_codes
from jiceng.youth import access
from jiceng.youth.models import Education, ReserveCadre, ReservePolicy, ReserveRecord, Talent
from jiceng.youth.reference_data import default_max_age
from jiceng.youth.rules import age_on
from jiceng.youth.services.talents import today

if TYPE_CHECKING:
    from jiceng.core.models import User

EDUCATION_ORDER = list(Education.values)


class ReserveRefused(Refused):
    """The person does not meet the reserve's criteria, or is in it already."""


def policy_for(region_code: str) -> ReservePolicy:
    """The policy of the region or of the nearest region above it; the file's default else."""
    codes = ancestor_codes(region_code) or [region_code]  # nearest first
    policies = {p.region_id: p for p in ReservePolicy.objects.filter(region_id__in=codes)}
    for code in codes:
        if code in policies:
            return policies[code]
    return ReservePolicy(region_id=region_code, max_age=default_max_age())


def policy_set(
    *,
    actor: User | None,
    region_code: str,
    max_age: int,
    target: int = 0,
    min_education: str = "",
) -> ReservePolicy:
    region = Region.objects.filter(code=(region_code or "").strip()).first()
    if region is None:
        raise ValidationError({"region": _("Unknown region code: %s") % region_code})
    if not 18 <= max_age <= 60:
        raise ValidationError({"max_age": _("The age limit must be from 18 to 60.")})
    if not 0 <= target <= 100:
        raise ValidationError({"target": _("The target must be from 0 to 100.")})
    if min_education and min_education not in EDUCATION_ORDER:
        raise ValidationError({"min_education": _("Unknown value: %s") % min_education})
    if actor is not None and not access.organises(actor, region.code):
        raise PermissionDenied(_("You may not set the reserve policy of this region."))
    with transaction.atomic():
        policy, _created = ReservePolicy.objects.update_or_create(
            region=region,
            defaults={"max_age": max_age, "target": target, "min_education": min_education},
        )
    return policy


def reserve_add(*, actor: User | None, talent: Talent, since: date, note: str = "") -> ReserveCadre:
    """Enter a young person in their village's reserve, if they meet its criteria on `since`."""
    if since > today():
        raise ValidationError({"since": _("The date %s is in the future.") % since.isoformat()})
    note = (note or "").strip()[:200]
    if actor is not None and not access.organises(actor, talent.region_id):
        raise PermissionDenied(_("You may not manage this village's reserve cadres."))
    policy = policy_for(talent.region_id)
    age = age_on(talent.birth_date, since)
    if age > policy.max_age:
        raise ReserveRefused(
            _("At %(age)d the person is over the reserve's age limit (%(limit)d).")
            % {"age": age, "limit": policy.max_age}
        )
    if policy.min_education and EDUCATION_ORDER.index(talent.education) < EDUCATION_ORDER.index(
        policy.min_education
    ):
        raise ReserveRefused(_("The person's education is below the reserve's criterion."))
    with transaction.atomic():
        locked = Talent.objects.select_for_update().get(pk=talent.pk)
        if ReserveCadre.objects.filter(talent=locked, until__isnull=True).exists():
            raise ReserveRefused(_("The person is a reserve cadre already."))
        cadre = ReserveCadre.objects.create(
            talent=locked, region_id=locked.region_id, since=since, note=note
        )
        locked.reserve_cadre = True
        locked.save(update_fields=["reserve_cadre"])
    talent.reserve_cadre = True
    return cadre


def reserve_end(*, actor: User | None, cadre: ReserveCadre, until: date) -> ReserveCadre:
    if until < cadre.since or until > today():
        raise ValidationError({"until": _("The end must lie between the start and today.")})
    if cadre.until is not None:
        raise ReserveRefused(_("This term has ended already."))
    if actor is not None and not access.organises(actor, cadre.region_id):
        raise PermissionDenied(_("You may not manage this village's reserve cadres."))
    with transaction.atomic():
        cadre.until = until
        cadre.save(update_fields=["until"])
        Talent.objects.filter(pk=cadre.talent_id).update(reserve_cadre=False)
    return cadre


def reserve_record_add(
    *,
    actor: User | None,
    cadre: ReserveCadre,
    kind: str,
    on: date,
    title: str,
    hours: Decimal | float | str = 0,
    result: str = "",
) -> ReserveRecord:
    """A cadre's training, practice post or evaluation."""
    if kind not in ReserveRecord.Kind.values:
        raise ValidationError({"kind": _("Unknown value: %s") % kind})
    if on > today() or on < cadre.since:
        raise ValidationError({"on": _("The date must lie between the start and today.")})
    title = (title or "").strip()
    if not title or len(title) > 200:
        raise ValidationError({"title": _("A title of at most 200 characters is required.")})
    try:
        amount = Decimal(str(hours))
    except (InvalidOperation, ValueError):
        raise ValidationError({"hours": _("Hours must be a number.")}) from None
    if not amount.is_finite() or not 0 <= amount <= 1000:
        raise ValidationError({"hours": _("Hours must be from 0 to 1000.")})
    if actor is not None and not access.organises(actor, cadre.region_id):
        raise PermissionDenied(_("You may not manage this village's reserve cadres."))
    with transaction.atomic():
        return ReserveRecord.objects.create(
            cadre=cadre,
            kind=kind,
            on=on,
            title=title,
            hours=amount.quantize(Decimal("0.1")),
            result=(result or "").strip()[:100],
            recorded_by=actor,
        )
