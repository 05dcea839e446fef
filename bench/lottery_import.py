"""Welfare lottery: a year of daily sales for 3,000 outlets × 6 games (about 6.5 million rows)
imported on PostgreSQL (target < 5 minutes), then the year's fund ledger and report figures
(target < 2 s) and the report's PDF (target < 10 s), in a fresh database.

The issue names no peer; the import is set beside the Django ORM's own way of writing the same
rows (`bulk_create` of model instances, after the same checks) on one month of the file, to show
what the streaming check and COPY buy.
"""

from __future__ import annotations

import json
import random
import sys
import time
from datetime import date, timedelta

from bench.isolated import migrated_django, postgres_available, run_module
from bench.report import Figure

OUTLETS, GAMES, YEAR = 3_000, 6, 2023
IMPORT_TARGET_S, LEDGER_TARGET_S, PDF_TARGET_S = 300.0, 2.0, 10.0


def run(quick: bool) -> list[Figure]:
    if not postgres_available():
        print("PostgreSQL is not reachable: lottery-import measures nothing", file=sys.stderr)
        return []
    outlets, days = (300, 60) if quick else (OUTLETS, 365)
    result = run_module(
        "bench.lottery_import",
        "--body",
        str(outlets),
        str(days),
        database="postgres",
        name="jiceng_bench_lottery",
    )
    rows = int(str(result["rows"]))
    return [
        Figure(
            benchmark="lottery-import",
            what=f"sales import, {outlets:,} outlets × {GAMES} games × {days} days "
            f"= {rows:,} rows (PostgreSQL)",
            unit="s",
            ours=float(str(result["import_s"])),
            note=f"target < {IMPORT_TARGET_S:.0f} s; {rows / float(str(result['import_s'])):,.0f}"
            " rows/s, checks and replacement included",
        ),
        Figure(
            benchmark="lottery-import",
            what=f"one month of the same file ({int(str(result['month_rows'])):,} rows)",
            unit="s",
            ours=float(str(result["month_ours_s"])),
            peer=float(str(result["month_orm_s"])),
            peer_name="the same checks, then Django ORM bulk_create",
        ),
        Figure(
            benchmark="lottery-report",
            what=f"fund ledger + report figures of {YEAR} over {rows:,} sales (PostgreSQL)",
            unit="s, median of 3",
            ours=float(str(result["ledger_s"])),
            note=f"target < {LEDGER_TARGET_S:.0f} s",
        ),
        Figure(
            benchmark="lottery-report",
            what=f"responsibility report PDF of {YEAR} (PostgreSQL)",
            unit="s",
            ours=float(str(result["pdf_s"])),
            note=f"target < {PDF_TARGET_S:.0f} s; {int(str(result['pdf_bytes'])):,} bytes",
        ),
    ]


def sales_csv(codes: list[str], games: list[str], first: date, days: int, seed: int = 5) -> str:
    rng = random.Random(seed)
    lines = ["date,outlet,game,amount"]
    for offset in range(days):
        day = (first + timedelta(days=offset)).isoformat()
        for code in codes:
            for game in games:
                lines.append(f"{day},{code},{game},{rng.randint(0, 400_000) / 100:.2f}")
    return "\n".join(lines) + "\n"


def body(outlets: int, days: int) -> dict[str, object]:
    migrated_django()
    from django.db import transaction

    from jiceng.core.models import Region
    from jiceng.core.services.regions import region_import_csv
    from jiceng.lottery.models import DailySale, Game, Outlet
    from jiceng.lottery.report import report_pdf
    from jiceng.lottery.selectors import annual_report
    from jiceng.lottery.services import _checked_sales, read_rows, sales_import
    from jiceng.reference import REFERENCE

    region_import_csv((REFERENCE / "regions-tongxiang.csv").read_text(encoding="utf-8"))
    towns = list(
        Region.objects.filter(level="town", code__startswith="330483").values_list(
            "code", flat=True
        )
    )
    Outlet.objects.bulk_create(
        Outlet(
            code=f"33048{n:05d}",
            name=f"福彩投注站{n:05d}",
            region_id=towns[n % len(towns)],
            opened_on=date(2015, 1, 1),
            staff_count=1,
        )
        for n in range(outlets)
    )
    codes = list(Outlet.objects.order_by("code").values_list("code", flat=True))
    games = list(Game.objects.order_by("code").values_list("code", flat=True))[:GAMES]
    first = date(YEAR, 1, 1)
    text = sales_csv(codes, games, first, days)

    start = time.perf_counter()
    rows = sales_import(actor=None, data=text.encode("utf-8"), filename="sales.csv")
    import_s = time.perf_counter() - start

    # One month, ours against the ORM's bulk_create after the same checks (on a cleared month).
    month = sales_csv(codes, games, date(YEAR + 1, 1, 1), 28 if days >= 28 else days, seed=6)
    start = time.perf_counter()
    month_rows = sales_import(actor=None, data=month.encode("utf-8"), filename="m.csv")
    month_ours_s = time.perf_counter() - start
    DailySale.objects.filter(sold_on__year=YEAR + 1).delete()
    start = time.perf_counter()
    checked = _checked_sales(read_rows(month.encode("utf-8"), "m.csv"), None)
    with transaction.atomic():
        DailySale.objects.bulk_create(
            (
                DailySale(outlet_id=o, game_id=g, sold_on=d, amount=a, region_id=r)
                for o, g, d, a, r in checked.rows
            ),
            batch_size=5_000,
        )
    month_orm_s = time.perf_counter() - start

    ledger_times = []
    for _ in range(3):
        start = time.perf_counter()
        annual_report(None, YEAR)  # the fund ledger and every figure of the report
        ledger_times.append(time.perf_counter() - start)
    start = time.perf_counter()
    pdf = report_pdf(None, YEAR)
    pdf_s = time.perf_counter() - start
    return {
        "rows": rows,
        "import_s": import_s,
        "month_rows": month_rows,
        "month_ours_s": month_ours_s,
        "month_orm_s": month_orm_s,
        "ledger_s": sorted(ledger_times)[1],
        "pdf_s": pdf_s,
        "pdf_bytes": len(pdf),
    }


if __name__ == "__main__":
    if sys.argv[1:2] == ["--body"]:
        print(json.dumps(body(int(sys.argv[2]), int(sys.argv[3]))))
