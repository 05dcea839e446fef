"""Recording assessments by the standard, their review by a second assessor, and re-assessment
(a new assessment of a person supersedes their earlier one)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core.identifiers import validate_resident_id
from jiceng.core.models import Person
from jiceng.core.scope import code_in_scope
from jiceng.core.services.registries import person_create, person_find_by_id_number
from jiceng.ltc import policy
from jiceng.ltc.access import check_in_scope, check_staff
from jiceng.ltc.models import Application, Assessment
from jiceng.ltc.standard import STANDARD_CODE, assess

if TYPE_CHECKING:
    from jiceng.core.models import User

MAX_NAME = 100


def _clean(value: str, *, field: str, limit: int, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({field: _("This field is required.")})
    if len(text) > limit:
        raise ValidationError({field: _("At most %(n)d characters.") % {"n": limit}})
    return text


def person_for_id_number(
    *, actor: User | None, id_number: str, name: str = "", region_code: str | None = None
) -> Person:
    """The registered person with this ID number, or a new one registered in `region_code`
    (default: the actor's region) when a name is given. Refuses a person outside the actor's
    region as if absent."""
    try:
        validate_resident_id(id_number)
    except ValidationError as exc:
        raise ValidationError({"person_id_number": exc.messages}) from None
    person = person_find_by_id_number(id_number)
    if person is not None:
        if actor is not None and not code_in_scope(actor, person.region_id):
            raise PermissionDenied(_("This person is registered outside your region."))
        return person
    name = (name or "").strip()
    if not name:
        raise ValidationError(
            {"name": _("The person is not registered yet: give their name to register them.")}
        )
    code = region_code or (actor.region_id if actor is not None else None)
    if not code:
        raise ValidationError({"region": _("Say in which region to register the person.")})
    try:
        return person_create(actor=actor, name=name, id_number=id_number, region_code=code)
    except ValidationError as exc:
        errors = exc.message_dict
        if "id_number" in errors:
            errors["person_id_number"] = errors.pop("id_number")
        raise ValidationError(errors) from None


def assessment_record(
    *,
    actor: User | None,
    person: Person,
    assessed_on: date,
    assessor: str,
    scores: dict[str, Any],
    institution: str = "",
    application: Application | None = None,
    today: date | None = None,
    intake_key: str = "",
) -> Assessment:
    """Score an assessment by the standard and record it; it supersedes the person's current
    assessment, if any. Everything is checked before anything is written."""
    check_staff(actor)
    check_in_scope(actor, person.region_id)
    result = assess(scores)  # ValidationError naming each bad item
    assessor = _clean(assessor, field="assessor", limit=MAX_NAME, required=True)
    institution = _clean(institution, field="institution", limit=200)
    today = today or timezone.localdate()
    if not isinstance(assessed_on, date):
        raise ValidationError({"assessed_on": _("Give the date of the assessment.")})
    if assessed_on > today:
        raise ValidationError({"assessed_on": _("The assessment date lies in the future.")})
    if policy.valid_until(assessed_on) < today:
        raise ValidationError(
            {"assessed_on": _("An assessment of that date would have expired already.")}
        )
    now = timezone.now()
    with transaction.atomic():
        # One writer per person at a time: the person's row is the lock.
        Person.objects.select_for_update().filter(pk=person.pk).first()
        earlier = (
            Assessment.objects.select_for_update()
            .filter(person=person, superseded_at__isnull=True)
            .order_by("-assessed_on", "-pk")
            .first()
        )
        if earlier is not None:
            Assessment.objects.filter(person=person, superseded_at__isnull=True).update(
                superseded_at=now
            )
        return Assessment.objects.create(
            person=person,
            region_id=person.region_id,
            application=application,
            standard=STANDARD_CODE,
            scores={k: int(v) for k, v in scores.items()},
            adl_total=result.totals["adl"],
            cognition_total=result.totals["cognition"],
            sensory_total=result.totals["sensory"],
            adl_grade=result.grades["adl"],
            cognition_grade=result.grades["cognition"],
            sensory_grade=result.grades["sensory"],
            level=result.level,
            assessed_on=assessed_on,
            assessor=assessor,
            institution=institution,
            valid_until=policy.valid_until(assessed_on),
            supersedes=earlier,
            created_by=actor,
            intake_key=intake_key[:100] if actor is not None else "",
        )


def assessment_create_for_person(
    *,
    actor: User | None,
    person_id_number: str,
    name: str = "",
    assessed_on: date,
    assessor: str,
    scores: dict[str, Any],
    institution: str = "",
    region_code: str | None = None,
    idempotency_key: str = "",
) -> Assessment:
    """The API's assessment: find (or register) the person by ID number, then record it.
    The scores are checked first, so that bad scores register nobody. With an idempotency key,
    a retry of the same request returns the assessment the first one recorded."""
    check_staff(actor)
    key = (idempotency_key or "").strip()[:100]
    if key and actor is not None:
        earlier = assessment_for_intake_key(actor, key)
        if earlier is not None:
            return earlier
    assess(scores)
    _clean(assessor, field="assessor", limit=MAX_NAME, required=True)
    try:
        with transaction.atomic():
            person = person_for_id_number(
                actor=actor, id_number=person_id_number, name=name, region_code=region_code
            )
            return assessment_record(
                actor=actor,
                person=person,
                assessed_on=assessed_on,
                assessor=assessor,
                scores=scores,
                institution=institution,
                intake_key=key,
            )
    except IntegrityError:
        # The same request, retried at the same moment, recorded it first.
        earlier = assessment_for_intake_key(actor, key) if key and actor is not None else None
        if earlier is None:
            raise
        return earlier


def assessment_for_intake_key(actor: User, key: str) -> Assessment | None:
    return Assessment.objects.filter(created_by=actor, intake_key=key[:100]).first()


def assessment_review(*, actor: User | None, assessment: Assessment, reviewer: str) -> Assessment:
    """The second assessor confirms the assessment. They may not be its first assessor."""
    check_staff(actor)
    check_in_scope(actor, assessment.region_id)
    reviewer = _clean(reviewer, field="reviewer", limit=MAX_NAME, required=True)
    if reviewer.casefold() == assessment.assessor.strip().casefold():
        raise ValidationError(
            {"reviewer": _("The review needs a second assessor, not the first one.")}
        )
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if locked.reviewed_at is not None:
            raise ValidationError({"reviewer": _("This assessment is reviewed already.")})
        locked.reviewer = reviewer
        locked.reviewed_at = timezone.now()
        locked.save(update_fields=["reviewer", "reviewed_at"])
    return locked
