"""The application workflow: apply → accept → assign assessors → assess → review → publish (公示)
→ effective, with rejection, withdrawal, and appeal during the publication period (which opens a
case in the case loop and ends either upheld or in a re-assessment).

The steps are declared once, as transitions (`APPLICATION_MACHINE`, jiceng/core/transitions.py);
pages and the API ask it which steps a user may take now. One function, `application_act`, takes
every step: it locks the application, checks the actor, the region and the version the actor saw,
checks that the step is allowed from the current status, and records the step in the
application's events."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiceng.cases.models import Source
from jiceng.cases.services.intake import case_report
from jiceng.core.errors import Changed, Refused
from jiceng.core.models import Person
from jiceng.core.roles import may_write as role_may_write
from jiceng.core.scope import county_of
from jiceng.core.transitions import StateMachine, Transition, transition_check, transition_get
from jiceng.ltc import policy
from jiceng.ltc.access import check_in_scope, check_may_write, is_ltc_staff
from jiceng.ltc.models import (
    Application,
    ApplicationEvent,
    ApplicationStatus,
    CareMode,
    InsuredPerson,
)
from jiceng.ltc.services.assessments import (
    _clean,
    assessment_record,
    assessment_review,
    person_for_id_number,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from jiceng.cases.models import Case
    from jiceng.core.models import User

S = ApplicationStatus
# The case category that appeals and complaints about long-term care open (case-categories.json).
CASE_CATEGORY = "ltc_care"
OPEN = (S.APPLIED, S.ACCEPTED, S.ASSIGNED, S.ASSESSED, S.REVIEWED, S.PUBLISHED, S.APPEALED)


class TransitionRefused(Refused):
    """The step is not allowed from the application's status."""


class ApplicationChanged(Changed):
    """Someone else changed the application since the actor saw it."""

    def __init__(self, application: Application):
        super().__init__(_("The application was changed meanwhile: look at it again."))
        self.application = application


def _writer(user: User | None, application: Application | None) -> bool:
    """Any user who may write acts for a resident of their region (withdraw, appeal); the
    system itself (no user) too."""
    return user is None or role_may_write(user)


def _staff(user: User | None, application: Application | None) -> bool:
    """The care-insurance staff run the workflow (the system itself counts as staff)."""
    return is_ltc_staff(user) and _writer(user, application)


def _step(
    name: str,
    sources: tuple[str, ...],
    target: str,
    label: StrOrPromise,
    *,
    staff_only: bool = True,
    note_required: bool = False,
) -> Transition:
    return Transition(
        name,
        sources,
        target,
        _staff if staff_only else _writer,
        label=label,
        note_required=note_required,
    )


# The workflow of an application, in the order its steps are offered.
APPLICATION_MACHINE: StateMachine[Application] = StateMachine(
    "ltc.application",
    [
        _step("accept", (S.APPLIED,), S.ACCEPTED, gettext_lazy("Accept")),
        _step(
            "reject",
            (S.APPLIED, S.ACCEPTED),
            S.REJECTED,
            gettext_lazy("Reject"),
            note_required=True,
        ),
        _step(
            "withdraw",
            (S.APPLIED, S.ACCEPTED, S.ASSIGNED),
            S.WITHDRAWN,
            gettext_lazy("Withdraw"),
            staff_only=False,
        ),
        _step("assign", (S.ACCEPTED,), S.ASSIGNED, gettext_lazy("Assign assessors")),
        _step("assess", (S.ASSIGNED,), S.ASSESSED, gettext_lazy("Record the assessment")),
        _step(
            "return",
            (S.ASSESSED,),
            S.ASSIGNED,
            gettext_lazy("Return for re-assessment"),
            note_required=True,
        ),
        _step("review", (S.ASSESSED,), S.REVIEWED, gettext_lazy("Confirm the review")),
        _step("publish", (S.REVIEWED,), S.PUBLISHED, gettext_lazy("Publish the result (公示)")),
        _step(
            "appeal",
            (S.PUBLISHED,),
            S.APPEALED,
            gettext_lazy("Lodge an appeal"),
            staff_only=False,
            note_required=True,
        ),
        _step(
            "uphold",
            (S.APPEALED,),
            S.PUBLISHED,
            gettext_lazy("Uphold the result"),
            note_required=True,
        ),
        _step("reassess", (S.APPEALED,), S.ASSIGNED, gettext_lazy("Re-assess")),
        _step("make_effective", (S.PUBLISHED,), S.EFFECTIVE, gettext_lazy("Make effective")),
    ],
    refused=TransitionRefused,
    refused_message=gettext_lazy(
        "“%(step)s” is not possible while the application is “%(status)s”."
    ),
    denied_message=gettext_lazy("Only the care-insurance staff may do this."),
)


def _record(
    application: Application,
    action: str,
    actor: User | None,
    at: datetime,
    note: str,
    from_status: str,
) -> None:
    ApplicationEvent.objects.create(
        application=application,
        action=action,
        from_status=from_status,
        to_status=application.status,
        actor=actor,
        at=at,
        note=note[:500],
    )


def insured_ensure(*, person: Person, since: date) -> InsuredPerson:
    insured, _created = InsuredPerson.objects.get_or_create(
        person=person, defaults={"insured_since": since}
    )
    return insured


def application_apply(
    *,
    actor: User | None,
    person_id_number: str,
    care_mode: str,
    name: str = "",
    region_code: str | None = None,
    note: str = "",
    at: datetime | None = None,
) -> Application:
    """Take in an application (at a hall, or by a clerk or town officer for the resident)."""
    check_may_write(actor)
    if care_mode not in CareMode.values:
        raise ValidationError({"care_mode": _("Unknown care mode: %s") % care_mode})
    note = _clean(note, field="note", limit=500)
    now = at or timezone.now()
    with transaction.atomic():
        person = person_for_id_number(
            actor=actor, id_number=person_id_number, name=name, region_code=region_code
        )
        check_in_scope(actor, person.region_id)
        # One application at a time per person: the person's row is the lock.
        Person.objects.select_for_update().filter(pk=person.pk).first()
        if Application.objects.filter(person=person, status__in=OPEN).exists():
            raise ValidationError(
                {"person_id_number": _("This person has an application in progress already.")}
            )
        insured_ensure(person=person, since=timezone.localtime(now).date())
        application = Application.objects.create(
            number=f"pending-{person.pk}-{now.timestamp()}",
            person=person,
            region_id=person.region_id,
            care_mode=care_mode,
            applied_at=now,
            applied_by=actor,
            note=note,
        )
        county = county_of(person.region_id)
        application.number = f"CH{county}{timezone.localtime(now):%Y}{application.pk:06d}"
        application.save(update_fields=["number"])
        _record(application, "apply", actor, now, note, "")
    return application


def application_act(
    *,
    actor: User | None,
    application_id: int,
    action: str,
    expected_version: int | None = None,
    note: str = "",
    data: dict[str, Any] | None = None,
    today: date | None = None,
    at: datetime | None = None,
) -> Application:
    """Take one step of the workflow (`today` and `at` default to now; the demo's history sets
    them). Refusals: PermissionDenied (role or region),
    TransitionRefused (not from this status), ApplicationChanged (stale version),
    ValidationError (bad input); in each case nothing changes."""
    step = transition_get(APPLICATION_MACHINE, action)
    check_may_write(actor)
    # Who may take a step depends on the role alone: refused before anything is locked.
    if not step.permits(actor, None):
        raise PermissionDenied(_("Only the care-insurance staff may do this."))
    note = _clean(note, field="note", limit=500, required=step.note_required)
    data = data or {}
    now = at or timezone.now()
    today = today or timezone.localdate()
    with transaction.atomic():
        application = (
            Application.objects.select_for_update().select_related("person").get(pk=application_id)
        )
        check_in_scope(actor, application.region_id)
        if expected_version is not None and application.version != expected_version:
            raise ApplicationChanged(application)
        transition_check(APPLICATION_MACHINE, application, action, actor)
        from_status = application.status
        changed = _apply(application, action, actor, note, data, today)
        application.status = step.target_for(application, from_status)
        application.version += 1
        application.save(update_fields=["status", "version", "updated_at", *changed])
        _record(application, action, actor, now, note, from_status)
    return application


def _apply(
    application: Application,
    action: str,
    actor: User | None,
    note: str,
    data: dict[str, Any],
    today: date,
) -> list[str]:
    """What a step changes besides the status; returns the fields it changed."""
    if action in ("assign", "reassess"):
        assessor = _clean(
            data.get("assessor", "") or (application.assessor if action == "reassess" else ""),
            field="assessor",
            limit=100,
            required=True,
        )
        second = _clean(
            data.get("second_assessor", "")
            or (application.second_assessor if action == "reassess" else ""),
            field="second_assessor",
            limit=100,
            required=True,
        )
        if assessor.casefold() == second.casefold():
            raise ValidationError(
                {"second_assessor": _("The second assessor must be another person.")}
            )
        application.assessor = assessor
        application.second_assessor = second
        application.assessment_institution = _clean(
            data.get("institution", "") or application.assessment_institution,
            field="institution",
            limit=200,
        )
        return ["assessor", "second_assessor", "assessment_institution"]
    if action == "assess":
        assessed_on = data.get("assessed_on") or today
        if isinstance(assessed_on, str):
            try:
                assessed_on = date.fromisoformat(assessed_on)
            except ValueError:
                raise ValidationError({"assessed_on": _("Not a date: %s") % assessed_on}) from None
        assessment = assessment_record(
            actor=actor,
            person=application.person,
            assessed_on=assessed_on,
            assessor=application.assessor,
            scores=data.get("scores") or {},
            institution=application.assessment_institution,
            application=application,
            today=today,
        )
        application.assessment = assessment
        return ["assessment"]
    if action == "review":
        if application.assessment is None:
            raise TransitionRefused(_("There is no assessment to review."))
        assessment_review(
            actor=actor,
            assessment=application.assessment,
            reviewer=data.get("reviewer", "") or application.second_assessor,
        )
        return []
    if action == "publish":
        application.publication_starts = today
        application.publication_ends = today + timedelta(days=policy.publication_days())
        return ["publication_starts", "publication_ends"]
    if action == "appeal":
        case = case_report(
            actor=actor,
            category=CASE_CATEGORY,
            description=_("Appeal against the care assessment of application %(number)s: %(note)s")
            % {"number": application.number, "note": note},
            region_code=application.region_id,
            source=Source.MODULE,
            source_ref=application.number,
            reporter_name=application.person.name,
        )
        application.appeal_case = case
        return ["appeal_case"]
    if action == "make_effective":
        ends = application.publication_ends
        if ends is not None and today <= ends:
            raise TransitionRefused(
                _("The publication period runs until %(date)s: the result takes effect after it.")
                % {"date": ends.isoformat()}
            )
        application.effective_on = today
        insured = insured_ensure(person=application.person, since=today)
        if not insured.care_mode:
            insured.care_mode = application.care_mode
            insured.save(update_fields=["care_mode"])
        return ["effective_on"]
    return []


def complaint_report(
    *, actor: User | None, region_code: str, description: str, reference: str = ""
) -> Case:
    """A complaint about long-term care (an institution, a service): a case in the case loop."""
    check_may_write(actor)
    check_in_scope(actor, region_code)
    return case_report(
        actor=actor,
        category=CASE_CATEGORY,
        description=description,
        region_code=region_code,
        source=Source.MODULE,
        source_ref=reference[:100],
    )
