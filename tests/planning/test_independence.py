"""The planning library stands alone: importing it loads neither Django nor the rest of Jiceng."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_importing_planning_loads_no_django_and_no_other_jiceng_module() -> None:
    script = (
        "import sys, jiceng.planning\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(('django', 'jiceng')))\n"
        "print(','.join(loaded))\n"
    )
    output = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.strip()
    modules = output.split(",")
    assert not [m for m in modules if m.startswith("django")]
    assert all(m == "jiceng" or m.startswith("jiceng.planning") for m in modules), modules
