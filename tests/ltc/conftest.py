"""Fixtures of the long-term-care tests: 桐乡市 with its users, the case categories (appeals open
cases), residents of 梧桐 and 濮院, and helpers to move an application along."""

from __future__ import annotations

from datetime import date
from itertools import count

import pytest

from jiceng.cases.reference_data import categories_load, departments_create
from jiceng.core.identifiers import make_credit_code, make_resident_id
from jiceng.core.models import Person
from jiceng.core.services.registries import person_create
from jiceng.ltc.models import Application
from jiceng.ltc.services.applications import application_act, application_apply
from jiceng.ltc.services.institutions import institution_create
from tests.ltc.scores import sheet

HERE, THERE = "330483", "330502"
WUTONG_VILLAGE, PUYUAN_VILLAGE = "330483001001", "330483101001"
_sequence = count(1)


def new_id_number(region6: str = HERE, born: date = date(1941, 3, 5), gender: str = "F") -> str:
    return make_resident_id(region6, born, next(_sequence), gender)


@pytest.fixture
def ltc(settings, users):
    """The users of tests/conftest.py in a deployment of 桐乡市 whose cases have categories."""
    settings.JICENG_REGION_CODE = HERE
    categories_load()
    departments_create(county_code=HERE)
    return users


@pytest.fixture
def make_person(ltc):
    def make(region_code: str = WUTONG_VILLAGE, name: str = "沈阿婆") -> tuple[Person, str]:
        number = new_id_number()
        person = person_create(actor=None, name=name, id_number=number, region_code=region_code)
        return person, number

    return make


@pytest.fixture
def make_institution(ltc):
    serial = count(100)

    def make(region_code: str = "330483001", modes=("home", "institution", "visit"), **extra):
        return institution_create(
            actor=None,
            name=extra.pop("name", f"护理院{next(serial)}"),
            credit_code=make_credit_code("5", "2", region_code[:6], next(serial)),
            region_code=region_code,
            care_modes=list(modes),
            beds=extra.pop("beds", 80),
            capacity=extra.pop("capacity", 40),
            **extra,
        )

    return make


def walk(application: Application, actor, *steps: str, scores=None, today=None) -> Application:
    """Take the named steps with the usual data."""
    data_for = {
        "assign": {
            "assessor": "评估员甲",
            "second_assessor": "评估员乙",
            "institution": "评估中心",
        },
        "assess": {"scores": scores or sheet(20, 1, 12)},
    }
    notes = {
        "reject": "材料不全",
        "return": "复核不一致",
        "appeal": "家属认为等级偏低",
        "uphold": "维持",
    }
    for step in steps:
        application = application_act(
            actor=actor,
            application_id=application.pk,
            action=step,
            note=notes.get(step, ""),
            data=data_for.get(step, {}),
            today=today,
        )
    return application


@pytest.fixture
def applied(make_person, ltc):
    """An application of a resident of 梧桐, taken in by the clerk."""
    _person, number = make_person()
    application = application_apply(actor=ltc["clerk"], person_id_number=number, care_mode="home")
    application.id_number = number  # type: ignore[attr-defined]
    return application
