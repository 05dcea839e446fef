"""Case intake through the services (case_report), cases per second, on SQLite and PostgreSQL.

The target (issue: the case loop) is at least 500 cases per second on SQLite. Each intake does
what a real one does: validate the category, region and attributes, number the case, compute
its deadlines on the working calendar, write the case and its first timeline entry, and notify
the town's dispatchers.
"""

from __future__ import annotations

import json
import sys
import time

from bench.isolated import migrated_django, postgres_available, run_module
from bench.report import Figure

TARGET = 500.0


def run(quick: bool) -> list[Figure]:
    count = "1000" if quick else "5000"
    figures = []
    for database in ("sqlite", "postgres"):
        if database == "postgres" and not postgres_available():
            continue
        result = run_module(
            "bench.cases_intake", "--body", count, database=database, name="jiceng_bench_intake"
        )
        figures.append(
            Figure(
                benchmark="cases-intake",
                what=f"case_report on {database} ({result['cases']} cases)",
                unit="cases per second (target ≥ 500)",
                ours=float(result["per_second"]),
                note=f"{float(result['per_second']) / TARGET:.2f}× the target of {TARGET:.0f}/s",
            )
        )
    return figures


def body(count: int) -> dict[str, object]:
    migrated_django()
    from jiceng.cases.reference_data import categories_load, departments_create
    from jiceng.cases.services.intake import case_report
    from jiceng.core.models import Role
    from jiceng.core.services.accounts import user_create
    from jiceng.core.services.regions import region_import_csv
    from jiceng.reference import REFERENCE

    region_import_csv((REFERENCE / "regions-tongxiang.csv").read_text(encoding="utf-8"))
    villages = "code,name,level,parent\n" + "\n".join(
        f"330483{t:03d}{v:03d},村{t}-{v},village,330483{t:03d}"
        for t in (1, 3, 4)
        for v in range(1, 21)
    )
    region_import_csv(villages)
    categories_load()
    departments_create(county_code="330483")
    for town in ("330483001", "330483003", "330483004"):
        user_create(
            username=f"officer{town}", password=None, region_code=town, roles=[Role.TOWN_OFFICER]
        )
    grid = user_create(
        username="grid", password=None, region_code="330483", roles=[Role.GRID_WORKER]
    )
    codes = [f"330483{t:03d}{v:03d}" for t in (1, 3, 4) for v in range(1, 21)]
    kinds = [
        ("ebike_charging", {"place": "corridor"}),
        ("sanitation", {}),
        ("road_damage", {"area": "2"}),
    ]
    start = time.perf_counter()
    for i in range(count):
        category, attributes = kinds[i % len(kinds)]
        case_report(
            actor=grid,
            category=category,
            description=f"第{i}号测试问题",
            region_code=codes[i % len(codes)],
            attributes=attributes,
        )
    elapsed = time.perf_counter() - start
    return {"cases": count, "seconds": elapsed, "per_second": count / elapsed}


if __name__ == "__main__":
    if sys.argv[1:2] == ["--body"]:
        print(json.dumps(body(int(sys.argv[2]))))
    else:
        from bench.report import print_table

        print_table(run(quick="--quick" in sys.argv))
