"""`jiceng manage import_regions FILE`: regions from CSV (code,name,level,parent,lat,lon) or
boundaries from a GeoJSON FeatureCollection (features with `properties.code`). A file with any
bad line is refused as a whole, naming each line and reason, and nothing is imported."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jiceng.core.services.regions import (
    ImportRefused,
    region_import_boundaries,
    region_import_csv,
)


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file", returncode=2)
        text = path.read_text(encoding="utf-8-sig")
        try:
            if path.suffix.lower() in (".geojson", ".json"):
                count = region_import_boundaries(text)
                self.stdout.write(f"{count} boundaries imported from {path}")
            else:
                count = region_import_csv(text)
                self.stdout.write(f"{count} regions imported from {path}")
        except ImportRefused as refused:
            lines = "\n".join(f"  line {n}: {why}" for n, why in refused.problems)
            raise CommandError(
                f"{path} refused, nothing imported:\n{lines}", returncode=2
            ) from None
