"""A document rendered as PDF reads back as Chinese text, with its fonts embedded as subsets."""

from __future__ import annotations

import shutil
import subprocess
from decimal import Decimal

import pytest

from jiceng.documents.content import (
    Band,
    Bar,
    BarChart,
    Cell,
    Document,
    Heading,
    LineChart,
    Paragraph,
    Series,
    Table,
)
from jiceng.documents.render import render_pdf

pytestmark = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("pdffonts")),
    reason="poppler-utils (pdftotext, pdffonts) is not installed",
)


def _document() -> Document:
    return Document(
        title="2023年福利彩票责任彩票报告",
        subtitle="心怀责任，共赴美好",
        footer="福彩中心",
        blocks=(
            Heading("第一章 销售与公益金"),
            Paragraph("全年累计销售各类福利彩票 3,493,000,000.00 元，筹集公益金。" * 5),
            Table(
                columns=("类别", "项目数", "金额（元）"),
                rows=(
                    (Cell("老年人福利"), Cell("390", numeric=True), Cell("240,000,000.00", "/x")),
                    (Cell("残疾人福利"), Cell("25", numeric=True), Cell("7,000,000.00")),
                ),
                caption="表1 公益金使用",
            ),
            BarChart(
                title="各游戏销售额",
                unit="元",
                bars=(
                    Bar("双色球", Decimal("1234567.89"), "/lottery/sales/?game=ssq"),
                    Bar("快乐8", 5),
                ),
            ),
        ),
    )


def _run(tool: str, pdf: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        [tool, str(path), "-"] if tool == "pdftotext" else [tool, str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_the_chinese_title_and_the_figures_read_back_as_text(tmp_path):
    pdf = render_pdf(_document(), base_url="http://jiceng.example/")
    assert pdf.startswith(b"%PDF-")
    text = _run("pdftotext", pdf, tmp_path)
    assert "2023年福利彩票责任彩票报告" in text
    assert "240,000,000.00" in text
    assert "1,234,567.89" in text  # the chart's figure is text too
    assert "双色球" in text
    assert "第 1 页" in text


def test_the_fonts_are_embedded_subsets_with_unicode_maps(tmp_path):
    listing = _run("pdffonts", render_pdf(_document()), tmp_path).splitlines()[2:]
    assert listing, "the PDF uses no font"
    for line in listing:
        name, *_, emb, sub, uni, _obj, _gen = line.split()
        assert "NotoSansSC" in name
        assert (emb, sub, uni) == ("yes", "yes", "yes")


def test_linked_figures_point_at_absolute_addresses_of_their_records():
    pdf = render_pdf(_document(), base_url="http://jiceng.example/")
    assert b"http://jiceng.example/x" in pdf
    assert b"http://jiceng.example/lottery/sales/?game=ssq" in pdf


def _line_chart_document() -> Document:
    hours = tuple(f"{h:02d}:00" for h in range(24))
    load = tuple(100 + 10 * h for h in range(24))
    return Document(
        title="负荷曲线",
        blocks=(
            LineChart(
                title="典型日负荷",
                unit="kW",
                labels=hours,
                label_every=3,
                series=(
                    Series("调整前", load),
                    Series("调整后", (*load[:12], None, *load[13:]), (20, 80, 160), dashed=True),
                ),
                bands=(Band(0, 8, "谷段", (220, 235, 250)), Band(18, 22, "尖峰", (250, 220, 220))),
            ),
        ),
    )


def test_a_line_chart_prints_its_axis_labels_legend_and_bands_as_text(tmp_path):
    # A chart of one point at zero draws too (no division by a zero range).
    flat = LineChart(title="零", labels=("a",), series=(Series("s", (0,)),))
    document = _line_chart_document()
    document = Document(title=document.title, blocks=(*document.blocks, flat))
    text = _run("pdftotext", render_pdf(document), tmp_path)
    for expected in ("典型日负荷（kW）", "03:00", "21:00", "调整前", "调整后", "谷段", "尖峰"):
        assert expected in text
    assert "400" in text  # an axis figure: the highest value is 330, the step 100
