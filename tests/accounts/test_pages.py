"""The account pages as administrators use them: the county administrator creates a town
administrator, who creates a grid worker of their own town and cannot create one elsewhere; a
town administrator neither sees nor edits another town's users; nobody else reaches the pages."""

from __future__ import annotations

import re

import pytest

from jiceng.core.models import ApiToken, Role, User
from jiceng.core.services.accounts import api_token_authenticate, api_token_create
from tests.accounts.conftest import PUYUAN, WUTONG, table_counts

pytestmark = pytest.mark.django_db


def one_time_password(response) -> str:
    found = re.search(r'id="one-time-password">([^<]+)<', response.content.decode())
    assert found, "the page shows the temporary password"
    return found.group(1)


def sign_in(client, username: str, password: str) -> None:
    client.logout()
    response = client.post("/accounts/login/", {"username": username, "password": password})
    assert response.status_code == 302, response.content.decode()[:500]


def test_the_county_admin_creates_a_town_admin_who_creates_a_grid_worker_of_their_town(
    client, admins
):
    client.force_login(admins["admin"])
    response = client.post(
        "/accounts/users/new/",
        {
            "username": "tudian_admin",
            "display_name": "屠甸管理员",
            "region": "330483102",
            "roles": [Role.TOWN_ADMIN],
        },
    )
    assert response.status_code == 201
    password = one_time_password(response)
    town_admin = User.objects.get(username="tudian_admin")
    assert town_admin.must_change_password and town_admin.region_id == "330483102"

    # The new administrator signs in, must choose a password first, then manages their town.
    sign_in(client, "tudian_admin", password)
    assert client.get("/accounts/users/").url.startswith("/accounts/password/")
    changed = client.post(
        "/accounts/password/",
        {
            "old_password": password,
            "new_password1": "Lantern-river-9431",
            "new_password2": "Lantern-river-9431",
        },
    )
    assert changed.status_code == 302
    assert client.get("/accounts/users/").status_code == 200

    village = "330483102001"
    from jiceng.core.services.regions import region_import_csv

    region_import_csv(
        "code,name,level,parent,lat,lon\n"
        f"{village},屠甸社区,village,330483102,30.6,120.6\n"
        f"{village}001,屠甸一网格,grid,{village},30.6,120.6\n"
    )
    created = client.post(
        "/accounts/users/new/",
        {"username": "td_grid", "region": f"{village}001", "roles": [Role.GRID_WORKER]},
    )
    assert created.status_code == 201
    assert User.objects.get(username="td_grid").role_grants.get().role == Role.GRID_WORKER

    # Elsewhere: refused with a reason, nothing written.
    before = table_counts()
    refused = client.post(
        "/accounts/users/new/",
        {"username": "wt_grid", "region": "330483001001001", "roles": [Role.GRID_WORKER]},
    )
    assert refused.status_code == 400
    assert "不在您的辖区内" in refused.content.decode()  # the reason, in the page's Chinese
    assert table_counts() == before


def test_a_town_admin_posting_another_towns_region_is_refused_by_the_service(client, admins):
    """The form offers only the scope; the service refuses whatever reaches it anyway."""
    from jiceng.core.services.accounts import user_create

    before = table_counts()
    with pytest.raises(Exception, match="outside your region"):
        user_create(
            actor=admins["wutong_admin"],
            username="wt_grid",
            password=None,
            region_code="330483101001001",
            roles=[Role.GRID_WORKER],
        )
    assert table_counts() == before


def test_a_town_admin_cannot_see_or_edit_a_user_of_another_town(client, admins):
    client.force_login(admins["wutong_admin"])
    puyuan = admins["puyuan"]
    listing = client.get("/accounts/users/").content.decode()
    assert ">clerk<" in listing and ">puyuan<" not in listing and ">admin<" not in listing
    before = table_counts()
    assert client.get(f"/accounts/users/{puyuan.pk}/").status_code == 404
    for path, data in [
        (f"/accounts/users/{puyuan.pk}/edit/", {"region": PUYUAN, "roles": [Role.GRID_WORKER]}),
        (f"/accounts/users/{puyuan.pk}/disable/", {}),
        (f"/accounts/users/{puyuan.pk}/password/", {}),
        (f"/accounts/users/{puyuan.pk}/tokens/", {"name": "x"}),
        (f"/accounts/users/{admins['admin'].pk}/disable/", {}),
    ]:
        assert client.post(path, data).status_code == 404, path
    assert table_counts() == before
    puyuan.refresh_from_db()
    assert puyuan.is_active


@pytest.mark.parametrize("username", ["wutong", "clerk", "regulator", "grid"])
def test_only_region_administrators_reach_the_pages(client, admins, username):
    client.force_login(admins[username])
    assert client.get("/accounts/users/").status_code == 403
    assert client.get(f"/accounts/users/{admins['clerk'].pk}/").status_code == 403
    assert client.get("/accounts/users/import/").status_code == 403


def test_the_list_searches_and_filters_in_scope(client, admins):
    client.force_login(admins["admin"])
    found = client.get("/accounts/users/", {"q": "puy"}).content.decode()
    assert ">puyuan<" in found and ">puyuan_admin<" in found and ">wutong<" not in found
    by_role = client.get("/accounts/users/", {"role": Role.WINDOW_CLERK}).content.decode()
    assert ">clerk<" in by_role and ">wutong<" not in by_role
    by_region = client.get("/accounts/users/", {"region": PUYUAN}).content.decode()
    assert ">puyuan<" in by_region and ">clerk<" not in by_region
    fragment = client.get("/accounts/users/", {"active": "0"}, headers={"HX-Request": "true"})
    assert "<html" not in fragment.content.decode() and ">clerk<" not in fragment.content.decode()


def test_edit_changes_roles_and_region(client, admins):
    client.force_login(admins["wutong_admin"])
    clerk = admins["clerk"]
    response = client.post(
        f"/accounts/users/{clerk.pk}/edit/",
        {"display_name": "窗口甲", "region": "330483001001", "roles": [Role.WINDOW_CLERK]},
    )
    assert response.status_code == 302
    clerk.refresh_from_db()
    assert clerk.region_id == "330483001001" and clerk.display_name == "窗口甲"
    refused = client.post(
        f"/accounts/users/{clerk.pk}/edit/",
        {"region": WUTONG, "roles": [Role.COUNTY_ADMIN]},
    )
    assert refused.status_code == 400 and "only a county administrator" in refused.content.decode()
    assert not clerk.role_grants.filter(role=Role.COUNTY_ADMIN).exists()


def test_disable_on_the_page_revokes_tokens_and_refuses_sign_in(client, admins):
    grid = admins["grid"]
    _token, plain = api_token_create(user=grid, name="phone")
    client.force_login(admins["wutong_admin"])
    assert client.post(f"/accounts/users/{grid.pk}/disable/").status_code == 302
    assert api_token_authenticate(plain) is None
    client.logout()
    refused = client.post("/accounts/login/", {"username": "grid", "password": "pw-grid-2026"})
    assert refused.status_code == 200  # the form again, not a sign-in
    assert "_auth_user_id" not in client.session
    client.force_login(admins["wutong_admin"])
    assert client.post(f"/accounts/users/{grid.pk}/enable/").status_code == 302
    client.logout()
    sign_in(client, "grid", "pw-grid-2026")


def test_a_password_reset_forces_a_change_at_the_next_sign_in(client, admins):
    client.force_login(admins["wutong_admin"])
    response = client.post(f"/accounts/users/{admins['grid'].pk}/password/")
    assert response.status_code == 200
    temporary = one_time_password(response)
    assert response["Cache-Control"].startswith("no-") or "no-store" in response["Cache-Control"]
    assert (
        client.get(f"/accounts/users/{admins['grid'].pk}/").content.decode().count(temporary) == 0
    )  # shown once

    sign_in(client, "grid", temporary)
    for path in ("/", "/accounts/users/", "/registry/people/"):
        answer = client.get(path)
        assert answer.status_code == 302 and answer.url.startswith("/accounts/password/")
    assert client.get("/api/v1/halls").status_code == 403
    weak = client.post(
        "/accounts/password/",
        {"old_password": temporary, "new_password1": "123", "new_password2": "123"},
    )
    assert weak.status_code == 200
    done = client.post(
        "/accounts/password/",
        {
            "old_password": temporary,
            "new_password1": "Maple-orchard-7719",
            "new_password2": "Maple-orchard-7719",
        },
    )
    assert done.status_code == 302
    grid = User.objects.get(username="grid")
    assert not grid.must_change_password
    assert client.get("/").status_code == 200


def test_tokens_are_named_shown_once_listed_with_last_use_and_revoked(client, admins):
    client.force_login(admins["wutong_admin"])
    clerk = admins["clerk"]
    made = client.post(f"/accounts/users/{clerk.pk}/tokens/", {"name": "柜台电脑"})
    plain = re.search(r'id="new-token">([^<]+)<', made.content.decode()).group(1)
    token = ApiToken.objects.get(user=clerk, name="柜台电脑")
    assert api_token_authenticate(plain) == clerk
    page = client.get(f"/accounts/users/{clerk.pk}/").content.decode()
    assert plain not in page and token.key_prefix in page and "柜台电脑" in page
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert client.post(f"/accounts/users/{clerk.pk}/tokens/", {"name": ""}).status_code == 400
    revoke = client.post(f"/accounts/users/{clerk.pk}/tokens/{token.pk}/revoke/")
    assert revoke.status_code == 302 and api_token_authenticate(plain) is None
