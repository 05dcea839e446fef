"""Reading colours and rules."""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import datetime

from django.db import connection

from jiceng.risk.evaluation import RuleSpec
from jiceng.risk.models import ColourChange, Rule, RuleSet, SubjectColour

# The rules of each scheme as last read by this process, with the load that wrote them and when
# that was checked. Rules change only through `ruleset_load`, which stamps the rule set and
# forgets this process's copies; another process sees a new load within RULES_RECHECK_SECONDS
# (one light query then tells whether its copy is current). An event's colour refresh thus
# costs no rule query; rules are dated, so a change is normally loaded ahead of its date.
RULES_RECHECK_SECONDS = 30.0
_rules_read: dict[str, tuple[tuple[int, datetime | str], list[RuleSpec], float]] = {}


def rules_of(scheme: str) -> list[RuleSpec]:
    """Every rule of a scheme (all dates; the evaluator picks those in force); none for a
    scheme not loaded."""
    cached = _rules_read.get(scheme)
    now = time.monotonic()
    if cached is not None and now - cached[2] < RULES_RECHECK_SECONDS:
        return list(cached[1])
    table = connection.ops.quote_name(RuleSet._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, loaded_at FROM {table} WHERE code = %s", [scheme])  # noqa: S608
        row = cursor.fetchone()
    if row is None:
        _rules_read.pop(scheme, None)
        return []
    stamp = (row[0], row[1])
    rules = cached[1] if cached is not None and cached[0] == stamp else _rules_query(scheme)
    _rules_read[scheme] = (stamp, rules, now)
    return list(rules)


def _rules_query(scheme: str) -> list[RuleSpec]:
    return [
        RuleSpec(
            code=r.code,
            colour=r.colour,
            kind=r.kind,
            params=r.params,
            reason=r.reason,
            reason_en=r.reason_en,
            effective_from=r.effective_from,
            effective_to=r.effective_to,
        )
        for r in Rule.objects.filter(ruleset__code=scheme).order_by("order", "code")
    ]


def colour_of(scheme: str, subject: int) -> SubjectColour | None:
    return SubjectColour.objects.filter(scheme=scheme, subject=subject).first()


def colours_of(scheme: str, subjects: Iterable[int]) -> dict[int, SubjectColour]:
    ids = list(subjects)
    found: dict[int, SubjectColour] = {}
    for start in range(0, len(ids), 5000):
        for row in SubjectColour.objects.filter(
            scheme=scheme, subject__in=ids[start : start + 5000]
        ):
            found[row.subject] = row
    return found


def colour_history(scheme: str, subject: int, limit: int = 100) -> list[ColourChange]:
    return list(
        ColourChange.objects.filter(scheme=scheme, subject=subject).order_by("-at", "-id")[:limit]
    )


def reason_texts(reasons: Iterable[dict[str, str]], *, english: bool = False) -> list[str]:
    """Reasons as sentences in the language asked for, with the value that made them hold."""
    texts = []
    for reason in reasons:
        text = (reason.get("text_en") if english else "") or reason.get("text") or reason["rule"]
        value = reason.get("value")
        texts.append(f"{text} ({value})" if value else text)
    return texts


def forget_rules() -> None:
    """Drop this process's copies of the rules (tests that roll back their rule sets)."""
    _rules_read.clear()
