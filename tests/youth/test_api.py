"""The youth API: a person from application to full member with every date checked, refusals
naming their article, an overdue talk as an alert, privacy of the records."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied

from jiceng.core.models import Person
from jiceng.youth.models import StepRecord, Talent
from jiceng.youth.services import step_record, talent_id_number_reveal
from tests.youth.conftest import VILLAGE, id_for
from tests.youth.test_rules import WALK

pytestmark = pytest.mark.django_db


def _facts(facts: dict) -> dict:
    return dict(facts)


def test_register_a_person_and_walk_all_25_steps_to_full_member(api):
    response = api(
        "post", "/youth/people",
        data={"name": "陈青", "id_number": id_for(date(2000, 3, 1), 21), "region": VILLAGE,
              "education": "bachelor", "background": "returned_graduate"},
    )  # fmt: skip
    assert response.status_code == 201, response.content
    person_id = response.json()["id"]
    for code, on, facts in WALK:
        response = api(
            "post", f"/youth/people/{person_id}/steps",
            data={"step": code, "on": on.isoformat(), "facts": facts},
        )  # fmt: skip
        assert response.status_code == 201, (code, response.content)
    body = response.json()
    assert body["step"] == "archived" and body["next"] == []
    record = api("get", f"/youth/people/{person_id}").json()
    assert record["stage"] == "member" and record["age"] >= 26
    assert len(record["steps"]) == 26 and record["overdue"] == []
    assert record["id_masked"].startswith("330483") and "*" in record["id_masked"]
    talent = Talent.objects.get(pk=person_id)
    assert (talent.stage, talent.last_step, talent.due_on) == ("member", 25, None)


def test_an_early_step_is_refused_naming_its_article_and_nothing_is_stored(api, wang):
    for code, on, facts in WALK[:7]:
        step_record(actor=None, talent=wang, step=code, on=on, facts=facts)
    response = api(
        "post", f"/youth/people/{wang.pk}/steps",
        data={"step": "development_object", "on": "2020-02-28", "facts": {}},
    )  # fmt: skip
    assert response.status_code == 409
    assert response.json()["rule"] == {"article": 13, "kind": "min_after"}
    assert StepRecord.objects.filter(talent=wang).count() == 7
    young = api(
        "post", "/youth/people",
        data={"name": "少年", "id_number": id_for(date(2010, 1, 1), 22), "region": VILLAGE,
              "education": "junior_high", "background": "villager"},
    ).json()["id"]  # fmt: skip
    response = api(
        "post", f"/youth/people/{young}/steps",
        data={"step": "application", "on": "2026-01-05"},
    )  # fmt: skip
    assert response.status_code == 409
    assert response.json()["rule"] == {"article": 5, "kind": "min_age"}


def test_bad_input_is_a_400_naming_the_field(api, wang):
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    cases = [
        ("/youth/people", {"name": "x", "id_number": "330483200003010118", "region": VILLAGE,
                           "education": "bachelor", "background": "villager"}, "id_number"),
        ("/youth/people", {"name": "x", "id_number": id_for(date(2001, 1, 1), 3),
                           "region": "330483999999", "education": "bachelor",
                           "background": "villager"}, "region"),
        ("/youth/people", {"name": "x", "id_number": id_for(date(2001, 1, 1), 3),
                           "region": "330483001", "education": "bachelor",
                           "background": "villager"}, "region"),
        (f"/youth/people/{wang.pk}/steps", {"step": "application", "on": tomorrow}, "on"),
    ]  # fmt: skip
    people = Person.objects.count()
    for path, data, field in cases:
        response = api("post", path, data=data)
        assert response.status_code == 400, (data, response.content)
        assert field in str(response.json()), response.json()
    assert (
        api(
            "post", f"/youth/people/{wang.pk}/steps", data={"step": "nope", "on": "2020-01-01"}
        ).status_code
        == 400
    )
    assert Person.objects.count() == people
    assert not StepRecord.objects.filter(talent=wang).exists()


def test_an_overdue_talk_is_an_alert_to_the_branch_secretary(api, wang):
    applied = date.today() - timedelta(days=45)
    step_record(actor=None, talent=wang, step="application", on=applied)
    alerts = api("get", "/youth/overdue", user="secretary").json()
    assert [(a["id"], a["step"]) for a in alerts] == [(wang.pk, "talk")]
    record = api("get", f"/youth/people/{wang.pk}", user="secretary").json()
    assert record["overdue"][0]["step"] == "talk" and record["overdue"][0]["article"] == 7
    # The talk held late is recorded as late and the alert goes.
    response = api(
        "post", f"/youth/people/{wang.pk}/steps", user="secretary",
        data={"step": "talk", "on": date.today().isoformat()},
    )  # fmt: skip
    assert response.status_code == 201 and response.json()["late"] is True
    assert api("get", "/youth/overdue", user="secretary").json() == []


def test_a_young_person_sees_only_their_own_record(api, wang, li):
    assert api("get", f"/youth/people/{wang.pk}", user="wang_account").status_code == 200
    assert api("get", f"/youth/people/{li.pk}", user="wang_account").status_code == 404
    assert api("get", f"/youth/people/{wang.pk}", user="li_account").status_code == 404
    # They cannot record their own steps.
    response = api(
        "post", f"/youth/people/{wang.pk}/steps", user="wang_account",
        data={"step": "application", "on": "2020-01-01"},
    )  # fmt: skip
    assert response.status_code == 403
    # Not the regulator, a town officer or another town's organiser either.
    for user in ("regulator", "wutong", "puyuan_organiser", "mentor"):
        assert api("get", f"/youth/people/{wang.pk}", user=user).status_code == 404, user
    # The branch secretary sees their branch's member, not 小李 (no branch).
    assert api("get", f"/youth/people/{wang.pk}", user="secretary").status_code == 200
    assert api("get", f"/youth/people/{li.pk}", user="secretary").status_code == 404


def test_a_mentor_sees_their_mentee_while_the_pairing_lasts(api, youth, wang):
    from jiceng.youth.services import mentorship_add, mentorship_end

    pairing = mentorship_add(
        actor=youth["organiser"], talent=wang, name="导师", start=date(2024, 1, 1),
        mentor_user=youth["mentor"],
    )  # fmt: skip
    assert api("get", f"/youth/people/{wang.pk}", user="mentor").status_code == 200
    mentorship_end(actor=youth["organiser"], mentorship=pairing, end=date.today() - timedelta(1))
    assert api("get", f"/youth/people/{wang.pk}", user="mentor").status_code == 404


def test_the_full_id_number_is_shown_to_organisers_only_and_audited(youth, wang):
    number = talent_id_number_reveal(actor=youth["organiser"], talent=wang)
    assert number == id_for(date(2000, 3, 1), 11)
    assert (
        LogEntry.objects.filter(
            object_pk=str(wang.person_id), additional_data__access="id_number_revealed"
        ).count()
        == 1
    )
    for user in ("secretary", "wang_account", "puyuan_organiser"):
        with pytest.raises(PermissionDenied):
            talent_id_number_reveal(actor=youth[user], talent=wang)


def test_the_funnel_counts_by_stage(api, youth, wang, li):
    for code, on, facts in WALK[:3]:
        step_record(actor=None, talent=wang, step=code, on=on, facts=facts)
    step_record(actor=None, talent=li, step="application", on=date(2024, 1, 2))
    Talent.objects.filter(pk=li.pk).update(wealth_leader=True)
    body = api("get", "/youth/funnel").json()
    assert body["activist"] == 1 and body["applicant"] == 1
    assert body["leaders"] == 1 and body["under_35"] == 2 and body["member"] == 0
    assert body["overdue"] == 2  # 小李's talk and 小王's half-yearly assessment
    assert api("get", "/youth/funnel?region=330483001201").json()["applicant"] == 1
    assert api("get", "/youth/funnel", user="puyuan_organiser").json()["applicant"] == 0
    assert api("get", "/youth/funnel", user="wutong").status_code == 403
