"""The step rules, checked in memory on a history (jiceng/youth/rules.py): no database."""

from __future__ import annotations

import random
from datetime import date

import pytest
from django.core.exceptions import ValidationError

from jiceng.youth.reference_data import reference
from jiceng.youth.rules import Ladder, StepDef, StepRefused, Taken, check, deadlines, next_steps

BORN = date(2000, 3, 1)
TODAY = date(2026, 12, 1)
MEETING = {"expected": 20, "present": 15, "for": 14}
# A whole valid road from application to archive: every date kept by the rules.
WALK: list[tuple[str, date, dict]] = [
    ("application", date(2019, 1, 10), {}),
    ("talk", date(2019, 1, 25), {}),
    ("activist_selected", date(2019, 3, 1), {}),
    ("activist_filed", date(2019, 3, 5), {}),
    ("mentors", date(2019, 3, 6), {"mentors": ["张三", "李四"]}),
    ("education", date(2019, 8, 30), {}),
    ("education", date(2020, 2, 20), {}),
    ("development_object", date(2020, 3, 2), {}),
    ("development_object_filed", date(2020, 3, 5), {}),
    ("introducers", date(2020, 3, 10), {"introducers": ["赵一", "钱二"]}),
    ("political_review", date(2020, 4, 1), {"result": "passed"}),
    ("training", date(2020, 4, 10), {"days": 3, "hours": 24}),
    ("committee_review", date(2020, 5, 6), {}),
    ("pre_review", date(2020, 5, 12), {}),
    ("volunteer_form", date(2020, 5, 15), {}),
    ("branch_meeting", date(2020, 5, 20), MEETING),
    ("committee_talk", date(2020, 6, 1), {}),
    ("approval", date(2020, 7, 10), {}),
    ("approval_filed", date(2020, 7, 20), {}),
    ("assigned", date(2020, 7, 21), {}),
    ("oath", date(2020, 7, 22), {}),
    ("probation_education", date(2020, 12, 1), {}),
    ("conversion_application", date(2021, 5, 1), {}),
    ("conversion_meeting", date(2021, 5, 20), MEETING),
    ("conversion_approval", date(2021, 6, 10), {}),
    ("archived", date(2021, 6, 20), {}),
]


@pytest.fixture(scope="module")
def ladder() -> Ladder:
    return Ladder(
        StepDef(s["n"], s["code"], stage["code"], s["name"], tuple(s.get("rules", ())))
        for stage in reference()["stages"]
        for s in stage["steps"]
    )


def walk_until(ladder: Ladder, last: str) -> list[Taken]:
    history: list[Taken] = []
    for code, on, facts in WALK:
        if code == last:
            return history
        cleaned, _late = check(ladder, history, code, on, facts, birth_date=BORN, today=TODAY)
        history.append(Taken(code, on, cleaned))
    return history


def refusal(ladder, history, code, on, facts=None) -> StepRefused:
    with pytest.raises(StepRefused) as caught:
        check(ladder, history, code, on, facts or {}, birth_date=BORN, today=TODAY)
    return caught.value


def test_the_whole_walk_of_25_steps_keeps_every_rule(ladder):
    history = walk_until(ladder, "")
    assert len({t.code for t in history}) == 25
    assert ladder.stage_after(history) == "member"
    assert ladder.stage_since(history) == date(2021, 6, 10)
    assert deadlines(ladder, history) == []


def test_under_18_at_application_is_refused_with_article_5(ladder):
    error = refusal(ladder, [], "application", date(2018, 2, 28))
    assert (error.kind, error.article) == ("min_age", 5)
    check(ladder, [], "application", date(2018, 3, 1), {}, birth_date=BORN, today=TODAY)


def test_a_development_object_within_a_year_of_activist_is_refused_with_article_13(ladder):
    history = walk_until(ladder, "development_object")
    error = refusal(ladder, history, "development_object", date(2020, 2, 28))
    assert (error.kind, error.article) == ("min_after", 13)
    assert "2020-03-01" in str(error)


def test_the_branch_meeting_needs_a_passed_review_and_enough_training(ladder):
    history = walk_until(ladder, "branch_meeting")
    failed = [
        t if t.code != "political_review" else Taken(t.code, t.on, {"result": "failed"})
        for t in history
    ]
    error = refusal(ladder, failed, "branch_meeting", date(2020, 5, 20), MEETING)
    assert (error.kind, error.article) == ("required_before", 15)
    short = [
        t if t.code != "training" else Taken(t.code, t.on, {"days": 2, "hours": 16})
        for t in history
    ]
    error = refusal(ladder, short, "branch_meeting", date(2020, 5, 20), MEETING)
    assert (error.kind, error.article) == ("min_training", 17)


def test_training_sessions_add_up_before_the_branch_meeting(ladder):
    before = walk_until(ladder, "training")

    def road(*sessions: dict) -> list[Taken]:
        history = list(before)
        for facts in sessions:
            cleaned, _late = check(
                ladder, history, "training", date(2020, 4, 10), facts, birth_date=BORN,
                today=TODAY,
            )  # fmt: skip
            history.append(Taken("training", date(2020, 4, 10), cleaned))
        for code in ("committee_review", "pre_review", "volunteer_form"):
            history.append(Taken(code, date(2020, 5, 1), {}))
        return history

    error = refusal(ladder, road({"days": 2, "hours": 16}), "branch_meeting", date(2020, 5, 20),
                    MEETING)  # fmt: skip
    assert error.article == 17
    enough = road({"days": 2, "hours": 16}, {"days": 1, "hours": 8})
    check(ladder, enough, "branch_meeting", date(2020, 5, 20), MEETING, birth_date=BORN,
          today=TODAY)  # fmt: skip


def test_a_vote_without_quorum_or_majority_is_refused(ladder):
    history = walk_until(ladder, "branch_meeting")
    error = refusal(
        ladder, history, "branch_meeting", date(2020, 5, 20),
        {"expected": 20, "present": 10, "for": 10},
    )  # fmt: skip
    assert error.kind == "quorum" and "quorum" in str(error)
    error = refusal(
        ladder, history, "branch_meeting", date(2020, 5, 20),
        {"expected": 20, "present": 18, "for": 10},
    )  # fmt: skip
    assert error.kind == "quorum" and "majority" in str(error)


def test_conversion_within_a_year_of_admission_is_refused_with_article_32(ladder):
    history = walk_until(ladder, "conversion_meeting")
    error = refusal(ladder, history, "conversion_meeting", date(2021, 5, 19), MEETING)
    assert (error.kind, error.article) == ("min_after", 32)


def test_an_extension_moves_the_conversion_and_comes_once(ladder):
    history = walk_until(ladder, "conversion_application")
    error = refusal(
        ladder, history, "probation_education", date(2021, 4, 1), {"extension_months": 3}
    )
    assert (error.kind, error.article) == ("period", 32)
    cleaned, _ = check(
        ladder, history, "probation_education", date(2021, 4, 1), {"extension_months": 6},
        birth_date=BORN, today=TODAY,
    )  # fmt: skip
    history.append(Taken("probation_education", date(2021, 4, 1), cleaned))
    error = refusal(
        ladder, history, "probation_education", date(2021, 4, 2), {"extension_months": 6}
    )
    assert error.kind == "period" and "once" in str(error)
    history.append(Taken("conversion_application", date(2021, 5, 1), {}))
    pending = next_steps(ladder, history, birth_date=BORN)
    assert pending[0].step == "conversion_meeting" and pending[0].earliest == date(2021, 11, 20)
    refusal(ladder, history, "conversion_meeting", date(2021, 11, 19), MEETING)


def test_mentors_and_introducers_are_counted(ladder):
    history = walk_until(ladder, "mentors")
    error = refusal(ladder, history, "mentors", date(2019, 3, 6), {"mentors": ["a", "b", "c"]})
    assert (error.kind, error.article) == ("count", 9)
    history = walk_until(ladder, "introducers")
    error = refusal(ladder, history, "introducers", date(2020, 3, 10), {"introducers": ["赵一"]})
    assert (error.kind, error.article) == ("count", 14)


def test_order_dates_and_unknown_steps(ladder):
    assert refusal(ladder, [], "talk", date(2019, 1, 1)).kind == "order"
    history = walk_until(ladder, "activist_selected")
    assert refusal(ladder, history, "activist_selected", date(2019, 1, 20)).kind == "order"
    with pytest.raises(ValidationError) as caught:
        check(ladder, [], "application", date(2027, 1, 1), {}, birth_date=BORN, today=TODAY)
    assert "on" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        check(ladder, [], "oath_of_office", date(2020, 1, 1), {}, birth_date=BORN, today=TODAY)
    assert "step" in caught.value.message_dict


def test_deadlines_talk_within_a_month_and_the_half_yearly_assessment(ladder):
    history = walk_until(ladder, "talk")
    assert [(d.step, d.due, d.article) for d in deadlines(ladder, history)] == [
        ("talk", date(2019, 2, 10), 7)
    ]
    history = walk_until(ladder, "education")
    assert [(d.step, d.due) for d in deadlines(ladder, history)] == [
        ("education", date(2019, 9, 1))
    ]
    late_talk = walk_until(ladder, "talk")
    _cleaned, late = check(
        ladder, late_talk, "talk", date(2019, 3, 1), {}, birth_date=BORN, today=TODAY
    )
    assert late


def test_approval_beyond_six_months_is_refused_with_article_25(ladder):
    history = walk_until(ladder, "approval")
    error = refusal(ladder, history, "approval", date(2020, 11, 21))
    assert (error.kind, error.article) == ("within_after", 25)


def test_built_histories_keep_every_rule(ladder):
    from jiceng.youth.services.history import history_build

    rng = random.Random(7)
    for i in range(200):
        born = date(1990 + i % 12, 1 + i % 12, 1 + i % 28)
        upto = ladder.by_n[1 + i % 25].code
        history = history_build(ladder, birth_date=born, upto=upto, rng=rng, today=TODAY)
        # Replayed through the checker, step by step: nothing refused.
        replay: list[Taken] = []
        for taken in history:
            check(ladder, replay, taken.code, taken.on, taken.facts, birth_date=born, today=TODAY)
            replay.append(taken)
        assert all(t.on <= TODAY for t in history)
