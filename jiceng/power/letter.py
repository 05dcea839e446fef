"""The advice letter (节能降耗建议书) of an enterprise's plan (一企一策), as a jiceng.documents
`Document` printed by the documents engine (Chinese PDF, fonts embedded, text selectable).

What it says, in order: the enterprise and its meters; its load on a typical day by tariff period,
now and as planned, with what each period costs; the measures (each machine's current and planned
run) and what they save per day and per summer, the peak load removed and the energy moved after
23:00; the day's load curve now and as planned against the tariff's periods; and on what the
figures rest (the tariff version and its confidence, the typical days, the flat price).

It is built from `selectors.plan_page` (the latest saved version of the plan), so it says what
the page shows; without a saved plan there is no letter."""

from __future__ import annotations

from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from jiceng.documents.content import (
    Band,
    Block,
    Cell,
    Document,
    Heading,
    LineChart,
    Paragraph,
    Series,
    Table,
)
from jiceng.documents.render import render_pdf
from jiceng.power.figures import LABELS, period_bands, plan_periods
from jiceng.power.models import Category, DayType

# Period shading behind the curves: warm for the dear periods, cool for the cheap ones.
BAND_COLOURS = {
    "sharp": (250, 215, 210),
    "peak": (253, 235, 208),
    "flat": (240, 240, 240),
    "valley": (218, 234, 248),
    "deep_valley": (196, 220, 244),
}
CURRENT_COLOUR = (196, 40, 40)
PLANNED_COLOUR = (30, 90, 170)


def yuan(value: Any) -> str:
    return f"{float(value):,.2f}"


def kwh(value: Any) -> str:
    return f"{float(value):,.1f}"


def letter_document(page: dict[str, Any]) -> Document:
    """The letter of the plan in `page` (selectors.plan_page); ValueError without a plan."""
    plan = page["plan"]
    if plan is None:
        raise ValueError("no saved plan")
    enterprise = page["enterprise"]
    schedule: dict[str, Any] = plan.schedule
    day_type = str(DayType(plan.day_type).label)
    blocks: list[Block] = [
        Paragraph(
            _(
                "To %(name)s: following the county's summer peak-load work (迎峰度夏), we have "
                "studied your load on a typical %(day_type)s and the time-of-use tariff, and "
                "advise the following changes to when your machines run. They keep your "
                "output and lower your electricity bill and the grid's peak."
            )
            % {"name": enterprise.name, "day_type": day_type}
        ),
        Heading(_("1. The enterprise")),
        _enterprise_table(page),
        Heading(_("2. Its load by tariff period")),
        _periods_table(schedule),
        Heading(_("3. The measures and their savings")),
        Paragraph(
            _(
                "The plan saves %(day)s yuan on a %(day_type)s and about %(summer)s yuan over "
                "the summer; it lowers the load in the sharp and peak periods by %(peak)s kW "
                "and moves %(night)s kWh a day to after 23:00."
            )
            % {
                "day": yuan(plan.saved_per_day),
                "day_type": day_type,
                "summer": yuan(plan.saved_per_summer),
                "peak": kwh(plan.peak_removed_kw),
                "night": kwh(plan.after_23_kwh),
            }
        ),
        _measures_table(schedule),
        _chart(schedule),
        Heading(_("4. What the figures rest on")),
        Paragraph(_basis(page, plan)),
    ]
    if plan.note:
        blocks.append(
            Paragraph(_("Note from your account manager: %(note)s") % {"note": plan.note})
        )
    return Document(
        title=_("Advice on saving energy and cost (节能降耗建议书)"),
        subtitle=enterprise.name,
        author=_("Power account manager"),
        footer=_("%(name)s · plan version %(version)d")
        % {"name": enterprise.name, "version": plan.version},
        blocks=tuple(blocks),
    )


def _enterprise_table(page: dict[str, Any]) -> Table:
    enterprise = page["enterprise"]
    rows = [
        (Cell(_("Name")), Cell(enterprise.name)),
        (Cell(_("Unified social credit code")), Cell(enterprise.credit_code or "—")),
        (Cell(_("Address")), Cell(enterprise.address or "—")),
    ]
    categories = dict(Category.choices)
    for entry in page["meters"]:
        meter = entry["meter"]
        price = entry["flat_price"]
        rows.append(
            (
                Cell(_("Meter %(code)s") % {"code": meter.code}),
                Cell(
                    _("%(category)s, flat price %(price)s yuan/kWh")
                    % {
                        "category": categories.get(meter.category, meter.category),
                        "price": f"{price:.4f}" if price is not None else "—",
                    }
                ),
            )
        )
    return Table(columns=(_("Item"), _("Detail")), rows=tuple(rows), widths=(2, 5))


def _periods_table(schedule: dict[str, Any]) -> Table:
    lines = plan_periods(schedule)
    rows = [
        (
            Cell(line.label),
            Cell(kwh(line.current_kwh), numeric=True),
            Cell(kwh(line.planned_kwh), numeric=True),
            Cell(yuan(line.current_yuan), numeric=True),
            Cell(yuan(line.planned_yuan), numeric=True),
        )
        for line in lines
    ]
    rows.append(
        (
            Cell(_("Whole day")),
            Cell(kwh(sum(line.current_kwh for line in lines)), numeric=True),
            Cell(kwh(sum(line.planned_kwh for line in lines)), numeric=True),
            Cell(yuan(sum(line.current_yuan for line in lines)), numeric=True),
            Cell(yuan(sum(line.planned_yuan for line in lines)), numeric=True),
        )
    )
    return Table(
        caption=_("Energy (kWh) and cost (yuan) of a typical day by period"),
        columns=(
            _("Period"),
            _("kWh now"),
            _("kWh planned"),
            _("Yuan now"),
            _("Yuan planned"),
        ),
        rows=tuple(rows),
        widths=(2, 2, 2, 2, 2),
    )


def _measures_table(schedule: dict[str, Any]) -> Table:
    rows = []
    for machine in schedule.get("machines") or []:
        if machine.get("moved"):
            advice = _("moves to the night") if machine.get("to_night") else _("moves")
        else:
            advice = _("stays")
        rows.append(
            (
                Cell(str(machine["name"])),
                Cell(kwh(machine["power_kw"]), numeric=True),
                Cell(f"{machine['current_start']}–{machine['current_end']}"),
                Cell(f"{machine['planned_start']}–{machine['planned_end']}"),
                Cell(advice),
            )
        )
    return Table(
        caption=_("Each machine's run, now and as planned"),
        columns=(_("Machine"), _("kW"), _("Runs now"), _("Planned"), _("Advice")),
        rows=tuple(rows),
        widths=(3, 1, 2, 2, 3),
    )


def _chart(schedule: dict[str, Any]) -> LineChart:
    kinds = list(schedule.get("kinds") or [])
    return LineChart(
        title=_("Load of a typical day against the tariff's periods"),
        unit="kW",
        labels=LABELS,
        label_every=8,
        series=(
            Series(_("Now"), tuple(schedule.get("current_load") or ()), CURRENT_COLOUR),
            Series(
                _("Planned"),
                tuple(schedule.get("planned_load") or ()),
                PLANNED_COLOUR,
                dashed=True,
            ),
        ),
        bands=tuple(
            Band(band.start, band.end, band.label, BAND_COLOURS.get(band.kind, (240, 240, 240)))
            for band in period_bands(kinds)
        ),
    )


def _basis(page: dict[str, Any], plan: Any) -> str:
    tariff = page.get("tariff") or {}
    typical = plan.schedule.get("typical_days") or []
    text = _(
        "Prices of %(day)s under the tariff %(tariff)s (%(document)s), at the flat price of "
        "%(price)s yuan/kWh; the typical day is the mean of %(count)d recent days of the type "
        "with complete readings; a summer counts %(summer)d such days."
    ) % {
        "day": date_format(plan.priced_on, "Y-m-d"),
        "tariff": plan.schedule.get("tariff", ""),
        "document": tariff.get("document", "") or "—",
        "price": f"{float(plan.schedule.get('flat_price') or 0):.4f}",
        "count": len(typical),
        "summer": int(plan.schedule.get("summer_days") or 0),
    }
    if tariff.get("confidence"):
        text += " " + _("On the tariff: %(confidence)s") % {"confidence": tariff["confidence"]}
    return text


def letter_pdf(page: dict[str, Any], *, base_url: str = "") -> bytes:
    return render_pdf(letter_document(page), base_url=base_url)
