"""Who may capture and read: the API token, a role that may write, and the region scope."""

from __future__ import annotations

import pytest

from jiceng.ledger.models import CaptureJob, LedgerEvent
from jiceng.ledger.selectors import events_query
from tests.ledger.conftest import cylinder_document, filling

pytestmark = pytest.mark.django_db


def test_capture_and_query_need_a_token(client):
    for response in (
        client.post(
            "/epcis/v2/capture",
            data=cylinder_document([filling(1)]),
            content_type="application/json",
        ),
        client.get("/epcis/v2/events"),
        client.get("/epcis/v2/capture/6f1c8f3e-3c1e-4b8a-9d43-0a2f0f0f0f0f"),
        client.post(
            "/epcis/v2/capture",
            data=cylinder_document([filling(1)]),
            content_type="application/json",
            HTTP_AUTHORIZATION="Bearer not-a-token",
        ),
    ):
        assert response.status_code == 401
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["type"] == "epcisException:SecurityException"
    assert LedgerEvent.objects.count() == 0
    assert CaptureJob.objects.count() == 0


def test_a_read_only_role_may_query_but_not_capture(epcis_for):
    regulator = epcis_for("regulator")
    response = regulator.capture(cylinder_document([filling(1)]))
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert LedgerEvent.objects.count() == 0
    assert regulator.query().status_code == 200


def test_a_signed_in_browser_may_read_but_capture_needs_the_token(client, users):
    client.force_login(users["wutong"])
    assert client.get("/epcis/v2/events").status_code == 200
    response = client.post(
        "/epcis/v2/capture", data=cylinder_document([filling(1)]), content_type="application/json"
    )
    assert response.status_code == 401


def test_wutong_cannot_see_or_touch_puyuans_events_and_capture_jobs(epcis_for):
    puyuan, wutong, admin = epcis_for("puyuan"), epcis_for("wutong"), epcis_for("admin")
    response = puyuan.capture(cylinder_document([filling(1)]))
    location = response["Location"]
    assert len(puyuan.events(MATCH_epc="urn:jiceng:cylinder:1")) == 1
    assert wutong.events(MATCH_epc="urn:jiceng:cylinder:1") == []
    assert wutong.events() == []
    assert wutong.events(EQ_bizLocation="urn:jiceng:station:FS01") == []
    hidden = wutong.client.get(location, HTTP_AUTHORIZATION=f"Bearer {wutong.token}")
    assert hidden.status_code == 404
    assert hidden["Content-Type"] == "application/problem+json"
    # the county sees both towns
    assert len(admin.events(MATCH_epc="urn:jiceng:cylinder:1")) == 1
    # wutong sending the same eventID does not take over puyuan's event
    assert wutong.captured(cylinder_document([filling(1)]))["success"] is True
    assert wutong.events() == []
    assert LedgerEvent.objects.get().region_id == "330483101"


def test_internal_callers_query_without_a_user_and_see_everything(epcis_for, users):
    epcis_for("puyuan").captured(cylinder_document([filling(1)]))
    events, token = events_query(match_epc="urn:jiceng:cylinder:1")
    assert len(events) == 1 and token is None
    assert events_query(match_epc="urn:jiceng:cylinder:1", user=users["wutong"]) == ([], None)


def test_an_unknown_capture_id_is_a_404_problem(epcis):
    for capture_id in ("6f1c8f3e-3c1e-4b8a-9d43-0a2f0f0f0f0f", "17"):
        response = epcis.client.get(
            f"/epcis/v2/capture/{capture_id}", HTTP_AUTHORIZATION=f"Bearer {epcis.token}"
        )
        assert response.status_code == 404
        assert response.json()["type"] == "epcisException:NoSuchNameException"
