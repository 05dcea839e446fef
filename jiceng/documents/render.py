"""The documents engine's entry: `render_pdf(document)` answers the document as PDF bytes, drawn
by jiceng/documents/pdf.py (fpdf2, Noto Sans SC embedded; its docstring says how).

fpdf2 and fontTools take about a second to import: they are imported with the first document a
process prints, so that a server, a command or a page that prints nothing does not wait for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jiceng.documents.content import Document


def render_pdf(document: Document, *, base_url: str = "") -> bytes:
    """The document as PDF bytes."""
    from jiceng.documents import pdf

    return pdf.render_pdf(document, base_url=base_url)
