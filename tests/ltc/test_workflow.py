"""The application workflow: every step in order, refusals that change nothing, the
publication period, appeals through the case loop, and re-assessment."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jiceng.cases.models import Case
from jiceng.ltc.models import Application, ApplicationEvent, Assessment, InsuredPerson
from jiceng.ltc.selectors import current_level
from jiceng.ltc.services.applications import (
    ApplicationChanged,
    TransitionRefused,
    application_act,
    application_apply,
)
from tests.ltc.conftest import walk
from tests.ltc.scores import sheet


def test_an_application_goes_from_applied_to_effective_after_the_publication_period(applied, ltc):
    clerk = ltc["clerk"]
    today = timezone.localdate()
    application = walk(applied, clerk, "accept", "assign", "assess", "review", "publish")
    assert application.status == "published"
    assert application.publication_starts == today
    assert application.publication_ends == today + timedelta(days=7)
    assessment = application.assessment
    # ADL 20 (重度受损), cognition 1 (重度受损), sensory 12: row 重度, column 重度 → 5.
    assert assessment.level == 5
    assert assessment.assessor == "评估员甲"
    assert assessment.reviewer == "评估员乙" and assessment.reviewed_at is not None
    assert assessment.valid_until == today.replace(year=today.year + 2) - timedelta(days=1) or (
        today.month == 2 and today.day == 29
    )
    # Not a level the person has yet: the result is only published.
    assert current_level(application.person) is None

    with pytest.raises(TransitionRefused):
        walk(application, clerk, "make_effective")
    application = walk(application, clerk, "make_effective", today=today + timedelta(days=8))
    assert application.status == "effective"
    assert current_level(application.person, today=today + timedelta(days=8)) == 5
    insured = InsuredPerson.objects.get(person=application.person)
    assert insured.care_mode == "home"
    actions = list(application.events.values_list("action", flat=True))
    assert actions == [
        "apply", "accept", "assign", "assess", "review", "publish", "make_effective"
    ]  # fmt: skip


def test_a_step_out_of_order_is_refused_and_changes_nothing(applied, ltc):
    with pytest.raises(TransitionRefused):
        walk(applied, ltc["clerk"], "publish")
    applied.refresh_from_db()
    assert applied.status == "applied" and applied.version == 1
    assert ApplicationEvent.objects.filter(application=applied).count() == 1


def test_a_stale_version_is_refused(applied, ltc):
    walk(applied, ltc["clerk"], "accept")
    with pytest.raises(ApplicationChanged):
        application_act(
            actor=ltc["clerk"], application_id=applied.pk, action="reject", note="x",
            expected_version=1,
        )  # fmt: skip
    assert Application.objects.get(pk=applied.pk).status == "accepted"


def test_the_second_assessor_must_be_another_person(applied, ltc):
    walk(applied, ltc["clerk"], "accept")
    with pytest.raises(ValidationError) as refused:
        application_act(
            actor=ltc["clerk"], application_id=applied.pk, action="assign",
            data={"assessor": "王评估", "second_assessor": "王评估"},
        )  # fmt: skip
    assert "second_assessor" in refused.value.message_dict
    assert Application.objects.get(pk=applied.pk).status == "accepted"


def test_bad_scores_leave_the_application_assigned_and_record_no_assessment(applied, ltc):
    walk(applied, ltc["clerk"], "accept", "assign")
    scores = sheet(60, 16, 12)
    scores["adl.walking"] = 7
    with pytest.raises(ValidationError) as refused:
        walk(applied, ltc["clerk"], "assess", scores=scores)
    assert "adl.walking" in refused.value.message_dict
    assert Application.objects.get(pk=applied.pk).status == "assigned"
    assert not Assessment.objects.exists()


def test_rejecting_needs_a_reason(applied, ltc):
    with pytest.raises(ValidationError):
        application_act(actor=ltc["clerk"], application_id=applied.pk, action="reject")
    assert walk(applied, ltc["clerk"], "reject").status == "rejected"


def test_a_town_officer_may_take_in_and_withdraw_but_not_accept(make_person, ltc):
    _person, number = make_person()
    application = application_apply(actor=ltc["wutong"], person_id_number=number, care_mode="visit")
    with pytest.raises(PermissionDenied):
        walk(application, ltc["wutong"], "accept")
    assert walk(application, ltc["wutong"], "withdraw").status == "withdrawn"


def test_the_regulator_changes_nothing(applied, ltc):
    with pytest.raises(PermissionDenied):
        walk(applied, ltc["regulator"], "accept")


def test_a_second_open_application_of_the_same_person_is_refused(applied, ltc):
    with pytest.raises(ValidationError) as refused:
        application_apply(
            actor=ltc["clerk"], person_id_number=applied.id_number, care_mode="institution"
        )
    assert "person_id_number" in refused.value.message_dict


def test_an_unregistered_applicant_is_registered_when_a_name_is_given(ltc):
    from tests.ltc.conftest import new_id_number

    number = new_id_number()
    with pytest.raises(ValidationError) as refused:
        application_apply(actor=ltc["clerk"], person_id_number=number, care_mode="home")
    assert "name" in refused.value.message_dict
    application = application_apply(
        actor=ltc["clerk"], person_id_number=number, name="钱阿公", care_mode="home"
    )
    assert application.person.name == "钱阿公"
    assert application.region_id == "330483001"  # the clerk's region


def test_an_appeal_during_publication_opens_a_case_and_a_reassessment_supersedes(applied, ltc):
    clerk = ltc["clerk"]
    application = walk(applied, clerk, "accept", "assign", "assess", "review", "publish")
    first = application.assessment
    application = walk(application, ltc["wutong"], "appeal")
    assert application.status == "appealed"
    case = Case.objects.get(pk=application.appeal_case_id)
    assert case.category.code == "ltc_care"
    assert application.number in case.description
    assert case.source_ref == application.number

    application = walk(application, clerk, "reassess", "assess", scores=sheet(50, 16, 12))
    second = application.assessment
    assert second.pk != first.pk and second.supersedes_id == first.pk
    first.refresh_from_db()
    assert first.superseded_at is not None
    # ADL 50 (中度受损), the others intact → 2 中度失能.
    assert second.level == 2
    application = walk(application, clerk, "review", "publish")
    assert application.status == "published"


def test_an_upheld_appeal_returns_to_publication(applied, ltc):
    application = walk(
        applied, ltc["clerk"], "accept", "assign", "assess", "review", "publish", "appeal",
        "uphold",
    )  # fmt: skip
    assert application.status == "published"


def test_the_reviewer_who_disagrees_returns_the_assessment(applied, ltc):
    application = walk(applied, ltc["clerk"], "accept", "assign", "assess", "return")
    assert application.status == "assigned"
    application = walk(application, ltc["clerk"], "assess", scores=sheet(100, 16, 12))
    assert application.assessment.level == 0
    assert Assessment.objects.filter(person=application.person).count() == 2
