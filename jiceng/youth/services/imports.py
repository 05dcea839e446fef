"""Importing young people from a spreadsheet (.xlsx or .csv): all or nothing, with a report of
every bad row. The page is jiceng/web/imports.py's `import_page` with `talents_import` as the
importer (`lambda filename, content: talents_import(actor=user, filename=filename,
content=content)`).

Columns (the header row names them, in English or Chinese, in any order):
name 姓名, id_number 身份证号, region 村社区代码, education 学历, background 身份类别; optional
skills 特长, phone 电话, tags 标签 (致富带头人, 村委委员; separated by 、 , or ;).
Education and background are given by code or by their Chinese name (本科, 返乡大学生 …)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jiceng.core import identity_vault
from jiceng.core.identifiers import validate_resident_id
from jiceng.core.services.regions import ImportRefused
from jiceng.core.spreadsheets import cell_text, read_table
from jiceng.youth import access
from jiceng.youth.models import Background, Education
from jiceng.youth.services.talents import talent_register, village_region

if TYPE_CHECKING:
    from jiceng.core.models import User

MAX_ROWS = 5_000
MAX_PROBLEMS = 100
HEADERS = {
    "name": "name", "姓名": "name",
    "id_number": "id_number", "身份证号": "id_number", "身份证号码": "id_number",
    "region": "region", "村社区代码": "region", "区划代码": "region",
    "education": "education", "学历": "education",
    "background": "background", "身份类别": "background", "类别": "background",
    "skills": "skills", "特长": "skills",
    "phone": "phone", "电话": "phone",
    "tags": "tags", "标签": "tags",
}  # fmt: skip
REQUIRED = ("name", "id_number", "region", "education", "background")
EDUCATION_NAMES = {
    "小学": "primary", "初中": "junior_high", "高中": "high_school", "中专": "vocational",
    "职高": "vocational", "大专": "college", "本科": "bachelor", "硕士": "master",
    "研究生": "master", "博士": "doctor",
}  # fmt: skip
BACKGROUND_NAMES = {
    "返乡大学生": "returned_graduate", "村民": "villager", "企业员工": "enterprise_staff",
    "退役军人": "veteran",
}  # fmt: skip
TAG_NAMES = {
    "致富带头人": "wealth_leader", "wealth_leader": "wealth_leader",
    "村委委员": "committee_member", "committee_member": "committee_member",
}  # fmt: skip


@dataclass(frozen=True)
class _Row:
    line: int
    values: dict[str, str]
    tags: frozenset[str]


def _split_tags(text: str) -> list[str]:
    for separator in ("、", ",", "，", ";", "；"):
        text = text.replace(separator, " ")
    return [t for t in text.split() if t]


def talents_import(*, actor: User | None, filename: str, content: bytes) -> int:
    """Check every row, then register them all in one transaction; returns how many. Raises
    ImportRefused listing (line, reason) for every bad row, with nothing stored."""
    table = read_table(filename=filename, content=content, max_rows=MAX_ROWS)
    columns = {HEADERS.get(h.strip().lower(), HEADERS.get(h.strip(), "")): i
               for i, h in enumerate(table.header)}  # fmt: skip
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise ImportRefused([(1, _("The header row lacks the columns: %s") % ", ".join(missing))])
    problems: list[tuple[int, str]] = []
    rows: list[_Row] = []
    seen: dict[str, int] = {}
    for line, cells in table.rows:
        values = {
            key: cell_text(cells[i]) if i < len(cells) else "" for key, i in columns.items() if key
        }
        values["education"] = EDUCATION_NAMES.get(values["education"], values["education"])
        values["background"] = BACKGROUND_NAMES.get(values["background"], values["background"])
        tags = _split_tags(values.get("tags", ""))
        unknown = [t for t in tags if t not in TAG_NAMES]
        problem = ""
        if not values["name"]:
            problem = _("the name is missing")
        elif values["education"] not in Education.values:
            problem = _("unknown education: %s") % values["education"]
        elif values["background"] not in Background.values:
            problem = _("unknown background: %s") % values["background"]
        elif unknown:
            problem = _("unknown tag: %s") % unknown[0]
        else:
            digest = identity_vault.digest(values["id_number"])
            if digest in seen:
                problem = _("the ID number repeats row %d") % seen[digest]
            seen.setdefault(digest, line)
        if not problem:
            try:
                validate_resident_id(values["id_number"])
                region = village_region(values["region"])
                if actor is not None and not access.may_register(actor, region.code):
                    problem = _("region %s is outside your scope") % region.code
            except ValidationError as exc:
                problem = "; ".join(exc.messages)
        if problem:
            problems.append((line, problem))
        else:
            rows.append(_Row(line, values, frozenset(TAG_NAMES[t] for t in tags)))
        if len(problems) >= MAX_PROBLEMS:
            break
    if not problems and not rows:
        raise ImportRefused([(1, _("The file holds no people."))])
    registered = 0
    if not problems:
        try:
            with transaction.atomic():
                for row in rows:
                    try:
                        talent_register(
                            actor=actor,
                            name=row.values["name"],
                            id_number=row.values["id_number"],
                            region_code=row.values["region"],
                            education=row.values["education"],
                            background=row.values["background"],
                            skills=row.values.get("skills", ""),
                            phone=row.values.get("phone", ""),
                            wealth_leader="wealth_leader" in row.tags,
                            committee_member="committee_member" in row.tags,
                        )
                        registered += 1
                    except (ValidationError, PermissionDenied) as exc:
                        messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
                        problems.append((row.line, "; ".join(messages)))
                if problems:
                    raise _Undo
        except _Undo:
            pass
    if problems:
        raise ImportRefused(problems[:MAX_PROBLEMS])
    return registered


class _Undo(Exception):
    """Leaves the import's transaction so that nothing of a refused file stays."""
