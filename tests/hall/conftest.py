"""A small service network: the catalogue, a town centre with a hall in 梧桐 and in 濮院, each
with windows for groups A, B and C and a tidal window, and a clerk on each hall's staff."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.utils import translation

from jiceng.core.models import Role, User
from jiceng.core.services.accounts import user_create
from jiceng.hall.models import Hall, ServicePoint, Window
from jiceng.hall.selectors import HALL_SESSIONS_CACHE
from jiceng.hall.services.catalogue import catalogue_load
from jiceng.hall.services.network import (
    hall_create,
    point_create,
    point_staff_set,
    sessions_set,
    window_create,
)

TZ = ZoneInfo("Asia/Shanghai")
# A Monday in term time, no public holiday.
MONDAY = datetime(2026, 3, 9, 9, 0, tzinfo=TZ)
REGULAR_WEEK = [
    {"weekday": d, "kind": "regular", "starts": s, "ends": e}
    for d in range(5)
    for s, e in (("08:30", "12:00"), ("13:30", "17:00"))
]


@dataclass
class Network:
    wutong: Hall
    puyuan: Hall
    wutong_point: ServicePoint
    puyuan_point: ServicePoint
    windows: dict[int, Window]  # 梧桐 hall's windows by number
    puyuan_windows: dict[int, Window]
    users: dict[str, User]


def build_hall(point: ServicePoint) -> tuple[Hall, dict[int, Window]]:
    hall = hall_create(actor=None, point=point, name=f"{point.name}医保大厅")
    windows = {
        1: window_create(actor=None, hall=hall, number=1, groups=["A"]),
        2: window_create(actor=None, hall=hall, number=2, groups=["A", "B"]),
        3: window_create(actor=None, hall=hall, number=3, groups=["C"]),
        4: window_create(
            actor=None, hall=hall, number=4, groups=["B"], is_tidal=True, name="潮汐窗口"
        ),
    }
    for window in windows.values():
        sessions_set(actor=None, window=window, sessions=REGULAR_WEEK)
    return hall, windows


@pytest.fixture(autouse=True)
def _in_english(client, settings):
    """Messages are matched in English: services run in English, and the API client has
    chosen English with the language switch (the UI speaks zh-Hans otherwise)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh_hall_caches():
    """Cached timetables and figures must not carry one test's halls into the next (ids are
    reused from one test database to the next)."""
    HALL_SESSIONS_CACHE.forget()
    cache.clear()
    yield
    HALL_SESSIONS_CACHE.forget()
    cache.clear()


@pytest.fixture
def network(users) -> Network:
    catalogue_load()
    wutong_point = point_create(
        actor=None,
        code="330483001-TC",
        name="梧桐街道便民服务中心",
        kind="town_center",
        region_code="330483001",
        lat=30.627,
        lon=120.566,
    )
    puyuan_point = point_create(
        actor=None,
        code="330483101-TC",
        name="濮院镇便民服务中心",
        kind="town_center",
        region_code="330483101",
        lat=30.684,
        lon=120.635,
    )
    wutong, windows = build_hall(wutong_point)
    puyuan, puyuan_windows = build_hall(puyuan_point)
    users = dict(users)
    users["puyuan_clerk"] = user_create(
        username="puyuan_clerk", password=None, region_code="330483101", roles=[Role.WINDOW_CLERK]
    )
    users["clerk2"] = user_create(
        username="clerk2", password=None, region_code="330483001", roles=[Role.WINDOW_CLERK]
    )
    point_staff_set(actor=None, point=wutong_point, users=[users["clerk"], users["clerk2"]])
    point_staff_set(actor=None, point=puyuan_point, users=[users["puyuan_clerk"]])
    return Network(wutong, puyuan, wutong_point, puyuan_point, windows, puyuan_windows, users)
