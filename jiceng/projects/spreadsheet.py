"""Projects to and from a spreadsheet (Excel or CSV): the export's columns are the import's."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jiceng.core.services.regions import ImportRefused
from jiceng.core.spreadsheets import cell_text, read_table
from jiceng.projects.models import Kind, Project, Stage
from jiceng.projects.services import project_create

if TYPE_CHECKING:
    from jiceng.core.models import User

COLUMNS = ("name", "stage", "region", "kind", "owner_enterprise", "planned_investment",
           "start_target", "production_target")  # fmt: skip
MAX_ROWS = 2000


def export_rows(projects: Iterable[Project]) -> Iterator[tuple[object, ...]]:
    yield COLUMNS
    for p in projects:
        yield (
            p.name,
            p.stage,
            p.region_id,
            p.kind,
            p.owner_enterprise,
            p.planned_investment,
            p.start_target,
            p.production_target,
        )


def _date(text: str, line: int, column: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise ImportRefused([(line, _("%s: a date as YYYY-MM-DD") % column)]) from None


def projects_import(*, actor: User, filename: str, content: bytes) -> int:
    """Create the file's projects (the export's columns; stage and kind by code), all or none:
    a refused row refuses the file, naming its line and the reason."""
    table = read_table(filename=filename, content=content, max_rows=MAX_ROWS)
    missing = [c for c in ("name", "stage", "region", "kind") if c not in table.header]
    if missing:
        raise ImportRefused([(1, _("Missing columns: %s") % ", ".join(missing))])
    at = {name: table.header.index(name) for name in COLUMNS if name in table.header}
    problems: list[tuple[int, str]] = []
    created = 0
    with transaction.atomic():
        for line, cells in table.rows:

            def value(column: str, cells: list[object] = cells) -> str:
                i = at.get(column)
                return cell_text(cells[i]).strip() if i is not None and i < len(cells) else ""

            try:
                if value("stage") not in Stage.values or value("kind") not in Kind.values:
                    raise ValidationError(_("stage and kind are codes (planning…, industrial…)"))
                try:
                    investment = Decimal(value("planned_investment") or "0")
                except InvalidOperation:
                    raise ValidationError(_("planned_investment: a number")) from None
                project_create(
                    actor=actor,
                    name=value("name"),
                    stage=value("stage"),
                    region_code=value("region"),
                    kind=value("kind"),
                    owner_enterprise=value("owner_enterprise"),
                    planned_investment=investment,
                    start_target=_date(value("start_target"), line, "start_target"),
                    production_target=_date(value("production_target"), line, "production_target"),
                )
                created += 1
            except ImportRefused as refused:
                problems.extend(refused.problems)
            except (ValidationError, PermissionDenied) as error:
                reason = "; ".join(getattr(error, "messages", [str(error)]))
                problems.append((line, reason))
        if problems:
            transaction.set_rollback(True)
    if problems:
        raise ImportRefused(problems)
    return created
