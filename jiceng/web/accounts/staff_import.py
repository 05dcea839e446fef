"""Importing staff accounts from an Excel (or CSV) sheet, all or nothing.

Columns: username, display name, region code, roles (separated by commas or 、; codes such as
`window_clerk` or their names such as 窗口人员), and optionally the code of the hall service point
or gas station the person works at. Every row is checked first (the importer's right to grant
the roles and region included); a file with any problem is refused whole, naming each row and
field, and nothing is written. Each account gets a temporary password, returned once, to be
changed at first sign-in. Rows are created one by one so that each lands in the audit trail.

It lives in the web layer because a row may bind the account to a hall point or a gas station,
and only this layer sees the core and both modules (see workplaces.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiceng.core import access
from jiceng.core.models import Region, Role, User
from jiceng.core.scope import code_in_scope
from jiceng.core.services.accounts import as_actor, new_temporary_password, user_create
from jiceng.core.services.regions import ImportRefused
from jiceng.core.services.registry_io import PROBLEMS_LISTED, Column
from jiceng.core.spreadsheets import Sheet, cell_text, read_table
from jiceng.gas.models import Station
from jiceng.hall.models import ServicePoint
from jiceng.web.accounts.workplaces import resolve_points, resolve_stations

STAFF_IMPORT_MAX_ROWS = 5000
STAFF_COLUMNS = (
    Column("username", ("用户名", "账号"), True, gettext_lazy("Sign-in name."), 150),
    Column("display_name", ("姓名", "显示名称"), False, gettext_lazy("Full name."), 100),
    Column(
        "region_code",
        ("区划代码", "所属区划"),
        True,
        gettext_lazy("Division code of the user's region (their scope)."),
    ),
    Column(
        "roles",
        ("角色",),
        True,
        gettext_lazy("Roles, separated by commas or 、: codes (window_clerk) or names (窗口人员)."),
    ),
    Column("point_code", ("服务网点编码",), False, gettext_lazy("Hall service point code."), 40),
    Column("station_code", ("燃气站编码",), False, gettext_lazy("Gas station code."), 30),
)
_PLACES: tuple[tuple[str, Callable[..., Sequence[ServicePoint | Station]]], ...] = (
    ("point_code", resolve_points),
    ("station_code", resolve_stations),
)
_ROLE_SEPARATORS = re.compile(r"[,，、;；]+")


@dataclass(frozen=True)
class ImportedUser:
    username: str
    password: str


def _role_names() -> dict[str, str]:
    """Each role by its code and by its name in every language of the interface."""
    names = {value.lower(): value for value in Role.values}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            for value, label in Role.choices:
                names[str(label).lower()] = value
    return names


def parse_roles(text: str) -> tuple[list[str], list[str]]:
    """(the roles found, the words that name no role)."""
    names = _role_names()
    found, unknown = [], []
    for word in (w.strip() for w in _ROLE_SEPARATORS.split(text)):
        if not word:
            continue
        role = names.get(word.lower())
        if role is None:
            unknown.append(word)
        elif role not in found:
            found.append(role)
    return found, unknown


def import_template_sheets() -> list[Sheet]:
    data = Sheet(
        title="staff",
        rows=[
            [c.key for c in STAFF_COLUMNS],
            ["zhang.san", "张三", "330483001", "window_clerk", "", ""],
        ],
        text_columns=range(len(STAFF_COLUMNS)),
    )
    instructions = Sheet(
        title=_("Instructions"),
        rows=[
            [_("Column"), _("Required"), _("What it holds")],
            *[[c.key, _("yes") if c.required else _("no"), str(c.help)] for c in STAFF_COLUMNS],
        ],
    )
    return [data, instructions]


def _header_map(header: list[str]) -> dict[str, int]:
    where: dict[str, int] = {}
    for index, title in enumerate(header):
        title = title.strip()
        for column in STAFF_COLUMNS:
            if title.lower() == column.key or title in column.aliases:
                where.setdefault(column.key, index)
    return where


def _message(exc: ValidationError | PermissionDenied) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


def staff_import(*, actor: User | None, filename: str, content: bytes) -> list[ImportedUser]:
    """Create every account of the file, or none (ImportRefused names each row and field)."""
    table = read_table(filename=filename, content=content, max_rows=STAFF_IMPORT_MAX_ROWS)
    where = _header_map(table.header)
    missing = [c.key for c in STAFF_COLUMNS if c.required and c.key not in where]
    if missing:
        raise ImportRefused([(1, _("missing columns: %s") % ", ".join(missing))])
    problems: list[tuple[int, str]] = []
    rows: list[tuple[int, dict[str, str], list[str]]] = []
    seen: set[str] = set()
    existing = {u.lower() for u in User.objects.values_list("username", flat=True)}

    def problem(line: int, field: str, reason: str) -> None:
        problems.append((line, f"{field}: {reason}"))

    for line, cells in table.rows:
        values = {
            c.key: cell_text(cells[where[c.key]])
            if c.key in where and where[c.key] < len(cells)
            else ""
            for c in STAFF_COLUMNS
        }
        before = len(problems)
        for column in STAFF_COLUMNS:
            value = values[column.key]
            if column.required and not value:
                problem(line, column.key, _("empty"))
            elif column.max_length and len(value) > column.max_length:
                problem(line, column.key, _("longer than %d characters") % column.max_length)
        username = values["username"]
        if username and username.lower() in seen:
            problem(line, "username", _("%s appears twice in the file") % username)
        elif username and username.lower() in existing:
            problem(line, "username", _("%s exists already") % username)
        seen.add(username.lower())
        roles, unknown = parse_roles(values["roles"])
        if unknown:
            problem(line, "roles", _("unknown role: %s") % ", ".join(unknown))
        region = Region.objects.filter(code=values["region_code"]).first()
        if values["region_code"] and region is None:
            problem(line, "region_code", _("unknown region code %s") % values["region_code"])
        if region is not None and roles and actor is not None:
            try:
                access.check_grant(actor, role_codes=roles, region=region)
            except PermissionDenied as exc:
                field = "region_code" if not code_in_scope(actor, region.code) else "roles"
                problem(line, field, str(exc))
        if region is not None and len(problems) == before:
            holder = User(region=region)  # an unsaved stand-in whose scope is the row's region
            for key, resolve in _PLACES:
                if values[key]:
                    try:
                        resolve(holder, [values[key]], key)
                    except ValidationError as exc:
                        problem(line, key, _message(exc))
        if len(problems) == before:
            rows.append((line, values, roles))
        if len(problems) >= PROBLEMS_LISTED:
            break
    if problems:
        raise ImportRefused(problems)

    def write() -> list[ImportedUser]:
        created: list[ImportedUser] = []
        with transaction.atomic():
            for line, values, roles in rows:
                password = new_temporary_password()
                try:
                    user = user_create(
                        actor=actor,
                        username=values["username"],
                        password=password,
                        must_change_password=True,
                        region_code=values["region_code"],
                        roles=roles,
                        display_name=values["display_name"],
                    )
                except (ValidationError, PermissionDenied) as exc:
                    raise ImportRefused([(line, _message(exc))]) from None
                for key, resolve in _PLACES:
                    if values[key]:
                        place = resolve(user, [values[key]], key)[0]
                        place.staff.add(user)
                created.append(ImportedUser(username=user.username, password=password))
        return created

    return as_actor(actor, write)
