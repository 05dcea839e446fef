"""The annual responsibility report (责任彩票报告) of a year, built from the records: its chapters
follow the content areas of the responsibility guide (中国福利彩票责任彩票工作指南) that the
records speak to, and every figure links to the page listing the records it sums (`links`).
The page (web/lottery) shows the same `Report`; `report_pdf` prints it through the documents
engine."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from jiceng.core.scope import scope_queryset
from jiceng.documents.content import (
    Bar,
    BarChart,
    Block,
    Cell,
    Document,
    Heading,
    Paragraph,
    Table,
)
from jiceng.documents.render import render_pdf
from jiceng.lottery.models import PublicityActivity, SalesStaff, Supervisor, SupervisorVisit
from jiceng.lottery.selectors import Report, annual_report, year_bounds

if TYPE_CHECKING:
    from jiceng.core.models import User


def link(name: str, **params: object) -> str:
    """The address of a page of records (web/lottery), with its filters."""
    try:
        path = reverse(f"lottery-{name}")
    except NoReverseMatch:
        return ""
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return f"{path}?{query}" if query else path


def yuan(value: Decimal) -> str:
    return f"{value:,.2f}"


def percent(share: Decimal) -> str:
    return f"{share * 100:.2f}%"


def report_document(user: User | None, report: Report) -> Document:
    year = report.year
    ledger = report.ledger
    start, end = year_bounds(year)
    blocks: list[Block] = []
    blocks.append(Heading(_("Chapter 1. Sales and the welfare fund")))
    blocks.append(
        Paragraph(
            _(
                "In %(year)d the outlets sold %(sales)s yuan of welfare lottery, raising %(fund)s "
                "yuan for the welfare fund; %(tax)s yuan of income tax was withheld on prizes; "
                "%(jobs)d people worked at %(outlets)d outlets at the year's end."
            )
            % {
                "year": year,
                "sales": yuan(ledger.sales),
                "fund": yuan(ledger.fund_raised),
                "tax": yuan(ledger.tax_withheld),
                "jobs": report.jobs,
                "outlets": report.outlets_open,
            }
        )
    )
    summary_rows = (
        (Cell(_("Sales")), Cell(yuan(ledger.sales), link("sales", year=year), numeric=True)),
        (
            Cell(_("Fund raised")),
            Cell(yuan(ledger.fund_raised), link("sales", year=year), numeric=True),
        ),
        (Cell(_("Central half")), Cell(yuan(ledger.central), link("fund", year=year), True)),
        (Cell(_("Local half")), Cell(yuan(ledger.local), link("fund", year=year), True)),
        (
            Cell(_("Unclaimed prizes to the local fund")),
            Cell(yuan(ledger.unclaimed), link("fund", year=year), True),
        ),
        (
            Cell(_("Tax withheld")),
            Cell(yuan(ledger.tax_withheld), link("prizes", year=year, taxed=1), True),
        ),
        (
            Cell(_("Jobs at the year's end")),
            Cell(str(report.jobs), link("outlets", open_on=date(year, 12, 31).isoformat()), True),
        ),
    )
    blocks.append(
        Table(columns=(_("Figure"), _("Amount (yuan)")), rows=summary_rows, widths=(3, 2))
    )
    blocks.append(
        Table(
            caption=_("Sales and fund raised by game"),
            columns=(_("Game"), _("Sales (yuan)"), _("Fund raised (yuan)")),
            rows=tuple(
                (
                    Cell(line.game.name),
                    Cell(yuan(line.sales), link("sales", year=year, game=line.game.code), True),
                    Cell(
                        yuan(line.fund_raised),
                        link("sales", year=year, game=line.game.code),
                        True,
                    ),
                )
                for line in ledger.by_game
                if line.sales
            ),
            widths=(2, 3, 3),
        )
    )
    blocks.append(
        BarChart(
            title=_("Sales by game"),
            unit=_("yuan"),
            bars=tuple(
                Bar(line.game.name, line.sales, link("sales", year=year, game=line.game.code))
                for line in ledger.by_game
                if line.sales
            ),
        )
    )
    blocks.append(
        BarChart(
            title=_("Sales by month"),
            unit=_("yuan"),
            bars=tuple(
                Bar(
                    _("Month %(month)d") % {"month": month},
                    total,
                    link("sales", year=year, month=month),
                )
                for month, total in report.by_month
            ),
        )
    )
    if ledger.unverified_games:
        blocks.append(
            Paragraph(
                _("The splits of %(games)s are not verified against an official source.")
                % {"games": "、".join(ledger.unverified_games)}
            )
        )
    blocks.append(Heading(_("Chapter 2. Public welfare: the fund used")))
    blocks.append(
        Paragraph(
            _("In %(year)d %(used)s yuan of the fund was used on %(projects)d projects.")
            % {"year": year, "used": yuan(report.fund_used), "projects": report.projects}
        )
    )
    blocks.append(
        Table(
            caption=_("Fund used by category"),
            columns=(_("Category"), _("Projects"), _("Amount (yuan)"), _("Share")),
            rows=(
                *tuple(
                    (
                        Cell(line.label),
                        Cell(
                            str(line.projects),
                            link("grants", year=year, category=line.category),
                            True,
                        ),
                        Cell(
                            yuan(line.amount),
                            link("grants", year=year, category=line.category),
                            True,
                        ),
                        Cell(percent(line.share), numeric=True),
                    )
                    for line in report.by_category
                ),
                (
                    Cell(_("Total")),
                    Cell(str(report.projects), link("grants", year=year), True),
                    Cell(yuan(report.fund_used), link("grants", year=year), True),
                    Cell("100.00%" if report.fund_used else "", numeric=True),
                ),
            ),
            widths=(3, 2, 3, 2),
        )
    )
    blocks.append(
        BarChart(
            title=_("Fund used by category"),
            unit=_("yuan"),
            bars=tuple(
                Bar(line.label, line.amount, link("grants", year=year, category=line.category))
                for line in report.by_category
            ),
        )
    )
    if report.by_region:
        blocks.append(
            Table(
                caption=_("Fund used by region"),
                columns=(_("Region"), _("Amount (yuan)")),
                rows=tuple(
                    (Cell(name), Cell(yuan(amount), link("grants", year=year, region=code), True))
                    for code, name, amount in report.by_region
                ),
                widths=(3, 2),
            )
        )
    blocks.append(Heading(_("Chapter 3. Responsibility work")))
    blocks.extend(_responsibility(user, year, start, end))
    return Document(
        title=_("%(year)d Welfare Lottery Responsibility Report") % {"year": year},
        subtitle=_("Generated from the records"),
        footer=_("Welfare lottery responsibility report %(year)d") % {"year": year},
        blocks=tuple(blocks),
    )


def _responsibility(user: User | None, year: int, start: date, end: date) -> list[Block]:
    def scoped(qs: QuerySet[Any]) -> QuerySet[Any]:
        return qs if user is None else scope_queryset(qs, user)

    supervisors = scoped(Supervisor.objects.filter(appointed_on__gte=start, appointed_on__lt=end))
    visits = scoped(SupervisorVisit.objects.filter(visited_on__gte=start, visited_on__lt=end))
    pledged = scoped(
        SalesStaff.objects.filter(pledge_signed_on__gte=start, pledge_signed_on__lt=end)
    )
    activities = scoped(PublicityActivity.objects.filter(held_on__gte=start, held_on__lt=end))
    rows = (
        (
            Cell(_("Conduct supervisors appointed")),
            Cell(str(supervisors.count()), link("responsibility", year=year), True),
        ),
        (
            Cell(_("Supervisor visits")),
            Cell(str(visits.count()), link("responsibility", year=year), True),
        ),
        (
            Cell(_("Sales staff who signed the responsibility pledge")),
            Cell(str(pledged.count()), link("responsibility", year=year), True),
        ),
        (
            Cell(_("Publicity month activities")),
            Cell(str(activities.count()), link("responsibility", year=year), True),
        ),
    )
    blocks: list[Block] = [Table(columns=(_("Work"), _("Count")), rows=rows, widths=(4, 1))]
    for activity in activities.order_by("held_on")[:20]:
        blocks.append(
            Paragraph(
                f"{activity.held_on:%Y-%m-%d} {activity.get_kind_display()}：{activity.title}"
            )
        )
    return blocks


def report_pdf(user: User | None, year: int, *, base_url: str = "") -> bytes:
    report = annual_report(user, year)
    return render_pdf(report_document(user, report), base_url=base_url)
