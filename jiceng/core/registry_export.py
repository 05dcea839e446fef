"""Exports of the registries of people, organisations and sites, as rows for CSV or Excel.

An export holds what the user may see and nothing else: the records of their scope (through the
same selectors as the pages), ID numbers masked unless the user's role reads them *and* the
clear numbers were asked for. A masked export gives a person's age, not their birth date: the
mask hides exactly the birth date, so the two side by side would spell the ID number out.
Rows are produced lazily, so that a county's million people stream without being held in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core import identity_vault, roles
from jiceng.core.models import Organisation, Person, Site, User
from jiceng.core.scope import region_column
from jiceng.core.selectors import organisations_search, people_search, sites_search

_CHUNK = 2000
R = TypeVar("R", bound=Model)


@dataclass(frozen=True)
class RegistryExport:
    model: type[Model]
    name: str  # for the file name: people, organisations, sites
    header: list[str]
    rows: Iterator[list[object]]
    text_columns: tuple[int, ...]  # columns of digit strings that Excel must keep as text
    clear_id_numbers: bool = False

    def all_rows(self) -> Iterator[list[object]]:
        yield list(self.header)
        yield from self.rows


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def _iterate(queryset: QuerySet[R], row: Callable[[R], list[object]]) -> Iterator[list[object]]:
    # Region order follows the region index, as the lists do: no sort of the whole county.
    ordered = queryset.order_by(region_column(queryset.model), "pk")
    for record in ordered.iterator(chunk_size=_CHUNK):
        yield row(record)


def _local(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def people_export(
    *, user: User, query: str = "", region_code: str = "", clear_id_numbers: bool = False
) -> RegistryExport:
    if clear_id_numbers and not roles.may_read_id_numbers(user):
        raise PermissionDenied(_("Your role does not show ID numbers in clear."))
    today = timezone.localdate()
    if clear_id_numbers:
        header = ["name", "id_number", "gender", "birth_date"]
    else:
        header = ["name", "id_number", "gender", "age"]
    header += ["region_code", "region_name", "phone", "address", "created_at"]

    def row(person: Person) -> list[object]:
        number: str = person.id_masked
        born: object = age_on(person.birth_date, today)
        if clear_id_numbers:
            number, born = identity_vault.unseal(person.id_sealed), person.birth_date.isoformat()
        return [
            person.name,
            number,
            person.gender,
            born,
            person.region_id,
            person.region.name,
            person.phone,
            person.address,
            _local(person.created_at),
        ]

    queryset = people_search(user, query, region_code)
    return RegistryExport(
        model=Person,
        name="people",
        header=header,
        rows=_iterate(queryset, row),
        text_columns=(1, 4, 6),
        clear_id_numbers=clear_id_numbers,
    )


def organisations_export(
    *, user: User, query: str = "", kind: str = "", region_code: str = ""
) -> RegistryExport:
    header = [
        "name",
        "kind",
        "credit_code",
        "region_code",
        "region_name",
        "industry",
        "address",
        "legal_representative",
        "phone",
        "employees",
        "created_at",
    ]

    def row(org: Organisation) -> list[object]:
        return [
            org.name,
            org.kind,
            org.credit_code or "",
            org.region_id,
            org.region.name,
            org.industry,
            org.address,
            org.legal_representative,
            org.phone,
            org.employees,
            _local(org.created_at),
        ]

    queryset = organisations_search(user, query, kind, region_code)
    return RegistryExport(
        model=Organisation,
        name="organisations",
        header=header,
        rows=_iterate(queryset, row),
        text_columns=(2, 3, 8),
    )


def sites_export(
    *, user: User, query: str = "", kind: str = "", region_code: str = ""
) -> RegistryExport:
    header = [
        "name",
        "kind",
        "region_code",
        "region_name",
        "address",
        "lat",
        "lon",
        "organisation_credit_code",
        "organisation_name",
        "created_at",
    ]

    def row(site: Site) -> list[object]:
        org = site.organisation
        return [
            site.name,
            site.kind,
            site.region_id,
            site.region.name,
            site.address,
            site.lat,
            site.lon,
            (org.credit_code or "") if org else "",
            org.name if org else "",
            _local(site.created_at),
        ]

    queryset = sites_search(user, query, kind, region_code)
    return RegistryExport(
        model=Site,
        name="sites",
        header=header,
        rows=_iterate(queryset, row),
        text_columns=(2, 7),
    )
