"""Lift-blocker alerts on SQLite: alerts per second, each with its rule check (the third
lift-entry alert of a building within 24 hours opens a case, later ones join it), through the
service and through the API (`POST /api/v1/ebike/alerts` with the device's key, in-process); and
the latency of the one alert that opens a case and recolours its building.

Targets (issue 14): at least 500 alerts per second; one alert → case → building colour in
under 20 ms. Each run builds a fresh county in a temporary data folder.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from typing import Any

from bench.isolated import migrated_django, run_module
from bench.report import Figure

RATE_TARGET = 500.0
CASE_TARGET_MS = 20.0


def run(quick: bool) -> list[Figure]:
    buildings, alerts = ("200", "2000") if quick else ("1000", "10000")
    result = run_module(
        "bench.ebike_alerts", "--body", buildings, alerts, database="sqlite", name="ebike_alerts"
    )
    return [
        Figure(
            benchmark="ebike-alerts",
            what=f"{result['alerts']:,} alerts over {result['buildings']:,} buildings, service",
            unit=f"alerts per second (target ≥ {RATE_TARGET:.0f})",
            ours=float(str(result["service_rate"])),
            note=f"{result['cases']} cases opened; each alert with its rule check",
            extra=result,
        ),
        Figure(
            benchmark="ebike-alerts",
            what=f"{result['http_alerts']:,} alerts through the API (device key), in-process",
            unit=f"alerts per second (target ≥ {RATE_TARGET:.0f})",
            ours=float(str(result["http_rate"])),
            note="Django's test client: key lookup, JSON, validation, service, answer",
        ),
        Figure(
            benchmark="ebike-alerts",
            what="the alert that opens a case → building colour",
            unit=f"ms, median (target < {CASE_TARGET_MS:.0f})",
            ours=float(str(result["case_ms"])),
            note=f"p95 {result['case_p95_ms']:.1f} ms over {result['case_samples']} buildings",
        ),
    ]


def world(buildings: int) -> dict[str, Any]:
    """A county with `buildings` buildings in 20 grids, each with a lift blocker (keys
    returned), the reference data of cases, alerts and colours."""
    from jiceng.cases.reference_data import categories_load, departments_create
    from jiceng.core.bulk import insert_objects
    from jiceng.core.secret_keys import key_digest
    from jiceng.core.services.regions import region_import_csv
    from jiceng.ebike.models import Building, LiftBlocker
    from jiceng.ebike.reference_data import alert_rules_ensure, building_rules_ensure
    from jiceng.ebike.services.registry import DEVICE_KEY_PREFIX
    from jiceng.reference import REFERENCE

    region_import_csv((REFERENCE / "regions-tongxiang.csv").read_text(encoding="utf-8"))
    region_import_csv(
        "code,name,level,parent\n330483001001,庆丰社区,village,330483001\n"
        + "\n".join(f"330483001001{g:03d},网格{g},grid,330483001001" for g in range(1, 21))
    )
    categories_load()
    departments_create(county_code="330483")
    alert_rules_ensure()
    building_rules_ensure()
    insert_objects(
        Building,
        [
            Building(
                name=f"楼{i}",
                region_id=f"330483001001{i % 20 + 1:03d}",
                floors=18,
                high_rise=True,
                households=72,
            )
            for i in range(buildings)
        ],
    )
    ids = list(Building.objects.order_by("pk").values_list("pk", flat=True))
    keys = [f"{DEVICE_KEY_PREFIX}bench{pk:08d}" for pk in ids]
    insert_objects(
        LiftBlocker,
        [
            LiftBlocker(
                name="1号梯", building_id=pk, key_prefix=key[:10], key_digest=key_digest(key)
            )
            for pk, key in zip(ids, keys, strict=True)
        ],
    )
    return {"ids": ids, "keys": keys}


def body(buildings: int, alerts: int) -> dict[str, object]:
    migrated_django()
    from datetime import timedelta

    from django.test import Client
    from django.utils import timezone

    from jiceng.ebike.models import LiftAlert, LiftBlocker
    from jiceng.ebike.services.alerts import alert_receive

    built = world(buildings)
    ids = built["ids"]
    devices = {d.building_id: d for d in LiftBlocker.objects.all()}
    now = timezone.now()
    # Service: alerts spread over the buildings, a few hours apart, so that some buildings
    # reach three within a day and open a case.
    start = time.perf_counter()
    for n in range(alerts):
        building = ids[(n * 7919) % len(ids)]
        at = now - timedelta(hours=(alerts - n) * 48 / alerts)
        alert_receive(
            kind="lift_entry", building=building, lift="1号梯", at=at, device=devices[building]
        )
    service_seconds = time.perf_counter() - start
    cases = LiftAlert.objects.exclude(case=None).values("case_id").distinct().count()
    # The API, in-process, with the device's key.
    client = Client(HTTP_HOST="127.0.0.1")
    http_alerts = alerts // 2
    start = time.perf_counter()
    for n in range(http_alerts):
        index = (n * 104729) % len(ids)
        answer = client.post(
            "/api/v1/ebike/alerts",
            {
                "kind": "lift_entry",
                "building": ids[index],
                "lift": "2号梯",
                "at": (now - timedelta(seconds=http_alerts - n)).isoformat(),
            },
            content_type="application/json",
            HTTP_X_DEVICE_KEY=built["keys"][index],
        )
        assert answer.status_code == 201, answer.content
    http_seconds = time.perf_counter() - start
    # The alert that opens a case: buildings without alerts of the last day get two, then the
    # third is timed (its case, its colour).
    LiftAlert.objects.all().delete()
    samples = []
    for building in ids[: min(100, len(ids))]:
        for minutes in (30, 20):
            alert_receive(
                kind="lift_entry",
                building=building,
                lift="1",
                at=now - timedelta(minutes=minutes),
                device=devices[building],
            )
        start = time.perf_counter()
        third = alert_receive(
            kind="lift_entry",
            building=building,
            lift="1",
            at=now - timedelta(minutes=10),
            device=devices[building],
        )
        samples.append(time.perf_counter() - start)
        assert third.case_id is not None
    samples.sort()
    return {
        "buildings": len(ids),
        "alerts": alerts,
        "service_rate": round(alerts / service_seconds, 1),
        "cases": cases,
        "http_alerts": http_alerts,
        "http_rate": round(http_alerts / http_seconds, 1),
        "case_ms": round(statistics.median(samples) * 1e3, 2),
        "case_p95_ms": round(samples[int(len(samples) * 0.95) - 1] * 1e3, 2),
        "case_samples": len(samples),
    }


if __name__ == "__main__":
    if sys.argv[1:2] == ["--body"]:
        print(json.dumps(body(int(sys.argv[2]), int(sys.argv[3]))))
