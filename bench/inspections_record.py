"""The inspections engine: inspections recorded per second, each of a new target against a
10-item checklist with 2 failed items (two cases opened through the case loop's intake), and
passing re-inspections of the same targets (two findings rectified, two cases walked to
closed), on SQLite in a fresh data folder."""

from __future__ import annotations

import json
import sys
import time

from bench.isolated import migrated_django, run_module
from bench.report import Figure

TARGET_PER_SECOND = 20.0


def run(quick: bool) -> list[Figure]:
    count = "40" if quick else "200"
    result = run_module(
        "bench.inspections_record", "--body", count, database="sqlite", name="jiceng_bench_insp"
    )
    return [
        Figure(
            benchmark="inspections-record",
            what=f"inspection_record, 10 items, 2 failed (2 new cases), {result['n']} targets",
            unit="inspections/s",
            ours=float(str(result["record_per_s"])),
            note=f"SQLite; target > {TARGET_PER_SECOND:.0f}/s; {result['cases']} cases opened",
        ),
        Figure(
            benchmark="inspections-record",
            what="passing re-inspection (2 findings rectified, 2 cases closed)",
            unit="inspections/s",
            ours=float(str(result["reinspect_per_s"])),
            note=f"SQLite; {result['closed']} cases closed",
        ),
    ]


def body(count: int) -> dict[str, object]:
    migrated_django()
    from jiceng.cases.models import Case
    from jiceng.cases.reference_data import categories_load, departments_create
    from jiceng.core.models import Role
    from jiceng.core.services.accounts import user_create
    from jiceng.core.services.regions import region_import_csv
    from jiceng.inspections.hooks import CaseSpec, Target, TargetKind, register_target_kind
    from jiceng.inspections.services import checklist_save, inspection_record
    from jiceng.reference import REFERENCE

    region_import_csv((REFERENCE / "regions-tongxiang.csv").read_text(encoding="utf-8"))
    categories_load()
    departments_create(county_code="330483")
    admin = user_create(
        username="admin", password=None, region_code="330483", roles=[Role.COUNTY_ADMIN]
    )
    register_target_kind(
        "bench_place",
        TargetKind(
            resolve=lambda target_id: Target(region_code="330483001", label=target_id),
            may_inspect=lambda actor, target: None,
            case_for=lambda item, note: CaseSpec(category="sanitation"),
            categories=("sanitation",),
        ),
    )
    items = [
        {"code": f"i{n}", "text": f"检查项{n}", "category": "market", "severity": "minor"}
        for n in range(10)
    ]
    checklist_save(admin, "bench", items, name="基准检查", module="bench")

    def answers(failed: bool) -> list[dict[str, object]]:
        return [
            {"item": f"i{n}", "ok": not (failed and n < 2), "note": "x" if failed and n < 2 else ""}
            for n in range(10)
        ]

    start = time.perf_counter()
    for n in range(count):
        inspection_record(
            actor=admin, checklist="bench", target=f"bench_place:t{n}", findings=answers(True)
        )
    recorded = time.perf_counter() - start
    cases = Case.objects.count()
    start = time.perf_counter()
    for n in range(count):
        inspection_record(
            actor=admin, checklist="bench", target=f"bench_place:t{n}", findings=answers(False)
        )
    reinspected = time.perf_counter() - start
    closed = Case.objects.filter(is_open=False).count()
    return {
        "n": count,
        "cases": cases,
        "closed": closed,
        "record_per_s": count / recorded,
        "reinspect_per_s": count / reinspected,
    }


if __name__ == "__main__":
    if sys.argv[1:2] == ["--body"]:
        print(json.dumps(body(int(sys.argv[2]))))
