"""The risk engine: rules as data with effective dates, colours with reasons, history of
changes only."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from jiceng.risk.evaluation import RuleInvalid, RuleSpec, colour_evaluate
from jiceng.risk.models import ColourChange, Rule, RuleSet, SubjectColour
from jiceng.risk.selectors import colour_history, colour_of, rules_of
from jiceng.risk.services import colours_store, ruleset_load

DUE = RuleSpec(
    code="due",
    colour="red",
    kind="date_before",
    params={"fact": "due", "days": 0},
    reason="过期",
    reason_en="Overdue",
)
SOON = RuleSpec(
    code="soon", colour="yellow", kind="date_before", params={"fact": "due", "days": 30}
)
OPEN = RuleSpec(
    code="open", colour="yellow", kind="count_at_least", params={"fact": "open", "min": 1}
)
CHECKED = RuleSpec(
    code="checked",
    colour="yellow",
    kind="date_missing_or_before",
    params={"fact": "checked", "days": -365},
)
TODAY = date(2026, 6, 1)


def test_a_subject_takes_the_worst_colour_with_the_reasons_of_that_colour_only():
    facts = {
        1: {"due": TODAY - timedelta(days=1), "open": 2, "checked": TODAY},
        2: {"due": TODAY + timedelta(days=10), "open": 1, "checked": TODAY},
        3: {"due": TODAY + timedelta(days=100), "open": 0, "checked": TODAY},
    }
    result = colour_evaluate(facts_by_subject=facts, rules=[SOON, OPEN, DUE, CHECKED], as_of=TODAY)
    assert result[1][0] == "red"
    assert [r["rule"] for r in result[1][1]] == ["due"]
    assert result[1][1][0]["value"] == str(TODAY - timedelta(days=1))
    assert result[2] == ("yellow", result[2][1])
    assert [r["rule"] for r in result[2][1]] == ["soon", "open"]
    assert result[3] == ("green", [])


def test_a_missing_fact_counts_as_missing_for_the_rules_that_look_for_it():
    result = colour_evaluate(facts_by_subject={7: {}}, rules=[DUE, OPEN, CHECKED], as_of=TODAY)
    assert result[7][0] == "yellow"
    assert [r["rule"] for r in result[7][1]] == ["checked"]


def test_a_rule_counts_only_between_its_effective_dates():
    later = RuleSpec(
        code="due",
        colour="red",
        kind="date_before",
        params={"fact": "due", "days": 0},
        effective_from=date(2026, 7, 1),
    )
    ended = RuleSpec(
        code="open",
        colour="yellow",
        kind="count_at_least",
        params={"fact": "open", "min": 1},
        effective_from=date(2020, 1, 1),
        effective_to=TODAY,
    )
    facts = {1: {"due": date(2026, 5, 1), "open": 3}}
    assert colour_evaluate(facts_by_subject=facts, rules=[later, ended], as_of=TODAY)[1] == (
        "green",
        [],
    )
    assert (
        colour_evaluate(facts_by_subject=facts, rules=[later, ended], as_of=date(2026, 7, 1))[1][0]
        == "red"
    )
    assert (
        colour_evaluate(
            facts_by_subject=facts, rules=[later, ended], as_of=TODAY - timedelta(days=1)
        )[1][0]
        == "yellow"
    )


def test_a_rule_the_evaluator_cannot_run_is_refused_with_its_code():
    bad = RuleSpec(code="odd", colour="red", kind="phase_of_moon", params={"fact": "x"})
    with pytest.raises(RuleInvalid, match="odd"):
        colour_evaluate(facts_by_subject={1: {}}, rules=[bad], as_of=TODAY)


@pytest.mark.django_db
def test_rules_load_from_data_and_a_bad_rule_set_leaves_the_old_rules_in_place():
    data = {
        "rulesets": [
            {
                "code": "demo",
                "name": "Demo",
                "rules": [
                    {
                        "code": "due",
                        "colour": "red",
                        "kind": "date_before",
                        "params": {"fact": "due", "days": 0},
                        "reason": "过期",
                        "effective_from": "2024-01-01",
                        "effective_to": "2027-01-01",
                    }
                ],
            }
        ]
    }
    assert ruleset_load(data=data) == 1
    (rule,) = rules_of("demo")
    assert rule.effective_to == date(2027, 1, 1)
    broken = {"rulesets": [{"code": "demo", "rules": [{"code": "x", "colour": "blue"}]}]}
    with pytest.raises(RuleInvalid):
        ruleset_load(data=broken)
    assert Rule.objects.filter(ruleset__code="demo").count() == 1


@pytest.mark.django_db
def test_only_changes_of_colour_enter_the_history():
    at = datetime(2026, 6, 1, 8, tzinfo=UTC)
    reasons = [{"rule": "due", "text": "过期", "text_en": "", "value": "2026-05-01"}]
    assert colours_store(scheme="demo", results={1: ("red", reasons), 2: ("green", [])}, at=at) == 2
    # Evaluated again, nothing changed: no history entry, no write.
    assert (
        colours_store(scheme="demo", results={1: ("red", reasons)}, at=at + timedelta(hours=1)) == 0
    )
    assert colour_of("demo", 1).evaluated_at == at
    assert colours_store(scheme="demo", results={1: ("green", [])}, at=at + timedelta(days=1)) == 1
    history = colour_history("demo", 1)
    assert [(h.previous, h.colour) for h in history] == [("red", "green"), ("", "red")]
    assert colour_of("demo", 1).since == at + timedelta(days=1)
    assert SubjectColour.objects.count() == 2
    assert ColourChange.objects.count() == 3


@pytest.mark.django_db
def test_a_first_computation_of_many_subjects_stores_each_once_with_its_history():
    at = datetime(2026, 6, 1, 8, tzinfo=UTC)
    reasons = [{"rule": "due", "text": "过期", "text_en": "", "value": "2026-05-01"}]
    results = {
        n: ("red" if n % 3 == 0 else "green", reasons if n % 3 == 0 else []) for n in range(6001)
    }
    assert colours_store(scheme="many", results=results, at=at) == 6001
    assert SubjectColour.objects.filter(scheme="many").count() == 6001
    assert SubjectColour.objects.filter(scheme="many", colour="red").count() == 2001
    assert colour_of("many", 3).reasons == reasons
    results[3] = ("green", [])
    assert colours_store(scheme="many", results=results, at=at + timedelta(days=1)) == 1
    assert ColourChange.objects.filter(scheme="many").count() == 6002


def _one_rule_set(colour: str) -> dict[str, object]:
    rule = {"code": "due", "colour": colour, "kind": "date_before", "params": {"fact": "due"}}
    return {"rulesets": [{"code": "reloaded", "name": "Reloaded", "rules": [rule]}]}


@pytest.mark.django_db
def test_a_reloaded_rule_set_applies_at_once_in_this_process():
    ruleset_load(data=_one_rule_set("yellow"))
    assert [r.colour for r in rules_of("reloaded")] == ["yellow"]
    ruleset_load(data=_one_rule_set("red"))
    assert [r.colour for r in rules_of("reloaded")] == ["red"]


@pytest.mark.django_db
def test_another_process_loading_rules_is_seen_after_the_recheck_interval(monkeypatch):
    from jiceng.core import caching
    from jiceng.risk import selectors

    ruleset_load(data=_one_rule_set("yellow"))
    assert [r.colour for r in rules_of("reloaded")] == ["yellow"]
    # Another process's load: the rows and the stamp change, this process's copy is not told.
    Rule.objects.filter(ruleset__code="reloaded").update(colour="red")
    RuleSet.objects.filter(code="reloaded").update(loaded_at=datetime.now(UTC))
    assert [r.colour for r in rules_of("reloaded")] == ["yellow"]
    clock = caching.time.monotonic() + selectors.RULES_RECHECK_SECONDS + 1
    monkeypatch.setattr(caching.time, "monotonic", lambda: clock)
    assert [r.colour for r in rules_of("reloaded")] == ["red"]
