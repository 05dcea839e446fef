"""Importing e-bikes from Excel on SQLite: a workbook of 100,000 bikes with their batteries
(target: under 60 s, all or nothing, every row checked), into a county of 1,000 buildings."""

from __future__ import annotations

import json
import sys
import time

from bench.isolated import migrated_django, run_module
from bench.report import Figure

TARGET_S = 60.0


def run(quick: bool) -> list[Figure]:
    bikes = "10000" if quick else "100000"
    result = run_module("bench.ebike_import", "--body", bikes, database="sqlite", name="ebike_imp")
    return [
        Figure(
            benchmark="ebike-import",
            what=f"{result['bikes']:,} e-bikes with batteries from one .xlsx, sqlite",
            unit=f"seconds (target < {TARGET_S:.0f} s)",
            ours=float(str(result["seconds"])),
            note=f"workbook {result['megabytes']} MB, written in {result['write_seconds']} s "
            "(not counted); read, every row checked, written, colours of 1,000 buildings",
            extra=result,
        )
    ]


def workbook(count: int, building_ids: list[int]) -> bytes:
    import io

    from openpyxl import Workbook

    from jiceng.ebike.services.imports import EBIKE_COLUMNS

    book = Workbook(write_only=True)
    sheet = book.create_sheet("ebikes")
    sheet.append([c.key for c in EBIKE_COLUMNS])
    for n in range(count):
        sheet.append(
            [
                f"桐乡C{n:06d}",
                f"TXC{n:010d}",
                "GB17761-2024" if n % 3 else "GB17761-2018",
                "2025-06-01",
                building_ids[n % len(building_ids)],
                "车主",
                "13800000000",
                f"BAT-C-{n:07d}",
                "lithium" if n % 4 else "lead_acid",
                48,
                20,
                1,
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def body(count: int) -> dict[str, object]:
    migrated_django()
    from bench.ebike_alerts import world
    from jiceng.ebike.models import Battery, Ebike
    from jiceng.ebike.services.imports import ebike_import

    ids = world(1000)["ids"]
    start = time.perf_counter()
    content = workbook(count, ids)
    write_seconds = time.perf_counter() - start
    start = time.perf_counter()
    imported = ebike_import(actor=None, filename="bikes.xlsx", content=content)
    seconds = time.perf_counter() - start
    assert imported == count == Ebike.objects.count() == Battery.objects.count()
    return {
        "bikes": count,
        "seconds": round(seconds, 1),
        "write_seconds": round(write_seconds, 1),
        "megabytes": round(len(content) / 1e6, 1),
    }


if __name__ == "__main__":
    if sys.argv[1:2] == ["--body"]:
        print(json.dumps(body(int(sys.argv[2]))))
