"""The peer deployments page: county administrators see this deployment's key, add and disable
peers and read the message log; nobody else opens it."""

from __future__ import annotations

import pytest

from jiceng.federation.models import Peer, Refusal
from jiceng.federation.services import refusal_record
from tests.federation.helpers import RemoteDeployment, federation_counts

URL = "/federation/"


@pytest.fixture
def admin_client(client, users, settings):
    settings.JICENG_REGION_CODE = ""
    client.force_login(users["admin"])
    return client


def _form(**overrides):
    data = {
        "code": "330502",
        "name": "吴兴区",
        "url": "http://127.0.0.1:8001",
        "public_key": RemoteDeployment("330502").public_key,
        "agreement": '{"person_status": ["insured", "level"]}',
    }
    return {**data, **overrides}


def test_the_administrator_adds_a_peer_and_sees_it_with_the_log_and_refusals(admin_client):
    refusal_record(reason="replayed_nonce", sender="330521", kind="ltc.person_status",
                   nonce="ab" * 16, detail="nonce seen before")  # fmt: skip
    response = admin_client.post(URL, _form())
    assert response.status_code == 302
    peer = Peer.objects.get()
    assert peer.agreement == {"person_status": ["insured", "level"]}

    page = admin_client.get(URL).content.decode()
    assert "330483" in page  # this deployment's code, with its public key
    assert "吴兴区" in page and "http://127.0.0.1:8001" in page
    assert "330521" in page  # the refused envelope's claimed sender

    response = admin_client.post(f"{URL}peers/330502/disable/")
    assert response.status_code == 302
    assert Peer.objects.get().enabled is False


def test_a_bad_key_is_a_form_error_and_nothing_is_saved(admin_client):
    assert admin_client.get(URL).status_code == 200  # this deployment's key is made on first use
    before = federation_counts()
    response = admin_client.post(URL, _form(public_key="bm90IDMyIGJ5dGVz"))
    assert response.status_code == 400
    assert "32" in response.content.decode()
    assert federation_counts() == before


@pytest.mark.parametrize("username", ["wutong", "puyuan", "clerk", "regulator", "village"])
def test_town_and_other_users_can_neither_see_nor_change_the_peers(client, users, username):
    Peer.objects.create(code="330502", name="吴兴区", url="http://x:1", public_key="k", key_id="k")
    Refusal.objects.create(reason="malformed")
    client.force_login(users[username])
    assert client.get(URL).status_code == 403
    assert client.post(URL, _form(code="330521")).status_code == 403
    assert client.post(f"{URL}peers/330502/disable/").status_code == 403
    assert Peer.objects.filter(enabled=True).count() == 1
    assert Peer.objects.count() == 1


def test_the_page_needs_a_login(client, db):
    assert client.get(URL).status_code == 302
