"""Accounts: a county administrator and a town administrator of 梧桐 on top of the shared users,
and helpers that count the tables an account change writes."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.utils import translation

from jiceng.core.models import ApiToken, Role, User, UserRole
from jiceng.core.services.accounts import user_create

WUTONG, PUYUAN = "330483001", "330483101"


@pytest.fixture(autouse=True)
def _in_english(client, settings):
    """Refusals are matched in English (the UI speaks zh-Hans otherwise)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def admins(users) -> dict[str, User]:
    made = {
        "wutong_admin": user_create(
            username="wutong_admin",
            password="pw-wutong-admin-2026",
            region_code=WUTONG,
            roles=[Role.TOWN_ADMIN],
        ),
        "puyuan_admin": user_create(
            username="puyuan_admin",
            password="pw-puyuan-admin-2026",
            region_code=PUYUAN,
            roles=[Role.TOWN_ADMIN],
        ),
    }
    return {**users, **made}


def table_counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "roles": UserRole.objects.count(),
        "tokens": ApiToken.objects.count(),
        "log": LogEntry.objects.count(),
    }
