"""The youth mediation studio (青年调解工作室) on the case loop.

A studio is a practice platform of a town bound to the town's case department of kind
`youth_mediation`; its mediators are young people with accounts, members of that department, so
that the case loop lets them handle its cases. A dispute brought to the studio is a case of the
dispute-mediation category (矛盾调解), reported through the case loop's intake and dispatched to
the studio at once; it then runs with the loop's deadlines, escalation and closure. When the case
closes resolved, each of its mediators is credited with the studio's hours per mediation, as a
volunteer activity recorded by the studio (`mediation_case_closed`, registered in
YouthConfig.ready); a reopening takes the hours back (`mediation_case_reopened`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.cases.models import Case, Department, Outcome, Source
from jiceng.cases.services import case_act
from jiceng.cases.services.intake import case_report
from jiceng.core.models import Region
from jiceng.core.scope import code_within
from jiceng.youth import access
from jiceng.youth.models import Activity, Mediation, Participation, Platform, Talent

if TYPE_CHECKING:
    from jiceng.core.models import User

CATEGORY = "youth_mediation"
DEPARTMENT_KIND = "youth_mediation"


def studio_create(
    *, actor: User | None, town_code: str, name: str, organisers: Sequence[User] = ()
) -> Platform:
    """A town's mediation studio, bound to the town's youth-mediation department."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationError({"name": _("A name of at most 100 characters is required.")})
    town = Region.objects.filter(code=(town_code or "").strip(), level="town").first()
    if town is None:
        raise ValidationError({"region": _("Unknown town: %s") % town_code})
    department = Department.objects.filter(region=town, kind=DEPARTMENT_KIND).first()
    if department is None:
        raise ValidationError({"region": _("The town has no youth mediation department.")})
    if Platform.objects.filter(department=department).exists():
        raise ValidationError({"region": _("The town has a mediation studio already.")})
    if actor is not None and not access.organises(actor, town.code):
        raise PermissionDenied(_("You may not create platforms in this region."))
    with transaction.atomic():
        studio = Platform.objects.create(
            name=name, kind=Platform.Kind.MEDIATION_STUDIO, region=town, department=department
        )
        studio.organisers.set(organisers)
    return studio


def studio_mediator_add(*, actor: User | None, studio: Platform, talent: Talent) -> Platform:
    """Make a young person (with an account) a mediator of the studio: a member of its case
    department, who may then take and resolve its cases."""
    if studio.department_id is None:
        raise ValidationError({"studio": _("This platform is not a mediation studio.")})
    if talent.user_id is None:
        raise ValidationError({"talent": _("A mediator needs an account.")})
    if actor is not None and not (
        access.organises(actor, studio.region_id) or studio.organisers.filter(pk=actor.pk).exists()
    ):
        raise PermissionDenied(_("You may not change this studio."))
    with transaction.atomic():
        assert studio.department is not None
        studio.department.members.add(talent.user_id)
    return studio


def mediation_open(
    *,
    actor: User | None,
    studio: Platform,
    description: str,
    region_code: str,
    mediators: Sequence[Talent],
    reporter_name: str = "",
    reporter_phone: str = "",
    address: str = "",
) -> Mediation:
    """Bring a dispute to the studio: a dispute-mediation case dispatched to the studio's
    department, with the mediators who take it on."""
    if studio.department_id is None:
        raise ValidationError({"studio": _("This platform is not a mediation studio.")})
    if not code_within(region_code or "", studio.region_id):
        raise ValidationError({"region": _("The place is outside the studio's town.")})
    if not mediators:
        raise ValidationError({"mediators": _("Name at least one mediator.")})
    assert studio.department is not None
    members = set(studio.department.members.values_list("pk", flat=True))
    strangers = [t for t in mediators if t.user_id not in members]
    if strangers:
        raise ValidationError(
            {"mediators": _("Not a mediator of this studio: %s") % strangers[0].person.name}
        )
    if actor is not None and not (
        access.organises(actor, studio.region_id)
        or studio.organisers.filter(pk=actor.pk).exists()
        or actor.pk in members
    ):
        raise PermissionDenied(_("You may not bring disputes to this studio."))
    with transaction.atomic():
        case = case_report(
            actor=actor,
            category=CATEGORY,
            description=description,
            region_code=region_code,
            address=address,
            source=Source.MODULE,
            reporter_name=reporter_name,
            reporter_phone=reporter_phone,
        )
        case = case_act(
            case_id=case.pk,
            actor=None,
            action="dispatch",
            department=studio.department,
            system=True,
            note=_("Brought to %s.") % studio.name,
        )
        mediation = Mediation.objects.create(case=case, studio=studio)
        mediation.mediators.set(mediators)
    return mediation


def mediation_case_closed(case: Case) -> None:
    """A resolved mediation gives each mediator the studio's hours per mediation."""
    mediation = (
        Mediation.objects.filter(case=case, activity__isnull=True).select_related("studio").first()
    )
    if mediation is None or case.outcome != Outcome.RESOLVED:
        return
    studio = mediation.studio
    closed = timezone.localdate(case.closed_at) if case.closed_at else timezone.localdate()
    activity = Activity.objects.create(
        platform=studio,
        name=_("Mediation %s") % case.number,
        on=closed,
        hours=studio.hours_per_case,
        recorded_by=None,  # recorded by the studio through the case loop
    )
    Participation.objects.bulk_create(
        Participation(activity=activity, talent_id=talent_id, hours=studio.hours_per_case)
        for talent_id in mediation.mediators.values_list("pk", flat=True)
    )
    mediation.activity = activity
    mediation.save(update_fields=["activity"])


def mediation_case_reopened(case: Case) -> None:
    """A reopened mediation was not settled: its hours are taken back."""
    mediation = Mediation.objects.filter(case=case, activity__isnull=False).first()
    if mediation is None or mediation.activity is None:
        return
    activity = mediation.activity
    mediation.activity = None
    mediation.save(update_fields=["activity"])
    activity.delete()
