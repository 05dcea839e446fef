"""The assessment API: 201 with the computed level, 400 naming the item, nothing written on a
refusal; and the region scope of the ltc endpoints."""

from __future__ import annotations

import json
from datetime import timedelta

from django.utils import timezone

from jiceng.core.models import Person
from jiceng.ltc.models import Assessment
from tests.ltc.conftest import new_id_number
from tests.ltc.scores import sheet

URL = "/api/v1/ltc/assessments"


def post(client, token, url, body):
    return client.post(
        url, data=json.dumps(body), content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )  # fmt: skip


def body(number, **changes):
    return {
        "person_id_number": number,
        "name": "沈阿婆",
        "assessed_on": timezone.localdate().isoformat(),
        "assessor": "评估员甲",
        "scores": sheet(40, 2, 12),
        **changes,
    }


def test_an_assessment_is_created_with_its_level_grades_and_validity(client, ltc, token_for):
    number = new_id_number()
    response = post(client, token_for("clerk"), URL, body(number))
    assert response.status_code == 201, response.content
    out = response.json()
    # ADL 40 → 重度受损; cognition 2 → 中度受损; sensory 12 → 完好. 重度 × 中度 → 4.
    assert out["level"] == 4
    assert out["grades"] == {"adl": "severe", "cognition": "moderate", "sensory": "intact"}
    today = timezone.localdate()
    assert (
        out["valid_until"] == (today.replace(year=today.year + 2) - timedelta(days=1)).isoformat()
    )
    assert out["person_masked"].startswith("330483********")
    assessment = Assessment.objects.get(pk=out["id"])
    assert assessment.person.name == "沈阿婆"
    assert assessment.person.region_id == "330483001"  # the clerk's region


def test_a_second_assessment_supersedes_the_first(client, ltc, token_for):
    number = new_id_number()
    first = post(client, token_for("clerk"), URL, body(number)).json()
    second = post(client, token_for("clerk"), URL, body(number, scores=sheet(100, 16, 12))).json()
    assert second["level"] == 0 and second["supersedes"] == first["id"]
    assert Assessment.objects.get(pk=first["id"]).superseded_at is not None


def test_a_missing_item_is_a_400_naming_it_and_registers_nobody(client, ltc, token_for):
    scores = sheet(40, 2, 12)
    del scores["sense.hearing"]
    response = post(client, token_for("clerk"), URL, body(new_id_number(), scores=scores))
    assert response.status_code == 400
    assert "sense.hearing" in response.json()["detail"]
    assert not Assessment.objects.exists()
    assert not Person.objects.exists()


def test_a_score_not_among_the_options_is_a_400_naming_the_item(client, ltc, token_for):
    scores = sheet(40, 2, 12)
    scores["adl.bathing"] = 10
    response = post(client, token_for("clerk"), URL, body(new_id_number(), scores=scores))
    assert response.status_code == 400
    assert "adl.bathing" in response.json()["detail"]
    assert not Assessment.objects.exists()


def test_an_unregistered_person_without_a_name_is_a_400_naming_the_field(client, ltc, token_for):
    response = post(client, token_for("clerk"), URL, body(new_id_number(), name=""))
    assert response.status_code == 400
    assert "name" in response.json()["detail"]


def test_a_bad_id_number_and_a_future_date_are_400s(client, ltc, token_for):
    bad = post(client, token_for("clerk"), URL, body("330483194103050000"))
    assert bad.status_code == 400 and "person_id_number" in bad.json()["detail"]
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    future = post(client, token_for("clerk"), URL, body(new_id_number(), assessed_on=tomorrow))
    assert future.status_code == 400 and "assessed_on" in future.json()["detail"]
    assert not Assessment.objects.exists()


def test_a_town_officer_may_not_record_assessments(client, ltc, token_for):
    response = post(client, token_for("wutong"), URL, body(new_id_number()))
    assert response.status_code == 403
    assert not Assessment.objects.exists()


def test_a_user_of_wutong_cannot_see_or_assess_puyuans_people(client, ltc, token_for, make_person):
    _person, number = make_person("330483101001", name="濮院居民")
    county = post(client, token_for("admin"), URL, body(number)).json()
    # 梧桐's clerk: the person of 濮院 is outside the region.
    response = post(client, token_for("clerk"), URL, body(number))
    assert response.status_code == 403
    seen = client.get(
        f"{URL}/{county['id']}", headers={"Authorization": f"Bearer {token_for('clerk')}"}
    )
    assert seen.status_code == 404
    assert Assessment.objects.count() == 1


def test_applications_through_the_api_and_their_steps(client, ltc, token_for, make_person):
    _person, number = make_person()
    token = token_for("clerk")
    created = post(
        client, token, "/api/v1/ltc/applications",
        {"person_id_number": number, "care_mode": "institution"},
    )  # fmt: skip
    assert created.status_code == 201
    app = created.json()
    assert app["status"] == "applied" and "accept" in app["actions"]
    accepted = post(
        client, token, f"/api/v1/ltc/applications/{app['id']}/actions",
        {"action": "accept", "expected_version": app["version"]},
    )  # fmt: skip
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    again = post(
        client, token, f"/api/v1/ltc/applications/{app['id']}/actions",
        {"action": "accept", "expected_version": app["version"]},
    )  # fmt: skip
    assert again.status_code == 409
    puyuan = client.get(
        f"/api/v1/ltc/applications/{app['id']}",
        headers={"Authorization": f"Bearer {token_for('puyuan')}"},
    )
    assert puyuan.status_code == 404


def test_a_retry_with_the_same_idempotency_key_returns_the_first_assessment(client, ltc, token_for):
    token = token_for("clerk")
    number = new_id_number()
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "tablet-7-visit-3"}
    first = client.post(URL, data=json.dumps(body(number)), content_type="application/json",
                        headers=headers)  # fmt: skip
    again = client.post(URL, data=json.dumps(body(number)), content_type="application/json",
                        headers=headers)  # fmt: skip
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert Assessment.objects.count() == 1
