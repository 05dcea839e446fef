"""The worked example in docs/planning.md runs as written."""

from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "planning.md"


def test_the_worked_example_runs(capsys) -> None:
    text = DOC.read_text(encoding="utf-8")
    blocks = list(re.finditer(r"```python\n(.*?)```", text, flags=re.S))
    assert blocks, "docs/planning.md has no python example"
    namespace: dict[str, object] = {"__name__": "docs_example"}
    for block in blocks:
        # pad with blank lines so that a traceback points at the line in the document
        padding = "\n" * text.count("\n", 0, block.start(1))
        exec(compile(padding + block.group(1), str(DOC), "exec"), namespace)  # noqa: S102
    printed = capsys.readouterr().out
    assert "next bank point" in printed
    assert "backtest WAPE" in printed
