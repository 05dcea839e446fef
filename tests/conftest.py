"""Shared fixtures: a small real region tree and users of different towns and roles."""

from __future__ import annotations

from pathlib import Path

import pytest

from jiceng.core.models import Region, Role, User
from jiceng.core.services.accounts import api_token_create, user_create
from jiceng.core.services.regions import region_import_csv

# Session fixtures registered once for the whole suite: cloned databases (tests/databases.py),
# a migrated data folder and the two live deployments (tests/deployments.py); xdist groups
# that hold with pytest 9 (tests/grouping.py).
pytest_plugins = ["tests.databases", "tests.deployments", "tests.grouping"]

REFERENCE = Path(__file__).resolve().parent.parent / "jiceng" / "reference"
WUTONG, PUYUAN = "330483001", "330483101"


@pytest.fixture(autouse=True)
def _cheap_password_hashing(settings):
    # Still Argon2 (the production hasher), with parameters small enough for fast tests.
    settings.PASSWORD_HASHERS = ["tests.hashers.CheapArgon2PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_process_caches():
    """Per-process caches must not carry rows from one test's database into the next, nor
    counters (the ticket limits of phones and kiosks) from one test's requests into the next."""
    from django.core.cache import cache

    from jiceng.core.caching import forget_all

    forget_all()
    cache.clear()
    yield
    forget_all()
    cache.clear()


@pytest.fixture
def regions(db) -> dict[str, Region]:
    """桐乡市 with its 11 towns (reference data), two villages and a grid in each of 梧桐/濮院.
    Imported through the region service the first time in a process, the same rows inserted
    again after that (tests/databases.py, `loaded_once`)."""
    from tests.databases import loaded_once  # a plugin (below): imported by pytest first

    loaded_once("regions", _import_regions)
    return {r.code: r for r in Region.objects.all()}


def _import_regions() -> None:
    region_import_csv((REFERENCE / "regions-tongxiang.csv").read_text(encoding="utf-8"))
    extra = "code,name,level,parent,lat,lon\n" + "\n".join(
        [
            "330483001001,庆丰社区,village,330483001,30.63,120.56",
            "330483001201,虎啸村,village,330483001,30.64,120.57",
            "330483001001001,庆丰一网格,grid,330483001001,30.631,120.561",
            "330483101001,南门社区,village,330483101,30.69,120.63",
            "330483101201,新联村,village,330483101,30.70,120.64",
            "330483101001001,南门一网格,grid,330483101001,30.689,120.631",
        ]
    )
    region_import_csv(extra)


@pytest.fixture
def users(regions) -> dict[str, User]:
    """admin (county), wutong and puyuan (town officers), and one user of every other role
    (password "pw-NAME-2026"). Created through the account service the first time in a
    process, the same rows inserted again after that (tests/databases.py, `loaded_once`)."""
    from tests.databases import loaded_once

    loaded_once("users", _create_users)
    by_name = User.objects.in_bulk([name for name, _code, _roles in USERS], field_name="username")
    return {name: by_name[name] for name, _code, _roles in USERS}


USERS = [
    ("admin", "330483", [Role.COUNTY_ADMIN]),
    ("wutong", WUTONG, [Role.TOWN_OFFICER]),
    ("puyuan", PUYUAN, [Role.TOWN_OFFICER]),
    ("village", "330483001001", [Role.VILLAGE_WORKER]),
    ("grid", "330483001001001", [Role.GRID_WORKER]),
    ("handler", WUTONG, [Role.DEPARTMENT_HANDLER]),
    ("clerk", WUTONG, [Role.WINDOW_CLERK]),
    ("regulator", "330483", [Role.REGULATOR]),
]


def _create_users() -> None:
    for name, code, roles in USERS:
        user_create(username=name, password="pw-" + name + "-2026", region_code=code, roles=roles)


@pytest.fixture
def token_for(users):
    def make(username: str) -> str:
        return api_token_create(user=users[username])[1]

    return make
