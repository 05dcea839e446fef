"""Reading colours and rules."""

from __future__ import annotations

from collections.abc import Iterable

from jiceng.risk.evaluation import RuleSpec
from jiceng.risk.models import ColourChange, Rule, SubjectColour


def rules_of(scheme: str) -> list[RuleSpec]:
    """Every rule of a scheme (all dates; the evaluator picks those in force)."""
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
