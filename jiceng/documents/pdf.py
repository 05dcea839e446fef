"""Print a `Document` as an A4 PDF in Simplified Chinese, with fpdf2 (through `render.render_pdf`).

Decisions:
- One typeface, Noto Sans SC, regular and bold, embedded as subsets (see `fonts`); the text stays
  text, so it can be selected, searched and read back (`pdftotext`).
- Chinese has no spaces between words: paragraphs wrap at any character (fpdf2's CHAR mode).
- Charts are vector drawings (rectangles, lines and text), not pictures: they print sharply and
  their labels and figures are text like the rest. A line chart's y axis runs from zero (or the
  lowest value, if below zero) to a round figure above the highest, in four or five steps.
- A cell or bar with a link becomes a link annotation to the records it sums; relative links are
  made absolute with `base_url` (a PDF has no page address to resolve them against).
- Each page's foot carries the document's footer and "第 N 页 / 共 M 页".
"""

from __future__ import annotations

import io
import logging
import math
from decimal import Decimal
from urllib.parse import urljoin

from fpdf import FPDF
from fpdf.enums import Align, WrapMode, XPos, YPos
from fpdf.fonts import FontFace

from jiceng.documents.content import (
    BarChart,
    Block,
    Document,
    Heading,
    Image,
    LineChart,
    Paragraph,
    Table,
)
from jiceng.documents.fonts import FAMILY, font_files

# fontTools logs each subsetting step at INFO: noise in every log that prints a PDF.
logging.getLogger("fontTools").setLevel(logging.WARNING)

BODY_SIZE = 10.5
HEADING_SIZES = {1: 16.0, 2: 13.0, 3: 11.5}
LINE_HEIGHT = 6.0
LINK_COLOUR = (20, 80, 160)
BAR_COLOUR = (196, 40, 40)
GRID_COLOUR = (200, 200, 200)


class _PDF(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, "", 8)
        self.set_text_color(110, 110, 110)
        page = f"第 {self.page_no()} 页 / 共 {{nb}} 页"
        text = f"{self.footer_text}    {page}" if self.footer_text else page
        self.cell(0, 6, text, align=Align.C)
        self.set_text_color(0, 0, 0)


def render_pdf(document: Document, *, base_url: str = "") -> bytes:
    """The document as PDF bytes."""
    fonts = font_files()
    pdf = _PDF(format="A4", unit="mm")
    pdf.footer_text = document.footer
    pdf.set_margins(18, 18, 18)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_font(FAMILY, "", str(fonts.regular))
    pdf.add_font(FAMILY, "B", str(fonts.bold))
    pdf.set_title(document.title)
    pdf.set_lang("zh-CN")
    pdf.set_creator("Jiceng")
    if document.author:
        pdf.set_author(document.author)
    pdf.add_page()
    _title(pdf, document)
    for block in document.blocks:
        _block(pdf, block, base_url)
    return bytes(pdf.output())


def _lines(pdf: _PDF, height: float, text: str, align: Align = Align.L) -> None:
    """Full-width text wrapped at any character, then back to the left margin on the next line
    (fpdf2's default leaves x at the right edge, where a next full-width cell has no width and
    its line breaking never ends)."""
    pdf.multi_cell(
        0, height, text, align=align, wrapmode=WrapMode.CHAR, new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )


def _link(link: str, base_url: str) -> str:
    return urljoin(base_url, link) if link and base_url else link


def _title(pdf: _PDF, document: Document) -> None:
    pdf.set_font(FAMILY, "B", 20)
    _lines(pdf, 11, document.title, Align.C)
    if document.subtitle:
        pdf.set_font(FAMILY, "", 12)
        _lines(pdf, 8, document.subtitle, Align.C)
    pdf.ln(4)


def _block(pdf: _PDF, block: Block, base_url: str) -> None:
    if isinstance(block, Heading):
        size = HEADING_SIZES.get(block.level, HEADING_SIZES[3])
        pdf.ln(3 if block.level > 1 else 5)
        pdf.set_font(FAMILY, "B", size)
        _lines(pdf, size * 0.6, block.text)
        pdf.ln(1.5)
    elif isinstance(block, Paragraph):
        pdf.set_font(FAMILY, "", BODY_SIZE)
        _lines(pdf, LINE_HEIGHT, block.text)
        pdf.ln(2)
    elif isinstance(block, Table):
        _table(pdf, block, base_url)
    elif isinstance(block, BarChart):
        _bar_chart(pdf, block, base_url)
    elif isinstance(block, LineChart):
        _line_chart(pdf, block)
    elif isinstance(block, Image):
        source = io.BytesIO(block.source) if isinstance(block.source, bytes) else block.source
        pdf.image(source, w=block.width_mm or pdf.epw)
        if block.caption:
            _caption(pdf, block.caption)


def _caption(pdf: _PDF, text: str) -> None:
    pdf.set_font(FAMILY, "", 9)
    _lines(pdf, 5, text, Align.C)
    pdf.ln(2)


def _table(pdf: _PDF, table: Table, base_url: str) -> None:
    if table.caption:
        _caption(pdf, table.caption)
    pdf.set_font(FAMILY, "", 9.5)
    widths = table.widths or tuple(1 for _ in table.columns)
    headings = FontFace(emphasis="BOLD", fill_color=(238, 238, 238))
    with pdf.table(
        col_widths=widths,
        headings_style=headings,
        line_height=6,
        wrapmode=WrapMode.CHAR,
        first_row_as_headings=True,
    ) as out:
        head = out.row()
        for column in table.columns:
            head.cell(column)
        for cells in table.rows:
            row = out.row()
            for cell in cells:
                link = _link(cell.link, base_url)
                style = FontFace(color=LINK_COLOUR) if link else None
                row.cell(
                    cell.text,
                    align=Align.R if cell.numeric else Align.L,
                    link=link or None,
                    style=style,
                )
    pdf.ln(3)


def _bar_chart(pdf: _PDF, chart: BarChart, base_url: str) -> None:
    bar_height, gap, label_width, value_width = 6.0, 2.5, 42.0, 40.0
    needed = 10 + len(chart.bars) * (bar_height + gap) + 6
    if pdf.get_y() + needed > pdf.h - pdf.b_margin:
        pdf.add_page()
    title = f"{chart.title}（{chart.unit}）" if chart.unit else chart.title
    pdf.set_font(FAMILY, "B", 10.5)
    pdf.cell(0, 7, title, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    values = [Decimal(str(bar.value)) for bar in chart.bars]
    largest = float(max([v for v in values if v > 0], default=Decimal(1)))
    left = pdf.l_margin + label_width
    area = pdf.epw - label_width - value_width
    top = pdf.get_y() + 1
    pdf.set_font(FAMILY, "", 9)
    for index, (bar, value) in enumerate(zip(chart.bars, values, strict=True)):
        y = top + index * (bar_height + gap)
        pdf.set_xy(pdf.l_margin, y)
        pdf.cell(label_width - 2, bar_height, bar.label, align=Align.R)
        length = area * float(max(value, Decimal(0))) / largest
        pdf.set_fill_color(*BAR_COLOUR)
        if length > 0:
            pdf.rect(left, y + 0.5, length, bar_height - 1, style="F")
        link = _link(bar.link, base_url)
        pdf.set_xy(left + length + 1.5, y)
        if link:
            pdf.set_text_color(*LINK_COLOUR)
        pdf.cell(value_width, bar_height, chart.value_format.format(value), link=link or "")
        pdf.set_text_color(0, 0, 0)
    bottom = top + len(chart.bars) * (bar_height + gap)
    pdf.set_draw_color(*GRID_COLOUR)
    pdf.line(left, top - 0.5, left, bottom - gap + 0.5)
    pdf.set_draw_color(0, 0, 0)
    pdf.set_xy(pdf.l_margin, bottom + 3)


def _axis_steps(low: float, high: float) -> tuple[float, float, float]:
    """A round step and the axis' ends that are multiples of it, covering [low, high]."""
    span = high - low or abs(high) or 1.0
    raw = span / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return step, math.floor(low / step) * step, math.ceil(high / step) * step


def _tick_text(value: float, step: float) -> str:
    if step >= 1:
        return f"{value:,.0f}"
    return f"{value:,.{max(0, 1 - math.floor(math.log10(step)))}f}"


def _line_chart(pdf: _PDF, chart: LineChart) -> None:
    axis_width, legend_height, label_height = 16.0, 6.0, 5.0
    legend = [(s.name, s.colour, "line") for s in chart.series]
    legend += list({b.name: (b.name, b.colour, "band") for b in chart.bands}.values())
    needed = 8 + chart.height_mm + label_height + legend_height * (1 + len(legend) // 4) + 4
    if pdf.get_y() + needed > pdf.h - pdf.b_margin:
        pdf.add_page()
    title = f"{chart.title}（{chart.unit}）" if chart.unit else chart.title
    pdf.set_font(FAMILY, "B", 10.5)
    pdf.cell(0, 7, title, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    values = [float(v) for s in chart.series for v in s.values if v is not None]
    step, low, high = _axis_steps(min([0.0, *values]), max([0.0, *values]))
    left, top = pdf.l_margin + axis_width, pdf.get_y() + 2
    width, height = pdf.epw - axis_width - 2, chart.height_mm
    count = max(len(chart.labels), 1)
    slot = width / count

    def x_of(index: float) -> float:
        return left + slot * index

    def y_of(value: float) -> float:
        return top + height - height * (value - low) / ((high - low) or 1.0)

    for band in chart.bands:
        start, end = max(band.start, 0), min(band.end, count)
        if end > start:
            pdf.set_fill_color(*band.colour)
            pdf.rect(x_of(start), top, slot * (end - start), height, style="F")
    pdf.set_font(FAMILY, "", 7.5)
    pdf.set_draw_color(*GRID_COLOUR)
    pdf.set_line_width(0.15)
    tick = low
    while tick <= high + step / 1000:
        y = y_of(tick)
        pdf.line(left, y, left + width, y)
        pdf.set_xy(pdf.l_margin, y - 2)
        pdf.cell(axis_width - 1.5, 4, _tick_text(tick, step), align=Align.R)
        tick += step
    pdf.set_draw_color(0, 0, 0)
    pdf.line(left, top, left, top + height)
    every = max(chart.label_every, 1)
    for index in range(0, len(chart.labels), every):
        pdf.set_xy(x_of(index) - 8, top + height + 0.5)
        pdf.cell(16, label_height - 1, chart.labels[index], align=Align.C)
    for series in chart.series:
        pdf.set_draw_color(*series.colour)
        pdf.set_line_width(0.45)
        if series.dashed:
            pdf.set_dash_pattern(dash=1.5, gap=1)
        run: list[tuple[float, float]] = []
        for index, value in enumerate((*series.values, None)):
            if value is None:
                if len(run) > 1:
                    pdf.polyline(run)
                run = []
            else:
                run.append((x_of(index + 0.5), y_of(float(value))))
        pdf.set_dash_pattern()
    pdf.set_draw_color(0, 0, 0)
    pdf.set_line_width(0.2)
    y = top + height + label_height + 1
    x = pdf.l_margin + axis_width
    for name, colour, kind in legend:
        entry = 8 + pdf.get_string_width(name) + 6
        if x + entry > pdf.l_margin + pdf.epw:
            x, y = pdf.l_margin + axis_width, y + legend_height
        if kind == "line":
            pdf.set_draw_color(*colour)
            pdf.set_line_width(0.6)
            pdf.line(x, y + 2.5, x + 6, y + 2.5)
            pdf.set_line_width(0.2)
        else:
            pdf.set_fill_color(*colour)
            pdf.rect(x, y + 0.8, 6, 3.4, style="F")
        pdf.set_xy(x + 7, y)
        pdf.cell(entry - 7, 5, name)
        x += entry
    pdf.set_draw_color(0, 0, 0)
    pdf.set_xy(pdf.l_margin, y + legend_height + 2)
