"""Recording the development steps of a young person, each checked against the rules (data) on
their whole history, and keeping the record's stage and next deadline up to date."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jiceng.core.models import Person
from jiceng.youth import access
from jiceng.youth.models import Mentorship, Step, StepRecord, Talent
from jiceng.youth.rules import Ladder, Pending, StepDef, Taken, check, deadlines, next_steps
from jiceng.youth.services.talents import today as local_today

if TYPE_CHECKING:
    from jiceng.core.models import User


def ladder() -> Ladder:
    """The steps and their rules as they stand in the database (one query)."""
    return Ladder(
        StepDef(n=s.n, code=s.code, stage=s.stage, name=s.name, rules=tuple(s.rules or ()))
        for s in Step.objects.all()
    )


def history_of(talent: Talent) -> list[Taken]:
    rows = StepRecord.objects.filter(talent=talent).select_related("step")
    return [
        Taken(r.step.code, r.on, r.facts or {})
        for r in sorted(rows, key=lambda r: (r.on, r.step.n, r.pk))
    ]


@dataclass(frozen=True)
class StepResult:
    record: StepRecord
    next: list[Pending]


def denormalised(steps: Ladder, history: list[Taken]) -> dict[str, Any]:
    """What the talent's row keeps of its history: stage, since when, last step, next deadline."""
    dues = deadlines(steps, history)
    return {
        "stage": steps.stage_after(history),
        "stage_since": steps.stage_since(history),
        "last_step": max((steps.by_code[t.code].n for t in history), default=0),
        "due_step": dues[0].step if dues else "",
        "due_on": dues[0].due if dues else None,
    }


def _resolve_people(facts: dict[str, Any], key: str) -> list[tuple[str, Person | None]]:
    """Names or person ids of a list fact: each id must be a registered person (400)."""
    ids = [e for e in facts.get(key, []) if isinstance(e, int)]
    people = {p.pk: p for p in Person.objects.filter(pk__in=ids)}
    resolved: list[tuple[str, Person | None]] = []
    for entry in facts.get(key, []):
        if isinstance(entry, int):
            person = people.get(entry)
            if person is None:
                raise ValidationError({"facts": _("No person with id %d.") % entry})
            resolved.append((person.name, person))
        else:
            resolved.append((entry, None))
    return resolved


def step_record(
    *,
    actor: User | None,
    talent: Talent,
    step: str,
    on: date,
    facts: Mapping[str, Any] | None = None,
    today: date | None = None,
) -> StepResult:
    """Record a step on a date with its facts. Raises ValidationError (unknown step, a date in
    the future, malformed facts), StepRefused (out of order or against a rule, naming the rule's
    kind and article) or PermissionDenied; nothing is stored then."""
    today = today or local_today()
    if not isinstance(on, date):
        raise ValidationError({"on": _("A date is required.")})
    if actor is not None and not access.may_manage(actor, talent):
        raise PermissionDenied(_("You may not record steps of this person."))
    steps = ladder()
    with transaction.atomic():
        locked = Talent.objects.select_for_update().get(pk=talent.pk)
        history = history_of(locked)
        cleaned, late = check(
            steps, history, step, on, facts, birth_date=locked.birth_date, today=today
        )
        people = _resolve_people(cleaned, step) if step in ("mentors", "introducers") else []
        if people:
            cleaned[step] = [p.pk if p is not None else name for name, p in people]
        definition = Step.objects.get(code=step)
        record = StepRecord.objects.create(
            talent=locked, step=definition, on=on, facts=cleaned, late=late, recorded_by=actor
        )
        if step == "mentors":
            Mentorship.objects.bulk_create(
                Mentorship(
                    talent=locked,
                    kind=Mentorship.Kind.CONTACT,
                    name=name,
                    mentor_person=person,
                    start=on,
                )
                for name, person in people
            )
        history.append(Taken(step, on, cleaned))
        fields = denormalised(steps, history)
        for field, value in fields.items():
            setattr(locked, field, value)
        locked.version += 1
        locked.save(update_fields=[*fields, "version"])
    for field, value in fields.items():
        setattr(talent, field, value)
    talent.version = locked.version
    return StepResult(record, next_steps(steps, history, birth_date=locked.birth_date))
