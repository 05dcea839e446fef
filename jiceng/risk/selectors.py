"""Reading colours and rules."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import connection

from jiceng.core.caching import ProcessCache, process_cache
from jiceng.risk.evaluation import RuleSpec
from jiceng.risk.models import ColourChange, Rule, RuleSet, SubjectColour

# The rules of each scheme as last read by this process, with the load that wrote them and when
# that was checked. Rules change only through `ruleset_load`, which stamps the rule set and
# forgets this process's copies; another process sees a new load within RULES_RECHECK_SECONDS
# (one light query then tells whether its copy is current). An event's colour refresh thus
# costs no rule query; rules are dated, so a change is normally loaded ahead of its date.
RULES_RECHECK_SECONDS = 30.0
RULES_CACHE: ProcessCache[tuple[tuple[int, datetime | str], list[RuleSpec]]] = process_cache(
    "risk.rules", seconds=RULES_RECHECK_SECONDS
)


def rules_of(scheme: str) -> list[RuleSpec]:
    """Every rule of a scheme (all dates; the evaluator picks those in force); none for a
    scheme not loaded."""
    cached = RULES_CACHE.lookup(scheme)
    if cached is not None and cached.fresh:
        return list(cached.value[1])
    table = connection.ops.quote_name(RuleSet._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, loaded_at FROM {table} WHERE code = %s", [scheme])  # noqa: S608
        row = cursor.fetchone()
    if row is None:
        RULES_CACHE.forget(scheme)
        return []
    stamp = (row[0], row[1])
    if cached is not None and cached.value[0] == stamp:
        rules = cached.value[1]
    else:
        rules = _rules_query(scheme)
    RULES_CACHE.put(scheme, (stamp, rules))
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
