from __future__ import annotations

import pytest

from tests.cases.test_case_loop import report


@pytest.fixture(autouse=True)
def _in_english(client, settings):
    """Messages are matched in English: the API client has chosen English with the language
    switch (the API speaks zh-Hans otherwise)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def call(client, method, path, token, **kwargs):
    headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
    return getattr(client, method)(path, headers=headers, content_type="application/json", **kwargs)


NEW = {
    "category": "ebike_charging",
    "description": "楼道飞线充电",
    "region": "330483001001",
    "attributes": {"place": "corridor"},
}


def test_create_with_an_idempotency_key_returns_the_first_case_on_retry(
    client, case_setup, token_for
):
    token = token_for("village")
    first = call(
        client, "post", "/api/v1/cases", token, data=NEW, headers={"Idempotency-Key": "k-1"}
    )
    assert first.status_code == 201, first.content
    retry = call(
        client, "post", "/api/v1/cases", token, data=NEW, headers={"Idempotency-Key": "k-1"}
    )
    assert retry.status_code == 200
    assert retry.json()["id"] == first.json()["id"]
    listed = call(client, "get", "/api/v1/cases", token_for("wutong"))
    assert [c["number"] for c in listed.json()["items"]] == [first.json()["number"]]


def test_bad_input_is_a_400_with_a_reason(client, case_setup, token_for):
    token = token_for("village")
    response = call(client, "post", "/api/v1/cases", token, data={**NEW, "category": "nope"})
    assert response.status_code == 400
    assert "category" in response.json()["detail"]
    response = call(client, "post", "/api/v1/cases", token, data={"category": "ebike_charging"})
    assert response.status_code == 400


def test_acting_through_the_api_and_conflicts(client, case_setup, token_for):
    case = report(case_setup["grid"])
    path = f"/api/v1/cases/{case.pk}/actions"
    wutong = token_for("wutong")
    ok = call(client, "post", path, wutong, data={"action": "dispatch", "expected_version": 1})
    assert ok.status_code == 200 and ok.json()["status"] == "dispatched"
    stale = call(
        client, "post", path, token_for("admin"), data={"action": "dispatch", "expected_version": 1}
    )
    assert stale.status_code == 409 and "changed" in stale.json()["detail"]
    illegal = call(client, "post", path, wutong, data={"action": "verify"})
    assert illegal.status_code == 409
    forbidden = call(
        client, "post", path, token_for("regulator"), data={"action": "comment", "note": "x"}
    )
    assert forbidden.status_code == 403
    timeline = call(client, "get", f"/api/v1/cases/{case.pk}/timeline", wutong)
    assert [e["kind"] for e in timeline.json()] == ["reported", "dispatched"]


def test_another_towns_case_is_404_everywhere_in_the_api(client, case_setup, token_for):
    case = report(case_setup["grid"])
    token = token_for("puyuan")
    assert call(client, "get", f"/api/v1/cases/{case.pk}", token).status_code == 404
    assert call(client, "get", f"/api/v1/cases/{case.pk}/timeline", token).status_code == 404
    act = call(client, "post", f"/api/v1/cases/{case.pk}/actions", token, data={"action": "accept"})
    assert act.status_code == 404
    assert call(client, "get", "/api/v1/cases", token).json()["items"] == []
    outside = call(client, "post", "/api/v1/cases", token, data=NEW)
    assert outside.status_code == 403


def test_notifications_count_and_mark_read(client, case_setup, token_for):
    report(case_setup["grid"])
    token = token_for("wutong")
    assert call(client, "get", "/api/v1/notifications", token).json()["unread"] == 1
    call(client, "post", "/api/v1/notifications/read", token)
    assert call(client, "get", "/api/v1/notifications", token).json()["unread"] == 0
