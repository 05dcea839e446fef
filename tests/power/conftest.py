"""Power fixtures: two enterprises (梧桐, 濮院), account managers of the county and of 梧桐, a
dispatcher, each enterprise's contact, and helpers that write a day of quarter-hour readings as
the CSV the import takes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from jiceng.core.caching import forget_all
from jiceng.core.models import Role
from jiceng.core.services.accounts import api_token_create, user_create
from jiceng.power.models import Meter
from jiceng.power.reference_data import tariffs_load
from jiceng.power.services import meter_create, readings_import
from tests.conftest import PUYUAN, WUTONG
from tests.registry_factories import make_organisation

ZONE = ZoneInfo("Asia/Shanghai")


def day_csv(day: date, kw: Callable[[int], float], *, header: bool = True) -> str:
    """A day's 96 readings, `kw(quarter)` each, as `time,kw` lines with the +08:00 offset."""
    start = datetime(day.year, day.month, day.day, tzinfo=ZONE)
    lines = ["time,kw"] if header else []
    for q in range(96):
        lines.append(f"{(start + timedelta(minutes=15 * q)).isoformat()},{kw(q)}")
    return "\n".join(lines) + "\n"


def load_days(meter: Meter, days: list[date], kw: Callable[[date, int], float]) -> None:
    """Store readings for `days` through the import (as the system)."""
    text = "time,kw\n" + "".join(
        day_csv(day, lambda q, day=day: kw(day, q), header=False) for day in days
    )
    readings_import(actor=None, content=text.encode(), meter=meter)


@pytest.fixture
def power(users, regions):
    """The people and enterprises of the power tests. The tariffs come from the data migration;
    a test on a live server (a transactional test) empties every table after it, so they are
    loaded again where missing, and the process's cache of them is dropped."""
    tariffs_load()
    forget_all()
    mill = make_organisation("测试棉纺有限公司", "330483001001001", 11, industry="纺织")
    knit = make_organisation("测试毛衫有限公司", "330483101001001", 12, industry="毛衫")
    made = dict(users)
    for name, code, role, org in (
        ("kehu", "330483", Role.ACCOUNT_MANAGER, None),
        ("kehu_wt", WUTONG, Role.ACCOUNT_MANAGER, None),
        ("diaodu", "330483", Role.POWER_DISPATCHER, None),
        ("qiye_mill", WUTONG, Role.ENTERPRISE_CONTACT, mill),
        ("qiye_knit", PUYUAN, Role.ENTERPRISE_CONTACT, knit),
    ):
        user = user_create(username=name, password=None, region_code=code, roles=[role])
        if org is not None:
            user.organisation = org
            user.save(update_fields=["organisation"])
        made[name] = user
    return {"users": made, "mill": mill, "knit": knit}


@pytest.fixture
def meters(power):
    return {
        "mill": meter_create(
            actor=None,
            code="M-MILL",
            category="large_industry",
            flat_price="0.6",
            enterprise=power["mill"].credit_code,
        ),
        "knit": meter_create(
            actor=None,
            code="M-KNIT",
            category="general_industry_commerce",
            flat_price="0.65",
            enterprise=power["knit"].credit_code,
        ),
    }


@pytest.fixture
def api(power):
    def client_for(username: str) -> Client:
        token = api_token_create(user=power["users"][username])[1]
        client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the messages read in English
        return client

    return client_for


@pytest.fixture(autouse=True)
def english_messages():
    """The tests read the services' messages in English (the product speaks zh-Hans by
    default; the catalogue's translations are checked by tests/test_translations.py)."""
    with translation.override("en"):
        yield
