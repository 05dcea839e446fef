"""What a printable document is made of: a title and a list of blocks (headings, paragraphs,
tables, bar charts, images). Modules build these from their records and hand them to
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
class Image:
    """A raster or SVG picture (a photo, a chart made elsewhere) from a file or bytes."""

    source: Path | bytes
    caption: str = ""
    width_mm: float = 0  # 0: the text width


Block = Heading | Paragraph | Table | BarChart | Image


@dataclass(frozen=True)
class Document:
    title: str
    blocks: tuple[Block, ...] = field(default_factory=tuple)
    subtitle: str = ""
    author: str = ""
    footer: str = ""  # printed at the foot of each page, before the page number
