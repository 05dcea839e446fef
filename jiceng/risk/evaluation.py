"""Evaluating rules on facts: pure functions, no database.

A module hands in the facts of many subjects at once (`{subject: {fact: value}}`, computed with a
few grouped queries) and the rules of its scheme; `colour_evaluate` answers every subject's
colour with the reasons that gave it. Thresholds are worked out once per rule, not per subject,
so 300,000 subjects take about a second.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

GREEN, YELLOW, RED = "green", "yellow", "red"
SEVERITY = {GREEN: 0, YELLOW: 1, RED: 2}
KINDS = ("date_before", "date_missing_or_before", "count_at_least")


class RuleInvalid(ValueError):
    """A rule that cannot be evaluated (unknown kind, missing parameter)."""


@dataclass(frozen=True)
class RuleSpec:
    code: str
    colour: str
    kind: str
    params: Mapping[str, Any] = field(default_factory=dict)
    reason: str = ""
    reason_en: str = ""
    effective_from: date = date.min
    effective_to: date | None = None  # exclusive

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on < self.effective_to)


Reason = dict[str, str]
Result = tuple[str, list[Reason]]


def rule_check(rule: RuleSpec) -> None:
    """Refuse a rule the evaluator cannot run, with the reason."""
    if rule.colour not in (YELLOW, RED):
        raise RuleInvalid(f"{rule.code}: colour must be yellow or red, not {rule.colour!r}")
    if rule.kind not in KINDS:
        raise RuleInvalid(f"{rule.code}: unknown condition kind {rule.kind!r}")
    if not isinstance(rule.params.get("fact"), str):
        raise RuleInvalid(f"{rule.code}: the parameter 'fact' is required")
    if rule.kind == "count_at_least" and not isinstance(rule.params.get("min", 1), int):
        raise RuleInvalid(f"{rule.code}: 'min' must be an integer")
    if rule.kind != "count_at_least" and not isinstance(rule.params.get("days", 0), int):
        raise RuleInvalid(f"{rule.code}: 'days' must be an integer")
    if rule.effective_to is not None and rule.effective_to <= rule.effective_from:
        raise RuleInvalid(f"{rule.code}: effective_to must be after effective_from")


def _holds(kind: str, value: Any, threshold: Any) -> bool:
    if kind == "date_before":
        return value is not None and value < threshold
    if kind == "date_missing_or_before":
        return value is None or value < threshold
    return value is not None and value >= threshold  # count_at_least


def colour_evaluate(
    *,
    facts_by_subject: Mapping[int, Mapping[str, Any]],
    rules: Iterable[RuleSpec],
    as_of: date,
) -> dict[int, Result]:
    """Every subject's colour and the reasons for it.

    Only rules in force on `as_of` count. A subject takes the colour of its worst holding rule;
    its reasons are the holding rules of that colour, in rule order. No holding rule: green,
    no reasons. A fact a subject lacks counts as missing (None)."""
    active = []
    for rule in rules:
        if not rule.in_force(as_of):
            continue
        rule_check(rule)
        if rule.kind == "count_at_least":
            threshold: Any = int(rule.params.get("min", 1))
        else:
            threshold = as_of + timedelta(days=int(rule.params.get("days", 0)))
        active.append((rule, rule.params["fact"], threshold))
    # Worst colour first, so that a subject stops at the first colour with a holding rule.
    active.sort(key=lambda item: -SEVERITY[item[0].colour])
    results: dict[int, Result] = {}
    for subject, facts in facts_by_subject.items():
        colour, reasons = GREEN, list[Reason]()
        for rule, fact, threshold in active:
            if reasons and rule.colour != colour:
                break
            value = facts.get(fact)
            if _holds(rule.kind, value, threshold):
                colour = rule.colour
                reasons.append(
                    {
                        "rule": rule.code,
                        "text": rule.reason,
                        "text_en": rule.reason_en,
                        "value": "" if value is None else str(value),
                    }
                )
        results[subject] = (colour, reasons)
    return results
