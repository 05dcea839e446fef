from __future__ import annotations

import pytest


def _get(client, path, token):
    return client.get(path, headers={"Authorization": f"Bearer {token}"})


@pytest.mark.django_db
def test_me_names_the_user_scope_and_roles(client, token_for):
    response = _get(client, "/api/v1/me", token_for("wutong"))
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "wutong"
    assert body["region"]["code"] == "330483001"
    assert body["roles"] == ["town_officer"]
    assert body["reads_id_numbers"] is False


def test_region_detail_lists_children_for_the_county_admin(client, token_for):
    response = _get(client, "/api/v1/regions/330483", token_for("admin"))
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "桐乡市"
    assert body["level"] == "county"
    assert body["parent"]["code"] == "330400"
    assert len(body["children"]) == 11
    assert {"code": "330483101", "name": "濮院镇", "level": "town"} in body["children"]


def test_a_town_officer_sees_their_own_town(client, token_for):
    response = _get(client, "/api/v1/regions/330483001", token_for("wutong"))
    assert response.status_code == 200
    assert [c["code"] for c in response.json()["children"]] == ["330483001001", "330483001201"]


def test_a_town_officer_gets_404_for_another_town_and_its_villages(client, token_for):
    token = token_for("wutong")
    for code in ("330483101", "330483101001", "330483101001001", "330483"):
        response = _get(client, f"/api/v1/regions/{code}", token)
        assert response.status_code == 404, code
        assert "detail" in response.json()


def test_an_unknown_region_is_404(client, token_for):
    assert _get(client, "/api/v1/regions/999999", token_for("admin")).status_code == 404


def test_a_missing_or_revoked_token_is_401(client, users):
    from jiceng.core.services.accounts import api_token_create, api_token_revoke

    assert client.get("/api/v1/me").status_code == 401
    token, plain = api_token_create(user=users["admin"])
    assert _get(client, "/api/v1/me", plain).status_code == 200
    api_token_revoke(token=token)
    response = _get(client, "/api/v1/me", plain)
    assert response.status_code == 401
    assert "detail" in response.json()


def test_openapi_is_served(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert "/api/v1/regions/{code}" in response.json()["paths"]


def test_healthz_answers_ok_when_the_database_answers(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_the_api_reference_loads_nothing_from_the_internet(client, users):
    client.force_login(users["admin"])
    page = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "https://" not in page and "http://" not in page


def test_ancestor_codes_walk_up_the_division_tree():
    from jiceng.core.region_codes import ancestor_codes

    assert ancestor_codes("330483001001001") == [
        "330483001001001",
        "330483001001",
        "330483001",
        "330483",
        "330400",
        "330000",
    ]
    assert ancestor_codes("not-a-code") == []
