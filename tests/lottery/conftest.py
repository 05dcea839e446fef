"""Lottery fixtures: centre staff of the county and of two towns, and an outlet in each town."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from jiceng.core.models import Role
from jiceng.core.services.accounts import api_token_create, user_create
from jiceng.lottery.models import Outlet
from tests.conftest import PUYUAN, WUTONG


@pytest.fixture
def staff(users):
    made = {}
    for name, code in (("fucai", "330483"), ("fucai_wutong", WUTONG), ("fucai_puyuan", PUYUAN)):
        made[name] = user_create(
            username=name, password=f"pw-{name}-2026", region_code=code, roles=[Role.LOTTERY_STAFF]
        )
    return {**users, **made}


@pytest.fixture
def outlets(regions):
    return {
        "wt1": Outlet.objects.create(
            code="wt1",
            name="梧桐一号站",
            region=regions["330483001001"],
            staff_count=2,
            opened_on=date(2020, 1, 1),
        ),
        "wt2": Outlet.objects.create(
            code="wt2",
            name="梧桐二号站",
            region=regions[WUTONG],
            staff_count=1,
            opened_on=date(2020, 1, 1),
            closed_on=date(2023, 7, 1),
        ),
        "py1": Outlet.objects.create(
            code="py1",
            name="濮院一号站",
            region=regions["330483101001"],
            staff_count=3,
            opened_on=date(2021, 5, 1),
        ),
    }


@pytest.fixture
def api(staff):
    def client_for(username: str) -> Client:
        token = api_token_create(user=staff[username])[1]
        return Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    return client_for
