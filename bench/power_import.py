"""Power: a year of 15-minute readings for 2,000 meters (70 million readings, 730,000 meter-
days) imported through the readings import, one CSV file per meter (target < 10 minutes on
PostgreSQL), then a meter-month's bill by period (target < 50 ms).

Runs on PostgreSQL when it is reachable (a scratch database), on SQLite otherwise; `--quick`
imports 50 meters × 31 days. The import is timed alone: writing the CSV text is not counted.
The issue names no peer for either figure.
"""

from __future__ import annotations

import json
import math
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bench.isolated import migrated_django, postgres_available, run_module
from bench.report import Figure

METERS, DAYS, FIRST = 2_000, 365, date(2025, 7, 1)
IMPORT_TARGET_S, BILL_TARGET_MS = 600.0, 50.0


def run(quick: bool) -> list[Figure]:
    meters, days = (50, 31) if quick else (METERS, DAYS)
    database = "postgres" if postgres_available() else "sqlite"
    result = run_module(
        "bench.power_import",
        "--body",
        str(meters),
        str(days),
        database=database,
        name="jiceng_bench_power",
    )
    readings = int(str(result["readings"]))
    import_s = float(str(result["import_s"]))
    where = "PostgreSQL" if database == "postgres" else "SQLite"
    return [
        Figure(
            benchmark="power-import",
            what=f"readings import, {meters:,} meters × {days} days = {readings:,} readings, "
            f"one file per meter ({where})",
            unit="s",
            ours=import_s,
            note=f"target < {IMPORT_TARGET_S:.0f} s for 2,000 meters × 365 days; "
            f"{readings / import_s:,.0f} readings/s, checks and replacement included",
        ),
        Figure(
            benchmark="power-import",
            what=f"one meter-month's bill by period ({where}), median of "
            f"{int(str(result['bills']))} meters",
            unit="ms",
            ours=float(str(result["bill_ms"])),
            note=f"target < {BILL_TARGET_MS:.0f} ms; 95th percentile "
            f"{float(str(result['bill_p95_ms'])):.1f} ms",
        ),
    ]


def meter_csv(first: date, days: int, seed: int) -> bytes:
    """A meter's quarter-hour load: a daily shape (day shift, evening peak) with noise."""
    rng = random.Random(seed)
    zone = ZoneInfo("Asia/Shanghai")
    scale = rng.uniform(50, 3_000)
    shape = [
        0.35 + 0.55 * max(0.0, math.sin(math.pi * (q - 28) / 64)) if 28 <= q < 92 else 0.35
        for q in range(96)
    ]
    out = ["time,kw"]
    start = datetime(first.year, first.month, first.day, tzinfo=zone)
    for d in range(days):
        base = start + timedelta(days=d)
        stamp = base.isoformat()[:10]
        factor = scale * rng.uniform(0.8, 1.2)
        for q in range(96):
            kw = factor * shape[q] * (0.95 + 0.1 * rng.random())
            out.append(f"{stamp}T{q // 4:02d}:{q % 4 * 15:02d}:00+08:00,{kw:.2f}")
    return ("\n".join(out) + "\n").encode()


def body(meters: int, days: int) -> dict[str, object]:
    migrated_django()
    from jiceng.core.services.regions import region_import_csv
    from jiceng.power.models import Meter, MeterPrice
    from jiceng.power.selectors import meter_cost
    from jiceng.power.services import readings_import
    from jiceng.power.services.meters import PRICE_SINCE
    from jiceng.reference import REFERENCE

    region_import_csv((REFERENCE / "regions-tongxiang.csv").read_text(encoding="utf-8"))
    Meter.objects.bulk_create(
        Meter(
            code=f"M{n:05d}",
            region_id="330483001",
            category="large_industry" if n % 3 else "general_industry_commerce",
        )
        for n in range(meters)
    )
    found = list(Meter.objects.order_by("code"))
    MeterPrice.objects.bulk_create(
        MeterPrice(meter=m, effective_from=PRICE_SINCE, yuan_per_kwh="0.61") for m in found
    )
    import_s = 0.0
    readings = 0
    for n, meter in enumerate(found):
        content = meter_csv(FIRST, days, seed=n)
        start = time.perf_counter()
        report = readings_import(actor=None, content=content, meter=meter)
        import_s += time.perf_counter() - start
        readings += report.stored
    rng = random.Random(7)
    month_start = FIRST + timedelta(days=31) if days > 62 else FIRST
    month_end = min(month_start + timedelta(days=30), FIRST + timedelta(days=days - 1))
    bills = []
    for meter in rng.sample(found, min(50, len(found))):
        start = time.perf_counter()
        meter_cost(meter, month_start, month_end)
        bills.append((time.perf_counter() - start) * 1000)
    bills.sort()
    return {
        "readings": readings,
        "import_s": import_s,
        "bills": len(bills),
        "bill_ms": statistics.median(bills),
        "bill_p95_ms": bills[int(0.95 * (len(bills) - 1))],
    }


if __name__ == "__main__":
    if sys.argv[1:2] == ["--body"]:
        print(json.dumps(body(int(sys.argv[2]), int(sys.argv[3]))))
