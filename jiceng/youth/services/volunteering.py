"""Practice platforms and volunteer hours. Whoever organises records, whoever records certifies
(民政部令第67号《志愿服务记录与证明出具办法(试行)》): an activity is recorded by an organiser of
its platform, who is named on it as the one who certifies the hours."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jiceng.core import roles
from jiceng.core.models import Region
from jiceng.core.scope import county_of, region_prefix_q
from jiceng.youth import access
from jiceng.youth.models import Activity, Participation, Platform, Talent
from jiceng.youth.services.talents import today

if TYPE_CHECKING:
    from jiceng.core.models import User

MAX_HOURS = Decimal(24)  # one activity, one day
MAX_PARTICIPANTS = 500


def _hours(value: Decimal | float | int | str, field: str = "hours") -> Decimal:
    try:
        hours = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Hours must be a number.")}) from None
    if not hours.is_finite() or not Decimal("0.1") <= hours <= MAX_HOURS:
        raise ValidationError({field: _("Hours must be from 0.1 to 24.")})
    if hours != hours.quantize(Decimal("0.1")):
        raise ValidationError({field: _("Hours are counted to a tenth.")})
    return hours


def platform_create(
    *,
    actor: User | None,
    name: str,
    kind: str,
    region_code: str,
    organisers: Sequence[User] = (),
    hours_per_case: Decimal | float | str = 2,
) -> Platform:
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationError({"name": _("A name of at most 100 characters is required.")})
    if kind not in Platform.Kind.values:
        raise ValidationError({"kind": _("Unknown value: %s") % kind})
    region = Region.objects.filter(code=(region_code or "").strip()).first()
    if region is None:
        raise ValidationError({"region": _("Unknown region code: %s") % region_code})
    per_case = _hours(hours_per_case, "hours_per_case")
    if actor is not None and not access.organises(actor, region.code):
        raise PermissionDenied(_("You may not create platforms in this region."))
    with transaction.atomic():
        platform = Platform.objects.create(
            name=name, kind=kind, region=region, hours_per_case=per_case
        )
        platform.organisers.set(organisers)
    return platform


def activity_record(
    *,
    actor: User | None,
    platform: Platform,
    name: str,
    on: date,
    hours: Decimal | float | int | str,
    participants: Sequence[int],
) -> Activity:
    """Record an activity and the hours of each participant (ids of young people's records).
    The recorder certifies the hours; a participant must be visible to them."""
    name = (name or "").strip()
    if not name or len(name) > 200 or "\x00" in name:
        raise ValidationError({"name": _("A name of at most 200 characters is required.")})
    if on > today():
        raise ValidationError({"on": _("The date %s is in the future.") % on.isoformat()})
    amount = _hours(hours)
    ids = list(dict.fromkeys(participants))
    if not ids or len(ids) > MAX_PARTICIPANTS:
        raise ValidationError({"participants": _("From 1 to %d participants.") % MAX_PARTICIPANTS})
    if actor is not None and not access.may_record_activity(actor, platform):
        raise PermissionDenied(_("Only the platform's organisers record its activities."))
    talents = Talent.objects.filter(pk__in=ids)
    if actor is not None and not actor.is_superuser:
        visible = access.visible_q(actor, today=today())
        if platform.organisers.filter(pk=actor.pk).exists():
            # A platform's organiser records people of any village of the platform's county.
            talents = talents.filter(region_prefix_q(county_of(platform.region_id)))
        else:
            talents = talents.filter(visible) if visible is not None else talents.none()
    found = set(talents.values_list("pk", flat=True))
    missing = [i for i in ids if i not in found]
    if missing:
        raise ValidationError(
            {"participants": _("Unknown people: %s") % ", ".join(str(i) for i in missing[:10])}
        )
    with transaction.atomic():
        activity = Activity.objects.create(
            platform=platform, name=name, on=on, hours=amount, recorded_by=actor
        )
        Participation.objects.bulk_create(
            Participation(activity=activity, talent_id=i, hours=amount) for i in ids
        )
    return activity


def platform_organiser_add(*, actor: User | None, platform: Platform, user: User) -> Platform:
    if actor is not None and not access.organises(actor, platform.region_id):
        raise PermissionDenied(_("You may not change this platform."))
    if not roles.may_write(user):
        raise ValidationError({"user": _("A read-only account cannot organise.")})
    with transaction.atomic():
        platform.organisers.add(user)
    return platform
