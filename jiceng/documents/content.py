"""What a printable document is made of: a title and a list of blocks (headings, paragraphs,
tables, bar charts, line charts, images). Modules build these from their records and hand them to
`jiceng.documents.render.render_pdf`; nothing here knows about PDFs, so the same content could
be printed another way.

Text is plain text (no markup). A table cell or a chart bar may carry a link: the address of the
records the figure sums, so that a reader of the PDF can open them (absolute, or relative to the
`base_url` given to the renderer).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1  # 1 a chapter, 2 a section, 3 a subsection


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Cell:
    text: str
    link: str = ""
    numeric: bool = False  # right-aligned


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    caption: str = ""
    widths: tuple[int, ...] = ()  # relative column widths; equal when empty


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal | float | int
    link: str = ""


@dataclass(frozen=True)
class BarChart:
    """A horizontal bar chart drawn as vector graphics, each bar labelled with its value."""

    title: str
    bars: tuple[Bar, ...]
    unit: str = ""
    value_format: str = "{:,.2f}"


@dataclass(frozen=True)
class Series:
    """One line of a line chart: a value per label of the chart (None: no value there)."""

    name: str
    values: tuple[Decimal | float | int | None, ...]
    colour: tuple[int, int, int] = (196, 40, 40)
    dashed: bool = False


@dataclass(frozen=True)
class Band:
    """A shaded stretch of a line chart's x axis, from label `start` up to (not including) label
    `end`: a tariff's period behind a day's load curve. Bands of the same `name` share one entry
    of the legend."""

    start: int
    end: int
    name: str
    colour: tuple[int, int, int] = (235, 235, 235)


@dataclass(frozen=True)
class LineChart:
    """Lines over one x axis of labels (times of day, days), drawn as vector graphics with the
    y axis' figures and the legend as text; `bands` shade stretches of the x axis behind them."""

    title: str
    labels: tuple[str, ...]
    series: tuple[Series, ...]
    bands: tuple[Band, ...] = ()
    unit: str = ""
    label_every: int = 1  # print every n-th label under the axis
    height_mm: float = 65


@dataclass(frozen=True)
class Image:
    """A raster or SVG picture (a photo, a chart made elsewhere) from a file or bytes."""

    source: Path | bytes
    caption: str = ""
    width_mm: float = 0  # 0: the text width


Block = Heading | Paragraph | Table | BarChart | LineChart | Image


@dataclass(frozen=True)
class Document:
    title: str
    blocks: tuple[Block, ...] = field(default_factory=tuple)
    subtitle: str = ""
    author: str = ""
    footer: str = ""  # printed at the foot of each page, before the page number
