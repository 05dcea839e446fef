"""Records of the registries for tests: people with valid ID numbers, organisations with valid
credit codes, and sites, created through the services (actor None: the system)."""

from __future__ import annotations

from datetime import date

from jiceng.core.identifiers import make_credit_code, make_resident_id
from jiceng.core.models import Organisation, Person, Site
from jiceng.core.services.registries import organisation_create, person_create, site_create

WUTONG, PUYUAN = "330483001", "330483101"
WUTONG_VILLAGE, PUYUAN_VILLAGE = "330483001001", "330483101001"


def id_number(sequence: int, *, born: date = date(1980, 5, 17), gender: str = "M") -> str:
    return make_resident_id("330483", born, sequence, gender)


def credit_code(serial: int, *, authority: str = "9", kind: str = "1") -> str:
    return make_credit_code(authority, kind, "330483", serial)


def make_person(name: str, region: str, sequence: int, **fields: str) -> Person:
    return person_create(
        actor=None, name=name, id_number=id_number(sequence), region_code=region, **fields
    )


def make_organisation(name: str, region: str, serial: int, **fields: object) -> Organisation:
    return organisation_create(
        actor=None,
        name=name,
        kind=str(fields.pop("kind", "enterprise")),
        region_code=region,
        credit_code=credit_code(serial),
        **fields,  # type: ignore[arg-type]
    )


def make_site(name: str, region: str, **fields: object) -> Site:
    return site_create(actor=None, name=name, region_code=region, **fields)  # type: ignore[arg-type]
