"""The rules of the development steps, checked on a person's history in memory.

The steps and their rules are data (`Step` rows loaded from jiceng/reference/
party-development.json); this module reads them as `StepDef`s and answers, for a history of steps
taken (`Taken`), whether a new step may be recorded on a date with its facts (`check`), which
steps may come next and when (`next_steps`), and which deadlines are pending (`deadlines`). It
touches no database, so that the services check one step and the demo builds a thousand valid
histories with the same code.

Rule kinds (each with its `article` of 《中国共产党发展党员工作细则》 where the file gives one):

- `min_age` {years}: the person is at least that old on the step's date (application, art. 5).
- `within_after` {step, months, max_months?}: the step comes at most `months` after `step` (a
  deadline: a later record is accepted and marked late, and a pending one is an overdue alert);
  beyond `max_months` it is refused (approval within 3, at most 6 months, art. 25).
- `after` {step}: not before `step`.
- `min_after` {step, years}: not earlier than `years` after `step` (development object one year
  after becoming an activist, art. 13; the conversion meeting one year after admission, art. 32,
  plus an extension of probation when there was one).
- `count` {min?, max?, exact?}: the facts list named like the step (`mentors`, `introducers`)
  has that many distinct entries (art. 9, 14).
- `required_before` {step}: recorded, and passed when it has a result, before `step` (the
  political review before the branch meeting, art. 15).
- `min_training` {days, or_hours, before?}: the training sessions add up to `days` days or
  `or_hours` hours before the branch meeting (`before`, art. 17).
- `quorum`: at the meeting more than half of the voting members expected are present and more
  than half vote for (one person at a time).
- `every` {months}: a recurring deadline while the stage lasts (the half-yearly assessment of an
  activist, art. 11).
- `period` {years, from, extension_months_min/max, extensions_max}: probation lasts `years` from
  `from`; it may be extended once by 6 to 12 months (art. 32), recorded as `extension_months` on
  a further record of the step.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jiceng.core.errors import Refused

MEMBER_FROM = "conversion_approval"  # from this step on, a full member (正式党员)
# Steps that may be recorded again while they are the last one: the activist's half-yearly
# assessments, several training sessions, the political review again after a failed one (while
# the branch meeting is still ahead), an extension of probation.
REPEATABLE = frozenset({"education", "training", "political_review", "probation_education"})
# A fact list named like its step ("mentors", "introducers"): names or person ids.
LIST_FACTS = frozenset({"mentors", "introducers"})
MAX_LIST = 10


@dataclass(frozen=True)
class StepDef:
    n: int
    code: str
    stage: str
    name: str
    rules: tuple[Mapping[str, Any], ...] = ()


@dataclass(frozen=True)
class Taken:
    code: str
    on: date
    facts: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Pending:
    """A step that may come next: not before `earliest`, and by `latest` when there is a limit."""

    step: str
    earliest: date
    latest: date | None


@dataclass(frozen=True)
class Due:
    step: str
    due: date
    article: int | None


class StepRefused(Refused):
    """A step breaks a rule: the message, the rule's kind and its article."""

    def __init__(self, message: str, *, kind: str, article: int | None = None):
        super().__init__(message)
        self.kind = kind
        self.article = article


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it has no such day)."""
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: date, years: int) -> date:
    return add_months(day, 12 * years)


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


class Ladder:
    """The steps in order, looked up by code."""

    def __init__(self, steps: Iterable[StepDef]):
        self.steps = sorted(steps, key=lambda s: s.n)
        self.by_code = {s.code: s for s in self.steps}
        self.by_n = {s.n: s for s in self.steps}

    def get(self, code: str) -> StepDef:
        step = self.by_code.get(code)
        if step is None:
            raise ValidationError({"step": _("Unknown step: %s") % code})
        return step

    def stage_of(self, last_n: int) -> str:
        """The stage of a person whose furthest step is number `last_n` (0: none yet)."""
        if last_n == 0:
            return "none"
        member = self.by_code.get(MEMBER_FROM)
        if member is not None and last_n >= member.n:
            return "member"
        return self.by_n[last_n].stage

    def stage_after(self, history: Sequence[Taken]) -> str:
        """The stage a history leaves the person in ("none" before any step)."""
        return self.stage_of(max((self.by_code[t.code].n for t in history), default=0))

    def stage_since(self, history: Sequence[Taken]) -> date | None:
        """The date the person entered the stage they are in (None before any step)."""
        furthest, stage, since = 0, "none", None
        for taken in history:
            furthest = max(furthest, self.by_code[taken.code].n)
            now = self.stage_of(furthest)
            if now != stage:
                stage, since = now, taken.on
        return since


def _last(history: Sequence[Taken], code: str) -> Taken | None:
    found = None
    for taken in history:
        if taken.code == code:
            found = taken
    return found


def _first(history: Sequence[Taken], code: str) -> Taken | None:
    for taken in history:
        if taken.code == code:
            return taken
    return None


def _extension_months(ladder: Ladder, history: Sequence[Taken], from_step: str) -> int:
    """Months of probation extension recorded against a period counted from `from_step`."""
    total = 0
    for step in ladder.steps:
        for rule in step.rules:
            if rule.get("kind") == "period" and rule.get("from") == from_step:
                total += sum(
                    int(t.facts.get("extension_months") or 0)
                    for t in history
                    if t.code == step.code
                )
    return total


def _int_fact(facts: Mapping[str, Any], key: str, *, minimum: int = 0) -> int:
    value = facts.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
        raise ValidationError(
            {
                "facts": _("The fact %(key)s must be a number of at least %(min)d.")
                % {"key": key, "min": minimum}
            }
        )
    if isinstance(value, float) and not value.is_integer():
        raise ValidationError({"facts": _("The fact %s must be a whole number.") % key})
    return int(value)


def _number_fact(facts: Mapping[str, Any], key: str) -> float:
    value = facts.get(key, 0)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 10_000:
        raise ValidationError({"facts": _("The fact %s must be a number from 0 to 10000.") % key})
    return float(value)


def clean_facts(step: StepDef, facts: Mapping[str, Any] | None) -> dict[str, Any]:
    """The facts a step keeps, checked for their shape (400 naming `facts`); rules come later."""
    facts = dict(facts or {})
    cleaned: dict[str, Any] = {}
    if step.code in LIST_FACTS:
        entries = facts.get(step.code, [])
        if not isinstance(entries, list) or len(entries) > MAX_LIST:
            raise ValidationError(
                {"facts": _("%s must be a list of names or person ids.") % step.code}
            )
        items: list[str | int] = []
        for entry in entries:
            if isinstance(entry, bool) or not isinstance(entry, str | int):
                raise ValidationError(
                    {"facts": _("%s must be a list of names or person ids.") % step.code}
                )
            if isinstance(entry, str):
                entry = entry.strip()
                if not entry or len(entry) > 50 or "\x00" in entry:
                    raise ValidationError(
                        {"facts": _("A name in %s is empty or too long.") % step.code}
                    )
            items.append(entry)
        cleaned[step.code] = items
    kinds = {rule.get("kind") for rule in step.rules}
    if step.code == "political_review":
        result = facts.get("result")
        if result not in ("passed", "failed"):
            raise ValidationError(
                {"facts": _('The review\'s result must be "passed" or "failed".')}
            )
        cleaned["result"] = result
    if "min_training" in kinds:
        if "days" not in facts and "hours" not in facts:
            raise ValidationError({"facts": _("Give the training's days or hours.")})
        cleaned["days"] = _number_fact(facts, "days")
        cleaned["hours"] = _number_fact(facts, "hours")
    if "quorum" in kinds or (step.code == "conversion_meeting" and "expected" in facts):
        expected = _int_fact(facts, "expected", minimum=1)
        present = _int_fact(facts, "present")
        votes_for = _int_fact(facts, "for")
        if present > expected or votes_for > present:
            raise ValidationError(
                {
                    "facts": _(
                        "Votes for cannot exceed those present, nor those present the "
                        "members expected."
                    )
                }
            )
        cleaned.update(expected=expected, present=present)
        cleaned["for"] = votes_for
    if "period" in kinds and "extension_months" in facts:
        cleaned["extension_months"] = _int_fact(facts, "extension_months", minimum=1)
    if step.code == "oath" or "note" in facts:
        note = facts.get("note", "")
        if not isinstance(note, str) or len(note) > 300 or "\x00" in note:
            raise ValidationError({"facts": _("A note is text of at most 300 characters.")})
        if note:
            cleaned["note"] = note
    return cleaned


def _refuse(message: str, rule: Mapping[str, Any]) -> StepRefused:
    article = rule.get("article")
    return StepRefused(
        message, kind=str(rule.get("kind", "order")), article=int(article) if article else None
    )


def _allowed_codes(ladder: Ladder, history: Sequence[Taken]) -> list[str]:
    """The steps that may be recorded next, in order: the next one, and the last one again when
    it repeats."""
    last_n = max((ladder.by_code[t.code].n for t in history), default=0)
    allowed: list[str] = []
    last = ladder.by_n.get(last_n)
    if last is not None and last.code in REPEATABLE:
        allowed.append(last.code)
    review = ladder.by_code.get("political_review")
    meeting = ladder.by_code.get("branch_meeting")
    if review is not None and meeting is not None and review.n < last_n < meeting.n:
        allowed.append(review.code)  # a failed review may be done again before the meeting
    following = ladder.by_n.get(last_n + 1)
    if following is not None:
        allowed.append(following.code)
    return allowed


def check(
    ladder: Ladder,
    history: Sequence[Taken],
    code: str,
    on: date,
    facts: Mapping[str, Any] | None,
    *,
    birth_date: date,
    today: date,
) -> tuple[dict[str, Any], bool]:
    """Check a step against the history; returns the cleaned facts and whether it is late.

    Raises ValidationError (unknown step, a date in the future or before birth, malformed facts)
    or StepRefused (a step out of order or breaking a rule, with the rule's kind and article).
    """
    step = ladder.get(code)
    if on > today:
        raise ValidationError({"on": _("The date %s is in the future.") % on.isoformat()})
    if on < birth_date:
        raise ValidationError({"on": _("The date is before the person's birth.")})
    cleaned = clean_facts(step, facts)
    allowed = _allowed_codes(ladder, history)
    if code not in allowed:
        if any(t.code == code for t in history):
            raise StepRefused(_("Step %s is recorded already.") % step.name, kind="order")
        expected = ", ".join(ladder.by_code[c].name for c in allowed) or "—"
        raise StepRefused(
            _("Step %(step)s is out of order: next is %(next)s.")
            % {"step": step.name, "next": expected},
            kind="order",
        )
    if history and on < max(t.on for t in history):
        raise StepRefused(
            _("Step %(step)s cannot be dated before the last step (%(last)s).")
            % {"step": step.name, "last": max(t.on for t in history).isoformat()},
            kind="order",
        )
    late = False
    for rule in step.rules:
        late = _check_rule(ladder, history, step, rule, on, cleaned, birth_date) or late
    # Rules of other steps that gate this one.
    for other in ladder.steps:
        for rule in other.rules:
            kind = rule.get("kind")
            if kind == "required_before" and rule.get("step") == code:
                review = _last(history, other.code)
                if review is None or review.facts.get("result", "passed") != "passed":
                    raise _refuse(
                        _("%(step)s needs a passed %(other)s first.")
                        % {"step": step.name, "other": other.name},
                        rule,
                    )
            if kind == "min_training" and rule.get("before", "branch_meeting") == code:
                sessions = [t for t in history if t.code == other.code]
                days = sum(float(t.facts.get("days", 0)) for t in sessions)
                hours = sum(float(t.facts.get("hours", 0)) for t in sessions)
                if days < float(rule.get("days", 0)) and hours < float(rule.get("or_hours", 0)):
                    raise _refuse(
                        _(
                            "%(step)s needs at least %(days)s days or %(hours)s hours of "
                            "training (recorded: %(had_days)s days, %(had_hours)s hours)."
                        )
                        % {
                            "step": step.name,
                            "days": rule.get("days"),
                            "hours": rule.get("or_hours"),
                            "had_days": f"{days:g}",
                            "had_hours": f"{hours:g}",
                        },
                        rule,
                    )
    return cleaned, late


def _anchor(history: Sequence[Taken], rule: Mapping[str, Any], step: StepDef) -> Taken:
    anchor = _first(history, str(rule.get("step")))
    if anchor is None:
        raise _refuse(
            _("%(step)s needs step %(other)s first.")
            % {"step": step.name, "other": rule.get("step")},
            rule,
        )
    return anchor


def _check_rule(
    ladder: Ladder,
    history: Sequence[Taken],
    step: StepDef,
    rule: Mapping[str, Any],
    on: date,
    facts: Mapping[str, Any],
    birth_date: date,
) -> bool:
    """Raise StepRefused when the rule is broken; return True when the step is late."""
    kind = rule.get("kind")
    if kind == "min_age":
        years = int(rule["years"])
        if age_on(birth_date, on) < years:
            raise _refuse(
                _("An applicant must be at least %(years)d years old on %(on)s.")
                % {"years": years, "on": on.isoformat()},
                rule,
            )
    elif kind == "after":
        anchor = _anchor(history, rule, step)
        if on < anchor.on:
            raise _refuse(_("%s comes too early.") % step.name, rule)
    elif kind == "within_after":
        anchor = _anchor(history, rule, step)
        if rule.get("max_months") and on > add_months(anchor.on, int(rule["max_months"])):
            raise _refuse(
                _("%(step)s is more than %(months)s months after %(other)s.")
                % {"step": step.name, "months": rule["max_months"], "other": anchor.code},
                rule,
            )
        return on > add_months(anchor.on, int(rule["months"]))
    elif kind == "min_after":
        anchor = _anchor(history, rule, step)
        earliest = add_months(
            add_years(anchor.on, int(rule["years"])),
            _extension_months(ladder, history, anchor.code),
        )
        if on < earliest:
            raise _refuse(
                _("%(step)s may come no earlier than %(earliest)s.")
                % {"step": step.name, "earliest": earliest.isoformat()},
                rule,
            )
    elif kind == "count":
        count = len(set(facts.get(step.code, [])))
        low = int(rule.get("exact", rule.get("min", 0)))
        high = int(rule.get("exact", rule.get("max", MAX_LIST)))
        if not low <= count <= high:
            message = (
                _("%(step)s needs exactly %(n)d people.") % {"step": step.name, "n": low}
                if "exact" in rule
                else _("%(step)s needs %(low)d to %(high)d people.")
                % {"step": step.name, "low": low, "high": high}
            )
            raise _refuse(message, rule)
    elif kind == "quorum":
        expected = int(facts["expected"])
        if facts["present"] * 2 <= expected:
            raise _refuse(
                _("The meeting had no quorum: %(present)d of %(expected)d voting members present.")
                % {"present": facts["present"], "expected": expected},
                rule,
            )
        if facts["for"] * 2 <= expected:
            raise _refuse(
                _("No majority: %(yes)d of %(expected)d voting members voted for.")
                % {"yes": facts["for"], "expected": expected},
                rule,
            )
    elif kind == "period" and "extension_months" in facts:
        months = int(facts["extension_months"])
        low = int(rule.get("extension_months_min", 6))
        high = int(rule.get("extension_months_max", 12))
        if not low <= months <= high:
            raise _refuse(
                _("Probation may be extended by %(low)d to %(high)d months.")
                % {"low": low, "high": high},
                rule,
            )
        done = sum(1 for t in history if t.code == step.code and t.facts.get("extension_months"))
        if done >= int(rule.get("extensions_max", 1)):
            raise _refuse(_("Probation may be extended only once."), rule)
    return False


def next_steps(ladder: Ladder, history: Sequence[Taken], *, birth_date: date) -> list[Pending]:
    """The steps that may come next, each with its earliest and latest date."""
    pending: list[Pending] = []
    last_on = max((t.on for t in history), default=None)
    for code in _allowed_codes(ladder, history):
        step = ladder.by_code[code]
        earliest = last_on or birth_date
        latest: date | None = None
        for rule in step.rules:
            kind = rule.get("kind")
            anchor = _first(history, str(rule.get("step"))) if rule.get("step") else None
            if kind == "min_age":
                earliest = max(earliest, add_years(birth_date, int(rule["years"])))
            elif kind == "min_after" and anchor is not None:
                earliest = max(
                    earliest,
                    add_months(
                        add_years(anchor.on, int(rule["years"])),
                        _extension_months(ladder, history, anchor.code),
                    ),
                )
            elif kind == "within_after" and anchor is not None:
                latest = add_months(anchor.on, int(rule.get("max_months") or rule["months"]))
        pending.append(Pending(code, earliest, latest))
    return pending


def deadlines(ladder: Ladder, history: Sequence[Taken]) -> list[Due]:
    """The pending deadlines of a history (a talk within a month of application, approval within
    3 months of the branch meeting, the activist's half-yearly assessment …), earliest first."""
    taken = {t.code for t in history}
    last_n = max((ladder.by_code[t.code].n for t in history), default=0)
    dues: list[Due] = []
    for step in ladder.steps:
        for rule in step.rules:
            kind = rule.get("kind")
            article = int(rule["article"]) if rule.get("article") else None
            if kind == "within_after" and step.code not in taken:
                anchor = _first(history, str(rule.get("step")))
                if anchor is not None:
                    dues.append(Due(step.code, add_months(anchor.on, int(rule["months"])), article))
            elif kind == "every":
                # Recurs from the start of the step's stage until the stage's last step is passed.
                stage_steps = [s for s in ladder.steps if s.stage == step.stage]
                first, final = stage_steps[0], stage_steps[-1]
                if first.code in taken and last_n <= final.n:
                    since = max(t.on for t in history if t.code in (first.code, step.code))
                    dues.append(Due(step.code, add_months(since, int(rule["months"])), article))
    return sorted(dues, key=lambda d: d.due)
