"""The youth module's fixtures: 梧桐's party organiser, a branch of 庆丰社区 with its secretary,
a mentor, young people with and without accounts, and an API caller."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.utils import translation

from jiceng.core.identifiers import make_resident_id
from jiceng.core.models import Role
from jiceng.core.services.accounts import api_token_create, user_create
from jiceng.youth.reference_data import policies_load, steps_load
from jiceng.youth.services import branch_create, talent_register, talent_update

WUTONG, PUYUAN = "330483001", "330483101"
VILLAGE, OTHER_VILLAGE, PUYUAN_VILLAGE = "330483001001", "330483001201", "330483101001"


def id_for(born: date, sequence: int, gender: str = "M") -> str:
    return make_resident_id("330483", born, sequence, gender)


@pytest.fixture
def youth(users):
    """Accounts of the module and a branch of 庆丰社区. The steps and the reserve policy come
    from the data migration; a test on a live server (a transactional test) empties every table
    after it, so they are loaded again where missing."""
    steps_load()
    policies_load()
    made = {
        "organiser": user_create(
            username="organiser", password=None, region_code=WUTONG, roles=[Role.PARTY_ORGANISER]
        ),
        "puyuan_organiser": user_create(
            username="py_organiser", password=None, region_code=PUYUAN,
            roles=[Role.PARTY_ORGANISER],
        ),
        "secretary": user_create(
            username="secretary", password=None, region_code=VILLAGE, roles=[Role.BRANCH_SECRETARY]
        ),
        "mentor": user_create(
            username="mentor", password=None, region_code=VILLAGE, roles=[Role.MENTOR]
        ),
        "wang_account": user_create(
            username="xiaowang", password=None, region_code=VILLAGE, roles=[Role.YOUTH]
        ),
        "li_account": user_create(
            username="xiaoli", password=None, region_code=VILLAGE, roles=[Role.YOUTH]
        ),
    }  # fmt: skip
    users.update(made)
    users["branch"] = branch_create(
        actor=made["organiser"], name="庆丰社区团支部", region_code=VILLAGE,
        secretary=made["secretary"],
    )  # fmt: skip
    return users


@pytest.fixture
def wang(youth):
    """小王, born 1 March 2000, of 庆丰社区's branch, with his own account."""
    talent = talent_register(
        actor=youth["organiser"], name="王小明", id_number=id_for(date(2000, 3, 1), 11),
        region_code=VILLAGE, education="bachelor", background="returned_graduate",
        branch=youth["branch"],
    )  # fmt: skip
    return talent_update(actor=youth["organiser"], talent=talent, user=youth["wang_account"])


@pytest.fixture
def li(youth):
    """小李 of 虎啸村, no branch, with her own account."""
    talent = talent_register(
        actor=youth["organiser"], name="李小红", id_number=id_for(date(1998, 7, 9), 12, "F"),
        region_code=OTHER_VILLAGE, education="college", background="villager",
    )  # fmt: skip
    return talent_update(actor=youth["organiser"], talent=talent, user=youth["li_account"])


@pytest.fixture
def api(youth):
    tokens: dict[str, str] = {}

    def call(method: str, path: str, user: str = "organiser", **kwargs):
        if user not in tokens:
            tokens[user] = api_token_create(user=youth[user])[1]
        headers = {"Authorization": f"Bearer {tokens[user]}"}
        return getattr(Client(), method)(
            f"/api/v1{path}", content_type="application/json", headers=headers, **kwargs
        )

    return call


@pytest.fixture(autouse=True)
def english_messages():
    """The tests read the services' messages in English (the product speaks zh-Hans by
    default; the catalogue's translations are checked by tests/test_translations.py)."""
    with translation.override("en"):
        yield
