"""Whole valid histories built at once, for the demo and for tests: for each young person the
steps up to a target step, dated at random but so that every rule holds (each step is checked
with the same `rules.check` that `step_record` uses), stored in a few bulk statements."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jiceng.youth.models import Step, StepRecord, Talent
from jiceng.youth.rules import Ladder, Taken, add_years, check, next_steps
from jiceng.youth.services.steps import denormalised, ladder

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
_GIVEN = "建国华明伟芳军平红英志强勇杰娟丽静敏燕磊洋涛斌"


def _name(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2))))


def _facts(code: str, rng: random.Random) -> dict[str, Any]:
    if code in ("mentors", "introducers"):
        count = 2 if code == "introducers" else rng.choice((1, 2))
        names: list[str] = []
        while len(names) < count:
            name = _name(rng)
            if name not in names:
                names.append(name)
        return {code: names}
    if code == "political_review":
        return {"result": "passed"}
    if code == "training":
        return {"days": 3, "hours": 24}
    if code in ("branch_meeting", "conversion_meeting"):
        expected = rng.randint(9, 40)
        present = rng.randint(expected // 2 + 1, expected)
        return {
            "expected": expected,
            "present": present,
            "for": rng.randint(expected // 2 + 1, present),
        }
    return {}


def history_build(
    steps: Ladder,
    *,
    birth_date: date,
    upto: str,
    rng: random.Random,
    today: date,
    start: date | None = None,
) -> list[Taken]:
    """A history of steps up to `upto` (or as far as `today` allows), every rule kept: the
    application at 18 or later (from `start` when given), a talk within the month, half-yearly
    assessments until the development object a year later, approval within three months, the
    conversion a year after admission."""
    target = steps.get(upto).n
    history: list[Taken] = []
    begin = max(start or add_years(birth_date, 18), add_years(birth_date, 18))
    while True:
        furthest = max((steps.by_code[t.code].n for t in history), default=0)
        if furthest >= target:
            return history
        options = {p.step: p for p in next_steps(steps, history, birth_date=birth_date)}
        last_on = history[-1].on if history else begin
        following = steps.by_n[furthest + 1].code
        code = following
        # An activist is assessed every six months until they may become a development object.
        if (
            "education" in options
            and following != "education"
            and options[following].earliest > last_on + timedelta(days=170)
        ):
            code = "education"
        pending = options[code]
        gap = rng.randint(120, 170) if code == "education" else rng.randint(1, 20)
        on = max(pending.earliest, last_on + timedelta(days=gap) if history else begin)
        if pending.latest is not None and on > pending.latest:
            on = max(pending.latest, last_on)
        if on > today:
            return history
        facts = _facts(code, rng)
        cleaned, _late = check(steps, history, code, on, facts, birth_date=birth_date, today=today)
        history.append(Taken(code, on, cleaned))


def histories_store(
    items: Sequence[tuple[Talent, Sequence[Taken]]], *, steps: Ladder | None = None
) -> int:
    """Store built histories (replacing none: each talent must have no steps yet) and update each
    talent's stage and deadline; returns the number of step records written."""
    steps = steps or ladder()
    ids = {s.code: s.pk for s in Step.objects.all()}
    talents = [talent for talent, _history in items]
    if StepRecord.objects.filter(talent__in=[t.pk for t in talents]).exists():
        raise ValidationError(_("Histories are built only for people without steps."))
    records: list[StepRecord] = []
    for talent, history in items:
        records.extend(
            StepRecord(talent=talent, step_id=ids[t.code], on=t.on, facts=dict(t.facts))
            for t in history
        )
        for field, value in denormalised(steps, list(history)).items():
            setattr(talent, field, value)
    with transaction.atomic():
        StepRecord.objects.bulk_create(records, batch_size=2000)
        Talent.objects.bulk_update(
            talents, ["stage", "stage_since", "last_step", "due_step", "due_on"], batch_size=2000
        )
    return len(records)
