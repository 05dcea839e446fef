"""Assigning hall point staff and gas station staff on a user's page; single sign-on matches
existing accounts and never creates one (the backend's methods, no network)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from jiceng.core.models import User
from jiceng.gas.services.registry import station_create
from jiceng.hall.models import ServicePoint
from jiceng.hall.services.network import point_create
from jiceng.web.accounts.oidc import MatchingOIDCBackend
from tests.accounts.conftest import table_counts


@pytest.fixture
def places(users):
    return {
        "outlet": point_create(
            actor=None,
            code="BANK-WT-01",
            name="庆丰分理处",
            kind="bank_outlet",
            region_code="330483001001",
        ),
        "puyuan_outlet": point_create(
            actor=None,
            code="BANK-PY-01",
            name="濮院分理处",
            kind="bank_outlet",
            region_code="330483101001",
        ),
        "station": station_create(
            code="wt-supply", name="梧桐供应站", kind="supply", region_code="330483001"
        ),
    }


@pytest.mark.django_db
def test_a_town_admin_assigns_hall_point_and_gas_station_staff(client, admins, places):
    clerk = admins["clerk"]
    client.force_login(admins["wutong_admin"])
    page = client.get(f"/accounts/users/{clerk.pk}/").content.decode()
    assert "BANK-WT-01" in page and "wt-supply" in page and "BANK-PY-01" not in page
    saved = client.post(
        f"/accounts/users/{clerk.pk}/workplaces/",
        {"points": ["BANK-WT-01"], "stations": ["wt-supply"]},
    )
    assert saved.status_code == 302
    assert list(places["outlet"].staff.all()) == [clerk]
    assert list(places["station"].staff.all()) == [clerk]

    before = table_counts()
    refused = client.post(
        f"/accounts/users/{clerk.pk}/workplaces/", {"points": ["BANK-PY-01"], "stations": []}
    )
    assert refused.status_code == 400
    assert list(ServicePoint.objects.get(code="BANK-WT-01").staff.all()) == [clerk]
    assert not places["puyuan_outlet"].staff.exists()
    assert table_counts() == before

    cleared = client.post(f"/accounts/users/{clerk.pk}/workplaces/", {})
    assert cleared.status_code == 302 and not places["outlet"].staff.exists()


@pytest.fixture
def backend(settings):
    settings.OIDC_RP_CLIENT_ID = "jiceng"
    settings.OIDC_RP_CLIENT_SECRET = "secret"
    settings.OIDC_OP_TOKEN_ENDPOINT = "https://idp.example/token"
    settings.OIDC_OP_USER_ENDPOINT = "https://idp.example/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = "https://idp.example/jwks"
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    settings.OIDC_CREATE_USER = False
    return MatchingOIDCBackend()


@pytest.mark.django_db
def test_single_sign_on_matches_an_active_account_by_its_username_claim(backend, users):
    claims = {"sub": "abc", "preferred_username": "clerk", "roles": ["county_admin"]}
    assert backend.verify_claims(claims)
    backend.get_userinfo = lambda *args: claims  # the provider's answer, without the network
    assert backend.get_or_create_user("access", "id", {}) == users["clerk"]
    assert list(backend.filter_users_by_claims(claims)) == [users["clerk"]]
    # Roles from the provider are ignored: the account keeps what its administrators gave it.
    assert backend.update_user(users["clerk"], claims).role_grants.get().role == "window_clerk"


@pytest.mark.django_db
def test_single_sign_on_never_creates_accounts_and_refuses_disabled_ones(backend, users, settings):
    before = User.objects.count()
    assert backend.create_user({"preferred_username": "stranger"}) is None
    backend.get_userinfo = lambda *args: {"sub": "x", "preferred_username": "stranger"}
    assert backend.get_or_create_user("access", "id", {}) is None
    assert not backend.filter_users_by_claims({"preferred_username": "stranger"}).exists()
    assert not backend.verify_claims({"sub": "abc"})
    users["grid"].is_active = False
    users["grid"].save(update_fields=["is_active"])
    assert not backend.filter_users_by_claims({"preferred_username": "grid"}).exists()
    settings.JICENG_OIDC_USERNAME_CLAIM = "employee_id"
    assert list(backend.filter_users_by_claims({"employee_id": "clerk"})) == [users["clerk"]]
    assert User.objects.count() == before


@pytest.mark.django_db
def test_the_login_page_offers_single_sign_on_only_when_configured(client):
    page = client.get("/accounts/login/").content.decode()
    assert "/oidc/" not in page


def test_sso_settings_name_the_missing_variable():
    code = "import django; django.setup()"
    env = {"JICENG_OIDC_CLIENT_ID": "jiceng", "DJANGO_SETTINGS_MODULE": "jiceng.settings"}
    import os

    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**{k: v for k, v in os.environ.items() if not k.startswith("JICENG_OIDC")}, **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode != 0 and "JICENG_OIDC_CLIENT_SECRET" in result.stderr


@pytest.mark.own_sqlite
def test_the_login_page_offers_the_providers_button_when_configured(tmp_path):
    import os

    script = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "page = Client(HTTP_HOST='127.0.0.1').get('/accounts/login/').content.decode()\n"
        "print('/accounts/oidc/authenticate/' in page, '浙里办' in page)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JICENG_", "DATABASE_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="jiceng.settings",
        JICENG_DATA=str(tmp_path),
        JICENG_OIDC_CLIENT_ID="jiceng",
        JICENG_OIDC_CLIENT_SECRET="client-secret",
        JICENG_OIDC_AUTHORIZATION_URL="https://idp.example/auth",
        JICENG_OIDC_TOKEN_URL="https://idp.example/token",
        JICENG_OIDC_USERINFO_URL="https://idp.example/userinfo",
        JICENG_OIDC_JWKS_URL="https://idp.example/jwks",
        JICENG_OIDC_PROVIDER_NAME="浙里办",
    )
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.stdout.split() == ["True", "True"], result.stderr[-2000:]
