"""A young person's volunteer service record certificate (志愿服务记录证明), printed through the
documents engine. 民政部令第67号《志愿服务记录与证明出具办法(试行)》 (from 1 February 2021): whoever
organises the service records it, and whoever records it certifies it; a certificate states the
volunteer's personal information and the services, with their dates, content and hours. So
each row names the platform and the organiser who recorded (and so certified) the hours, and the
total and star level come from the same records (`jiceng.youth.selectors`). The ID number is
printed masked: the certificate is handed to its holder and to whoever they show it to."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from jiceng.documents.content import Block, Cell, Document, Heading, Paragraph, Table
from jiceng.documents.render import render_pdf
from jiceng.youth.selectors import star_level, volunteer_record

if TYPE_CHECKING:
    from jiceng.youth.models import Talent


def hours_text(hours: Decimal) -> str:
    return f"{hours:.1f}"


def certificate_document(talent: Talent, *, today: date) -> Document:
    """The certificate of `talent`'s volunteer service recorded up to `today`."""
    person = talent.person
    records = [p for p in volunteer_record(talent) if p.activity.on <= today]
    total = sum((p.hours for p in records), Decimal(0))
    stars = star_level(total)
    rows = tuple(
        (
            Cell(p.activity.on.isoformat()),
            Cell(p.activity.name),
            Cell(p.activity.platform.name),
            Cell(hours_text(p.hours), numeric=True),
            Cell(_recorder(p.activity.recorded_by)),
        )
        for p in sorted(records, key=lambda p: (p.activity.on, p.activity_id))
    )
    summary_note = _("%(stars)d of 5 stars") % {"stars": stars}
    blocks: list[Block] = [
        Heading(_("Volunteer")),
        Table(
            columns=(_("Name"), _("ID number"), _("Village or community")),
            rows=((Cell(person.name), Cell(person.id_masked), Cell(talent.region.name)),),
            widths=(2, 3, 3),
        ),
        Heading(_("Services recorded")),
        Table(
            columns=(_("Date"), _("Service"), _("Platform"), _("Hours"), _("Recorded by")),
            rows=rows
            or ((Cell(_("No service recorded.")), Cell(""), Cell(""), Cell(""), Cell("")),),
            widths=(2, 5, 4, 1, 2),
        ),
        Table(
            columns=(_("Total hours"), _("Services"), _("Star level")),
            rows=(
                (
                    Cell(hours_text(total), numeric=True),
                    Cell(str(len(records)), numeric=True),
                    Cell("★" * stars if stars else "—"),
                ),
            ),
            caption=summary_note,
        ),
        Paragraph(
            _(
                "Each service was recorded, and so certified, by the organiser of its platform "
                "(民政部令第67号《志愿服务记录与证明出具办法(试行)》: whoever organises records, "
                "whoever records certifies)."
            )
        ),
        Paragraph(_("Issued on %(day)s.") % {"day": today.isoformat()}),
    ]
    return Document(
        title=_("Volunteer service record certificate"),
        subtitle=f"{person.name} · {talent.region.name}",
        blocks=tuple(blocks),
        footer=_("Volunteer service record certificate of %(name)s") % {"name": person.name},
    )


def _recorder(user: object) -> str:
    if user is None:
        return ""
    return str(getattr(user, "display_name", "") or getattr(user, "username", ""))


def certificate_pdf(talent: Talent, *, today: date) -> bytes:
    return render_pdf(certificate_document(talent, today=today))
