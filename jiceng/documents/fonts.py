"""Where the CJK fonts come from: Noto Sans SC (SIL Open Font License), TrueType outlines, which
the set-up installs from the npm registry, pinned by package-lock.json
(`python -m jiceng.web.assets install`, run by `make setup`) into the static vendor folder's
`fonts/`. No font file is committed. The renderer embeds a subset of each font (only the glyphs a
document uses), so a PDF prints and its text can be selected and searched on any machine.

TrueType (glyf) rather than CFF-based OpenType: every PDF reader handles CID TrueType subsets,
and fpdf2 subsets them through fontTools.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.contrib.staticfiles import finders

FAMILY = "NotoSansSC"
REGULAR = "vendor/fonts/NotoSansSC-Regular.ttf"
BOLD = "vendor/fonts/NotoSansSC-Bold.ttf"


class FontsMissing(Exception):
    """The fonts are not installed; the message says how to install them."""


@dataclass(frozen=True)
class FontFiles:
    regular: Path
    bold: Path


def font_files() -> FontFiles:
    """The installed font files, or FontsMissing naming the command that installs them."""
    found = []
    for name in (REGULAR, BOLD):
        path = finders.find(name)
        if not path:
            raise FontsMissing(
                f"{name} is not installed: run `python -m jiceng.web.assets install` "
                "(or `make setup`)"
            )
        found.append(Path(str(path)))
    return FontFiles(regular=found[0], bold=found[1])
