"""Who may manage whom: nobody grants a role or a region beyond their own, and every change of an
account is in the audit trail with who made it."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError

from jiceng.core.models import ApiToken, Role, User, UserRole
from jiceng.core.selectors import users_search
from jiceng.core.services.accounts import (
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
    user_create,
    user_disable,
    user_enable,
    user_password_reset,
    user_update,
)
from tests.accounts.conftest import PUYUAN, WUTONG, table_counts

pytestmark = pytest.mark.django_db


def test_a_town_admin_cannot_grant_county_admin(admins):
    before = table_counts()
    with pytest.raises(PermissionDenied, match="only a county administrator"):
        user_create(
            actor=admins["wutong_admin"],
            username="boss",
            password=None,
            region_code=WUTONG,
            roles=[Role.COUNTY_ADMIN],
        )
    assert table_counts() == before


def test_a_town_admin_cannot_give_a_region_outside_their_town(admins):
    before = table_counts()
    with pytest.raises(PermissionDenied, match="outside your region"):
        user_create(
            actor=admins["wutong_admin"],
            username="g2",
            password=None,
            region_code="330483101001001",
            roles=[Role.GRID_WORKER],
        )
    with pytest.raises(PermissionDenied, match="outside your region"):
        user_create(
            actor=admins["wutong_admin"],
            username="t2",
            password=None,
            region_code=PUYUAN,
            roles=[Role.TOWN_ADMIN],
        )
    assert table_counts() == before


def test_a_town_admin_may_make_a_deputy_of_their_own_town_only_at_town_level(admins):
    deputy = user_create(
        actor=admins["wutong_admin"],
        username="deputy",
        password=None,
        region_code=WUTONG,
        roles=[Role.TOWN_ADMIN],
    )
    assert set(deputy.role_grants.values_list("role", flat=True)) == {Role.TOWN_ADMIN}
    with pytest.raises(PermissionDenied, match="goes with a Town"):
        user_create(
            actor=admins["wutong_admin"],
            username="village_boss",
            password=None,
            region_code="330483001001",
            roles=[Role.TOWN_ADMIN],
        )


def test_only_a_county_admin_grants_county_admin_with_a_county_region(admins):
    made = user_create(
        actor=admins["admin"],
        username="admin2",
        password=None,
        region_code="330483",
        roles=[Role.COUNTY_ADMIN],
    )
    assert made.role_grants.get().role == Role.COUNTY_ADMIN
    with pytest.raises(PermissionDenied):
        user_create(
            actor=admins["admin"],
            username="admin3",
            password=None,
            region_code=WUTONG,
            roles=[Role.COUNTY_ADMIN],
        )


def test_other_roles_manage_no_accounts(admins):
    for name in ("wutong", "clerk", "regulator"):
        with pytest.raises(PermissionDenied, match="county and town administrators"):
            user_create(
                actor=admins[name],
                username=f"x-{name}",
                password=None,
                region_code=WUTONG,
                roles=[Role.GRID_WORKER],
            )
        assert not users_search(admins[name]).exists()


def test_a_town_admin_cannot_edit_a_user_of_another_town_nor_a_county_admin(admins):
    for target in ("puyuan", "puyuan_admin", "admin"):
        with pytest.raises(PermissionDenied):
            user_update(
                actor=admins["wutong_admin"],
                user=admins[target],
                display_name="x",
                region_code=WUTONG,
                roles=[Role.GRID_WORKER],
            )
        with pytest.raises(PermissionDenied):
            user_disable(actor=admins["wutong_admin"], user=admins[target])
    assert set(users_search(admins["wutong_admin"]).values_list("username", flat=True)) == {
        "wutong",
        "village",
        "grid",
        "handler",
        "clerk",
        "wutong_admin",
    }


def test_update_moves_roles_and_region_within_scope(admins):
    clerk = user_update(
        actor=admins["wutong_admin"],
        user=admins["clerk"],
        display_name="王窗口",
        region_code="330483001001",
        roles=[Role.WINDOW_CLERK, Role.VILLAGE_WORKER],
    )
    clerk.refresh_from_db()
    assert clerk.region_id == "330483001001" and clerk.display_name == "王窗口"
    assert set(clerk.role_grants.values_list("role", flat=True)) == {
        Role.WINDOW_CLERK,
        Role.VILLAGE_WORKER,
    }
    with pytest.raises(ValidationError):
        user_update(
            actor=admins["wutong_admin"],
            user=clerk,
            display_name="",
            region_code=WUTONG,
            roles=[],
        )


def test_an_admin_cannot_disable_themselves_or_drop_their_own_admin_role(admins):
    with pytest.raises(PermissionDenied):
        user_disable(actor=admins["wutong_admin"], user=admins["wutong_admin"])
    with pytest.raises(PermissionDenied):
        user_update(
            actor=admins["wutong_admin"],
            user=admins["wutong_admin"],
            display_name="",
            region_code=WUTONG,
            roles=[Role.TOWN_OFFICER],
        )


def test_disable_revokes_every_token_keeps_history_and_enable_keeps_them_revoked(admins):
    grid = admins["grid"]
    plains = [api_token_create(user=grid, name=f"t{i}")[1] for i in range(2)]
    assert api_token_authenticate(plains[0]) == grid
    assert user_disable(actor=admins["wutong_admin"], user=grid) == 2
    grid.refresh_from_db()
    assert not grid.is_active
    assert all(api_token_authenticate(p) is None for p in plains)
    assert ApiToken.objects.filter(user=grid, revoked_at__isnull=False).count() == 2
    assert User.objects.filter(pk=grid.pk).exists()
    with pytest.raises(ValidationError):
        api_token_create(user=grid, name="again")
    user_enable(actor=admins["wutong_admin"], user=grid)
    grid.refresh_from_db()
    assert grid.is_active and api_token_authenticate(plains[0]) is None


def test_every_account_change_is_in_the_audit_trail_with_its_actor(admins):
    actor = admins["wutong_admin"]
    made = user_create(
        actor=actor,
        username="newgrid",
        password="Temp-pass-2026",
        must_change_password=True,
        region_code="330483001001001",
        roles=[Role.GRID_WORKER],
    )
    user_update(
        actor=actor,
        user=made,
        display_name="李网格",
        region_code="330483001001001",
        roles=[Role.GRID_WORKER, Role.VILLAGE_WORKER],
    )
    user_password_reset(actor=actor, user=made)
    token, _plain = api_token_create(actor=actor, user=made, name="phone")
    api_token_revoke(actor=actor, token=token)
    user_disable(actor=actor, user=made)

    def entries(model, pk):
        return LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model), object_pk=str(pk)
        )

    user_entries = entries(User, made.pk)
    assert user_entries.filter(action=LogEntry.Action.CREATE).exists()
    changed = [e.changes_dict for e in user_entries.filter(action=LogEntry.Action.UPDATE)]
    assert any("display_name" in c for c in changed)
    assert user_entries.filter(additional_data__account="password_reset").count() == 1
    assert any("is_active" in c for c in changed)
    assert not any("password" in c for c in changed)  # never the hash
    grants = LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(UserRole))
    assert grants.filter(action=LogEntry.Action.CREATE, actor=actor).count() == 2
    token_entries = entries(ApiToken, token.pk)
    assert token_entries.filter(action=LogEntry.Action.CREATE).exists()
    assert any("revoked_at" in e.changes_dict for e in token_entries)
    logged = LogEntry.objects.filter(
        content_type__in=ContentType.objects.get_for_models(User, UserRole, ApiToken).values()
    ).filter(timestamp__gte=made.date_joined)
    assert logged.exists() and all(e.actor_id == actor.pk for e in logged)
