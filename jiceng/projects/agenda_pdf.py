"""The weekly meeting's agenda as a printable PDF (the documents engine)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from jiceng.documents.content import Block, Cell, Document, Heading, Paragraph, Table
from jiceng.documents.render import render_pdf


def _table(columns: tuple[str, ...], rows: list[tuple[str, ...]]) -> Block:
    if not rows:
        return Paragraph(_("None"))
    return Table(columns=columns, rows=tuple(tuple(Cell(v) for v in row) for row in rows))


def agenda_document(agenda: dict[str, Any]) -> Document:
    """Milestones that slipped or must start this week, problems past their deadline, last
    week's decisions (from `selectors.meeting_agenda`)."""
    day = agenda["date"].isoformat()
    milestone_columns = (
        _("Project"),
        _("Milestone"),
        pgettext("schedule", "Late start"),
        pgettext("schedule", "Late finish"),
    )

    def milestone_rows(pairs: list[tuple[Any, dict[str, Any]]]) -> list[tuple[str, ...]]:
        return [(p.name, m["name"], str(m["late_start"]), str(m["late_finish"])) for p, m in pairs]

    blocks: list[Block] = [
        Heading(_("1. Milestones that slipped (late start passed)"), level=2),
        _table(milestone_columns, milestone_rows(agenda["slipped"])),
        Heading(_("2. Milestones that must start this week"), level=2),
        _table(milestone_columns, milestone_rows(agenda["must_start"])),
        Heading(_("3. Problems past their deadline"), level=2),
        _table(
            (_("Project"), _("Problem"), _("Case"), _("Task-force member")),
            [
                (
                    p.project.name,
                    p.title,
                    p.case.number,
                    p.member.username if p.member else "",
                )
                for p in agenda["overdue_problems"]
            ],
        ),
        Heading(_("4. Last week's decisions"), level=2),
        _table(
            (_("Decision"), _("Assignee"), _("Due on"), _("Done")),
            [
                (
                    d.text,
                    d.assignee.username if d.assignee else "",
                    str(d.due_on),
                    str(d.done_on or ""),
                )
                for d in agenda["last_decisions"]
            ],
        ),
    ]
    return Document(
        title=_("Project dispatch meeting: agenda of %(date)s") % {"date": day},
        footer=_("Key projects · weekly meeting %(date)s") % {"date": day},
        blocks=tuple(blocks),
    )


def agenda_pdf(agenda: dict[str, Any]) -> bytes:
    return render_pdf(agenda_document(agenda))
