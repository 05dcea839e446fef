"""Reference data shipped with Jiceng (see SOURCES.md)."""

from pathlib import Path

REFERENCE = Path(__file__).resolve().parent
