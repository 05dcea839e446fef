"""Building colours for e-bike fire safety on SQLite: every building from scratch (target: 50,000
buildings in under 30 s), with data realistic in shape — two registered e-bikes per building on
average, charging ports for a third of them, an inspection within the year for four in five, an
open finding for one in ten (some major and past their deadline, some flying-lead charging), an
open lift-entry case for one in a hundred."""

from __future__ import annotations

import json
import sys
import time

from bench.isolated import migrated_django, run_module
from bench.report import Figure

FULL_TARGET_S = 30.0


def run(quick: bool) -> list[Figure]:
    buildings = "5000" if quick else "50000"
    result = run_module(
        "bench.ebike_colours", "--body", buildings, database="sqlite", name="ebike_colours"
    )
    return [
        Figure(
            benchmark="ebike-colours",
            what=f"all {result['buildings']:,} buildings from scratch, sqlite",
            unit=f"seconds (target < {FULL_TARGET_S:.0f} s)",
            ours=float(str(result["full_seconds"])),
            note=f"{result['colours']}; again with colours in place: {result['again_seconds']} s",
            extra=result,
        )
    ]


def _build(count: int) -> None:
    import random
    from datetime import timedelta

    from django.utils import timezone

    from bench.ebike_alerts import world
    from jiceng.cases.models import Source
    from jiceng.cases.services.intake import case_report
    from jiceng.core.bulk import insert_objects
    from jiceng.ebike.models import ChargingPlace, Ebike, LiftAlert
    from jiceng.ebike.reference_data import checklists_ensure
    from jiceng.inspections.models import Checklist, Finding, Inspection

    rng = random.Random(14)
    ids = world(count)["ids"]
    checklists_ensure()
    community = Checklist.objects.get(code="community")
    items = {i.code: i for i in community.items.all()}
    now = timezone.now()
    today = timezone.localdate()
    bikes, places, inspections = [], [], []
    for pk in ids:
        for n in range(rng.choice((0, 1, 2, 2, 3, 4))):
            bikes.append(
                Ebike(
                    identifier=f"urn:jiceng:ebike:B{pk}-{n}",
                    plate=f"桐乡B{pk:06d}{n}",
                    frame_number=f"TXB{pk:09d}{n}",
                    building_id=pk,
                    region_id="330483001001",
                    state="in_use",
                )
            )
        if rng.random() < 0.33:
            places.append(
                ChargingPlace(
                    name=f"车棚{pk}",
                    building_id=pk,
                    region_id="330483001001",
                    ports=rng.choice((0, 1, 4, 10)),
                )
            )
        if rng.random() < 0.8:
            inspections.append(
                Inspection(
                    checklist=community,
                    target_kind="building",
                    target_id=str(pk),
                    target_label=f"楼{pk}",
                    region_id="330483001001",
                    inspected_at=now - timedelta(days=rng.randint(1, 400)),
                )
            )
    insert_objects(Ebike, bikes)
    insert_objects(ChargingPlace, places)
    insert_objects(Inspection, inspections)
    findings = []
    for inspection in Inspection.objects.filter(target_kind="building").iterator(chunk_size=5000):
        if rng.random() < 0.12:
            item = items[rng.choice(("C01", "C03", "C05", "C07"))]
            findings.append(
                Finding(
                    inspection_id=inspection.pk,
                    item=item,
                    target_kind="building",
                    target_id=inspection.target_id,
                    ok=False,
                    severity=item.severity,
                    status="open",
                    deadline=today + timedelta(days=rng.randint(-10, 20)),
                )
            )
    insert_objects(Finding, findings)
    # Open lift-entry cases for one building in a hundred (cases through their service).
    alerts = []
    for pk in ids[::100]:
        case = case_report(
            actor=None,
            category="ebike_lift_entry",
            description="bench",
            region_code="330483001001",
            source=Source.MODULE,
            at=now - timedelta(days=rng.randint(0, 12)),
        )
        alerts.append(LiftAlert(building_id=pk, kind="lift_entry", lift="1", at=now, case=case))
    insert_objects(LiftAlert, alerts)


def body(count: int) -> dict[str, object]:
    migrated_django()
    from django.db.models import Count

    from jiceng.ebike.reference_data import BUILDING_SCHEME
    from jiceng.ebike.services.colours import building_colours_recompute_all
    from jiceng.risk.models import SubjectColour

    start = time.perf_counter()
    _build(count)
    build_seconds = time.perf_counter() - start
    start = time.perf_counter()
    building_colours_recompute_all()
    full = time.perf_counter() - start
    start = time.perf_counter()
    building_colours_recompute_all()
    again = time.perf_counter() - start
    colours = dict(
        SubjectColour.objects.filter(scheme=BUILDING_SCHEME)
        .values_list("colour")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {
        "buildings": count,
        "build_seconds": round(build_seconds, 1),
        "full_seconds": round(full, 2),
        "again_seconds": round(again, 2),
        "colours": colours,
    }


if __name__ == "__main__":
    if sys.argv[1:2] == ["--body"]:
        print(json.dumps(body(int(sys.argv[2]))))
