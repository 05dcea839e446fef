"""Importing people, organisations and sites from CSV or Excel files, all or nothing.

Every row is checked before anything is written: a file with any problem is refused as a whole
(ImportRefused lists each line and reason) and nothing is imported. Rows must lie in the
importer's scope, and a record that is registered already (or twice in the file) is a problem.
Records are inserted in bulk and their creation is written to the audit trail like any other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiceng.core import roles
from jiceng.core.identifiers import validate_credit_code
from jiceng.core.models import Organisation, Person, Region, Site, User
from jiceng.core.scope import code_in_scope
from jiceng.core.services.audit import audit_record_bulk_creation
from jiceng.core.services.regions import ImportRefused
from jiceng.core.services.registries import KINDS_WITHOUT_CREDIT_CODE, person_fields_from_id
from jiceng.core.spreadsheets import Sheet, Table, cell_text, read_table

# The most data rows one file may hold (the upload's size is limited by UPLOAD_MAX_BYTES).
IMPORT_MAX_ROWS = 200_000
# The most problems listed when a file is refused (the count of the rest is given).
PROBLEMS_LISTED = 500
_BATCH = 1000
M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Column:
    """A column of an import file: its key (the template's header), other accepted headers,
    whether every row must fill it, and what it holds (for the template's instructions)."""

    key: str
    aliases: tuple[str, ...]
    required: bool
    help: str | Promise
    max_length: int | None = None


PEOPLE_COLUMNS = (
    Column("name", ("姓名",), True, gettext_lazy("Full name."), 50),
    Column(
        "id_number",
        ("身份证号", "身份证号码", "公民身份号码"),
        True,
        gettext_lazy("18-character resident ID number; format the column as text in Excel."),
    ),
    Column(
        "region_code",
        ("区划代码", "所属区划"),
        True,
        gettext_lazy("Division code of the village, community or grid (9–15 digits)."),
    ),
    Column("phone", ("电话", "联系电话", "手机"), False, gettext_lazy("Phone number."), 30),
    Column("address", ("地址", "住址"), False, gettext_lazy("Address."), 300),
)
ORGANISATION_COLUMNS = (
    Column("name", ("名称", "单位名称", "企业名称"), True, gettext_lazy("Name."), 200),
    Column(
        "kind",
        ("类型", "组织类型"),
        True,
        gettext_lazy(
            "One of: enterprise, individual_business, department, institution, bank_outlet, "
            "rural_collective, social."
        ),
    ),
    Column(
        "credit_code",
        ("统一社会信用代码", "信用代码"),
        False,
        gettext_lazy(
            "18-character unified social credit code; required except for "
            "departments and bank outlets."
        ),
    ),
    Column("region_code", ("区划代码", "所属区划"), True, gettext_lazy("Division code.")),
    Column("industry", ("行业",), False, gettext_lazy("Industry."), 100),
    Column("address", ("地址", "住所"), False, gettext_lazy("Address."), 300),
    Column(
        "legal_representative",
        ("法定代表人", "负责人"),
        False,
        gettext_lazy("Legal representative."),
        50,
    ),
    Column("phone", ("电话", "联系电话"), False, gettext_lazy("Phone number."), 30),
    Column("employees", ("从业人数", "员工人数"), False, gettext_lazy("Number of employees.")),
)
SITE_COLUMNS = (
    Column("name", ("名称", "场所名称"), True, gettext_lazy("Name."), 200),
    Column(
        "kind",
        ("类型", "场所类型"),
        False,
        gettext_lazy("One of: premises, dwelling, service_point, public (premises if empty)."),
    ),
    Column("region_code", ("区划代码", "所属区划"), True, gettext_lazy("Division code.")),
    Column("address", ("地址",), False, gettext_lazy("Address."), 300),
    Column("lat", ("纬度",), False, gettext_lazy("Latitude (decimal degrees), with longitude.")),
    Column("lon", ("经度",), False, gettext_lazy("Longitude (decimal degrees), with latitude.")),
    Column(
        "organisation_credit_code",
        ("所属单位信用代码",),
        False,
        gettext_lazy("Credit code of the organisation the site belongs to (registered already)."),
    ),
)
COLUMNS_BY_REGISTRY: dict[str, tuple[Column, ...]] = {
    "people": PEOPLE_COLUMNS,
    "organisations": ORGANISATION_COLUMNS,
    "sites": SITE_COLUMNS,
}
# Columns of digit strings, kept as text in the Excel template.
_TEXT_COLUMNS = frozenset(
    {"id_number", "credit_code", "region_code", "phone", "organisation_credit_code"}
)


def import_template_sheets(registry: str) -> list[Sheet]:
    """An empty import file: the header row, and in Excel a second sheet that explains it."""
    columns = COLUMNS_BY_REGISTRY[registry]
    data = Sheet(
        title=registry,
        rows=[[column.key for column in columns]],
        text_columns=[i for i, column in enumerate(columns) if column.key in _TEXT_COLUMNS],
    )
    instructions = Sheet(
        title=_("Instructions"),
        rows=[
            [_("Column"), _("Also accepted as header"), _("Required"), _("What it holds")],
            *[
                [
                    column.key,
                    " / ".join(column.aliases),
                    _("yes") if column.required else _("no"),
                    str(column.help),
                ]
                for column in columns
            ],
        ],
    )
    return [data, instructions]


@dataclass
class _Problems:
    items: list[tuple[int, str]] = field(default_factory=list)

    def add(self, line: int, column: str, reason: str) -> None:
        self.items.append(
            (line, _("%(column)s: %(reason)s") % {"column": column, "reason": reason})
        )

    def refuse_if_any(self) -> None:
        if self.items:
            items = sorted(self.items, key=lambda item: item[0])
            if len(items) > PROBLEMS_LISTED:
                rest = len(items) - PROBLEMS_LISTED
                items = [
                    *items[:PROBLEMS_LISTED],
                    (0, _("… and %(n)d more problems.") % {"n": rest}),
                ]
            raise ImportRefused(items)


@dataclass(frozen=True)
class _Row:
    line: int
    cells: dict[str, object]
    headers: dict[str, str]  # key → the header as written in the file

    def text(self, key: str) -> str:
        return cell_text(self.cells.get(key))


def _check_actor_may_import(actor: User) -> None:
    if not (roles.may_administer(actor) and roles.may_write(actor)):
        raise PermissionDenied(_("Your role may not import into the registries."))


def _normalised(header: str) -> str:
    return header.strip().strip("*").strip().lower()


def _rows(table: Table, columns: Sequence[Column]) -> list[_Row]:
    by_name: dict[str, Column] = {}
    for column in columns:
        for name in (column.key, *column.aliases):
            by_name[_normalised(name)] = column
    problems = _Problems()
    positions: dict[str, int] = {}
    headers: dict[str, str] = {}
    for index, header in enumerate(table.header):
        if not header:
            continue
        found = by_name.get(_normalised(header))
        if found is None:
            problems.add(1, header, _("unknown column"))
        elif found.key in positions:
            problems.add(1, header, _("the column appears twice"))
        else:
            positions[found.key] = index
            headers[found.key] = header
    for column in columns:
        if column.required and column.key not in positions:
            problems.add(1, column.key, _("required column is missing"))
    if not table.rows and not problems.items:
        problems.items.append((2, _("The file has no rows to import.")))
    problems.refuse_if_any()
    return [
        _Row(
            line=line,
            cells={
                key: (cells[index] if index < len(cells) else None)
                for key, index in positions.items()
            },
            headers=headers,
        )
        for line, cells in table.rows
    ]


def _open(*, actor: User, filename: str, content: bytes, columns: Sequence[Column]) -> list[_Row]:
    _check_actor_may_import(actor)
    if len(content) > settings.UPLOAD_MAX_BYTES:
        raise ImportRefused(
            [
                (
                    0,
                    _("The file is larger than %(mb).1f MB.")
                    % {"mb": settings.UPLOAD_MAX_BYTES / 1024 / 1024},
                )
            ]
        )
    table = read_table(filename=filename, content=content, max_rows=IMPORT_MAX_ROWS)
    return _rows(table, columns)


class _RowChecker:
    """Checks of single cells that every registry shares, collecting problems."""

    def __init__(self, actor: User, columns: Sequence[Column], problems: _Problems):
        self.actor = actor
        self.columns = {column.key: column for column in columns}
        self.problems = problems
        self.regions = set(Region.objects.values_list("code", flat=True))

    def header(self, row: _Row, key: str) -> str:
        return row.headers.get(key, key)

    def text(self, row: _Row, key: str) -> str:
        value = row.text(key)
        column = self.columns[key]
        if column.required and not value:
            self.problems.add(row.line, self.header(row, key), _("is empty"))
        elif column.max_length is not None and len(value) > column.max_length:
            self.problems.add(
                row.line,
                self.header(row, key),
                _("is longer than %(n)d characters") % {"n": column.max_length},
            )
        return value

    def region(self, row: _Row) -> str:
        code = row.text("region_code")
        header = self.header(row, "region_code")
        if not code:
            self.problems.add(row.line, header, _("is empty"))
        elif code not in self.regions:
            self.problems.add(row.line, header, _("unknown region code %s") % code)
        elif not code_in_scope(self.actor, code):
            self.problems.add(row.line, header, _("region %s is outside your scope") % code)
        return code

    def number(self, row: _Row, key: str, low: float, high: float) -> float | None:
        raw = row.text(key)
        if not raw:
            return None
        try:
            value = float(raw)
        except ValueError:
            self.problems.add(row.line, self.header(row, key), _("%s is not a number") % raw)
            return None
        if not low <= value <= high:
            self.problems.add(row.line, self.header(row, key), _("%s is out of range") % raw)
            return None
        return value

    def choice(self, row: _Row, key: str, choices: Any, default: str = "") -> str:
        raw = row.text(key)
        if not raw:
            if not default:
                self.problems.add(row.line, self.header(row, key), _("is empty"))
            return default
        wanted = raw.strip().lower()
        for value, label in choices.choices:
            if wanted in (value.lower(), str(label).lower()):
                return str(value)
        self.problems.add(row.line, self.header(row, key), _("unknown kind %s") % raw)
        return ""


def _existing(values: Iterable[str], lookup: Callable[[list[str]], Iterable[str]]) -> set[str]:
    """Which of `values` the database holds already, asked in batches."""
    pending, found = list(values), set[str]()
    for start in range(0, len(pending), 500):
        found.update(lookup(pending[start : start + 500]))
    return found


def _insert(*, actor: User, model: type[M], records: list[M], filename: str) -> int:
    try:
        with transaction.atomic():
            created = model._default_manager.bulk_create(records, batch_size=_BATCH)
            audit_record_bulk_creation(
                actor=actor, instances=created, details={"import": filename[:200]}
            )
    except IntegrityError:
        raise ImportRefused(
            [(0, _("Some records were registered by someone else meanwhile: import again."))]
        ) from None
    return len(created)


def people_import(*, actor: User, filename: str, content: bytes) -> int:
    """Register the people of a file; returns how many. ImportRefused changes nothing."""
    rows = _open(actor=actor, filename=filename, content=content, columns=PEOPLE_COLUMNS)
    problems = _Problems()
    check = _RowChecker(actor, PEOPLE_COLUMNS, problems)
    accepted: list[tuple[_Row, dict[str, Any]]] = []
    lines_by_digest: dict[str, int] = {}
    for row in rows:
        before = len(problems.items)
        name = check.text(row, "name")
        region = check.region(row)
        phone = check.text(row, "phone")
        address = check.text(row, "address")
        raw_id = row.cells.get("id_number")
        header = check.header(row, "id_number")
        fields: dict[str, Any] | None = None
        if isinstance(raw_id, (int, float)):
            problems.add(
                row.line,
                header,
                _(
                    "the ID number is stored as a number, which loses digits: format the column "
                    "as text and type it again"
                ),
            )
        elif not row.text("id_number"):
            problems.add(row.line, header, _("is empty"))
        else:
            try:
                fields = person_fields_from_id(row.text("id_number"))
            except ValidationError as exc:
                for message in exc.messages:
                    problems.add(row.line, header, message)
        if fields is not None:
            first = lines_by_digest.setdefault(fields["id_digest"], row.line)
            if first != row.line:
                problems.add(row.line, header, _("the same ID number is on line %d") % first)
        if fields is not None and len(problems.items) == before:
            accepted.append(
                (
                    row,
                    {
                        "name": name,
                        "region_id": region,
                        "phone": phone,
                        "address": address,
                        **fields,
                    },
                )
            )
    registered = _existing(
        lines_by_digest,
        lambda chunk: Person.objects.filter(id_digest__in=chunk).values_list(
            "id_digest", flat=True
        ),
    )
    for digest in registered:
        problems.add(
            lines_by_digest[digest],
            _("ID number"),
            _("a person with this ID number is registered already"),
        )
    problems.refuse_if_any()
    records = [Person(**values) for _row, values in accepted]
    return _insert(actor=actor, model=Person, records=records, filename=filename)


def organisations_import(*, actor: User, filename: str, content: bytes) -> int:
    """Register the organisations of a file; returns how many. ImportRefused changes nothing."""
    rows = _open(actor=actor, filename=filename, content=content, columns=ORGANISATION_COLUMNS)
    problems = _Problems()
    check = _RowChecker(actor, ORGANISATION_COLUMNS, problems)
    records: list[Organisation] = []
    lines_by_code: dict[str, int] = {}
    for row in rows:
        kind = check.choice(row, "kind", Organisation.Kind)
        header = check.header(row, "credit_code")
        code: str | None = None
        if row.text("credit_code"):
            try:
                code = validate_credit_code(row.text("credit_code"))
            except ValidationError as exc:
                for message in exc.messages:
                    problems.add(row.line, header, message)
        elif kind and kind not in KINDS_WITHOUT_CREDIT_CODE:
            problems.add(row.line, header, _("a credit code is required for this kind"))
        if code is not None:
            first = lines_by_code.setdefault(code, row.line)
            if first != row.line:
                problems.add(row.line, header, _("the same credit code is on line %d") % first)
        employees: int | None = None
        raw_employees = row.text("employees")
        if raw_employees:
            if raw_employees.isdigit():
                employees = int(raw_employees)
            else:
                problems.add(
                    row.line,
                    check.header(row, "employees"),
                    _("%s is not a whole number") % raw_employees,
                )
        records.append(
            Organisation(
                name=check.text(row, "name"),
                kind=kind,
                credit_code=code,
                region_id=check.region(row),
                industry=check.text(row, "industry"),
                address=check.text(row, "address"),
                legal_representative=check.text(row, "legal_representative"),
                phone=check.text(row, "phone"),
                employees=employees,
            )
        )
    registered = _existing(
        lines_by_code,
        lambda chunk: [
            code
            for code in Organisation.objects.filter(credit_code__in=chunk).values_list(
                "credit_code", flat=True
            )
            if code
        ],
    )
    for code in registered:
        problems.add(
            lines_by_code[code],
            _("credit code"),
            _("an organisation with this credit code is registered already"),
        )
    problems.refuse_if_any()
    return _insert(actor=actor, model=Organisation, records=records, filename=filename)


def sites_import(*, actor: User, filename: str, content: bytes) -> int:
    """Register the sites of a file; returns how many. A site that has the same name and
    address in the same region as another is a duplicate. ImportRefused changes nothing."""
    rows = _open(actor=actor, filename=filename, content=content, columns=SITE_COLUMNS)
    problems = _Problems()
    check = _RowChecker(actor, SITE_COLUMNS, problems)
    wanted_codes = {row.text("organisation_credit_code").upper() for row in rows} - {""}
    organisations = {
        org.credit_code: org
        for org in Organisation.objects.filter(credit_code__in=wanted_codes).only(
            "pk", "credit_code", "region_id"
        )
        if org.credit_code and code_in_scope(actor, org.region_id)
    }
    records: list[Site] = []
    lines_by_key: dict[tuple[str, str, str], int] = {}
    for row in rows:
        name = check.text(row, "name")
        region = check.region(row)
        address = check.text(row, "address")
        lat = check.number(row, "lat", -90, 90)
        lon = check.number(row, "lon", -180, 180)
        if (row.text("lat") == "") != (row.text("lon") == ""):
            problems.add(
                row.line,
                check.header(row, "lat"),
                _("give both latitude and longitude, or neither"),
            )
        organisation = None
        org_code = row.text("organisation_credit_code").upper()
        if org_code:
            organisation = organisations.get(org_code)
            if organisation is None:
                problems.add(
                    row.line,
                    check.header(row, "organisation_credit_code"),
                    _("no organisation with credit code %s in your scope") % org_code,
                )
        key = (region, name, address)
        first = lines_by_key.setdefault(key, row.line)
        if first != row.line:
            problems.add(
                row.line, check.header(row, "name"), _("the same site is on line %d") % first
            )
        records.append(
            Site(
                name=name,
                kind=check.choice(row, "kind", Site.Kind, default=Site.Kind.PREMISES),
                region_id=region,
                address=address,
                lat=lat,
                lon=lon,
                organisation=organisation,
                qr_token=Site.new_qr_token(),
            )
        )
    names = sorted({name for _region, name, _address in lines_by_key})
    registered: set[tuple[str, str, str]] = set()
    for start in range(0, len(names), 500):
        registered.update(
            Site.objects.filter(name__in=names[start : start + 500]).values_list(
                "region_id", "name", "address"
            )
        )
    for key in sorted(registered & lines_by_key.keys(), key=lines_by_key.__getitem__):
        problems.add(lines_by_key[key], _("name"), _("this site is registered already"))
    problems.refuse_if_any()
    return _insert(actor=actor, model=Site, records=records, filename=filename)


IMPORTERS: dict[str, Callable[..., int]] = {
    "people": people_import,
    "organisations": organisations_import,
    "sites": sites_import,
}
