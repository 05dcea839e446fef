"""Three-colour codes of bottled-gas user sites: every site recomputed from scratch, and one
captured event updating its site's colour, on SQLite and PostgreSQL.

Targets (issue 7): 300,000 sites from scratch in under a minute; one event updates its site's
colour in under 10 ms. The data is realistic in shape: two cylinders at each site on average
(ages spread over ten years, so some are past inspection or design life), one site in twenty
with an open hazard, most sites checked within the year.
"""

from __future__ import annotations

import json
import statistics
import sys
import time

from bench.isolated import migrated_django, postgres_available, run_module
from bench.report import Figure

FULL_TARGET_S = 60.0
EVENT_TARGET_MS = 10.0


def run(quick: bool) -> list[Figure]:
    sites = "30000" if quick else "300000"
    figures = []
    for database in ("sqlite", "postgres"):
        if database == "postgres" and not postgres_available():
            continue
        result = run_module(
            "bench.gas_colours", "--body", sites, database=database, name="jiceng_bench_gas"
        )
        colours = result["colours"]
        figures.append(
            Figure(
                benchmark="gas-colours",
                what=f"all {result['sites']:,} sites from scratch, {database}",
                unit=f"seconds (target < {FULL_TARGET_S:.0f} s)",
                ours=float(str(result["full_seconds"])),
                note=f"{colours}; again with colours in place: {result['again_seconds']:.1f} s",
                extra=result,
            )
        )
        figures.append(
            Figure(
                benchmark="gas-colours",
                what=f"one delivery event → its site's colour, {database}",
                unit=f"ms per captured one-event document, median (target < {EVENT_TARGET_MS:.0f})",
                ours=float(str(result["event_ms"])),
                note=f"colour refresh alone {result['refresh_ms']:.2f} ms; p95 event "
                f"{result['event_p95_ms']:.2f} ms",
            )
        )
    return figures


def _build(count: int) -> None:
    import random
    from datetime import date, timedelta

    from django.utils import timezone

    from jiceng.core.models import Region, Site
    from jiceng.core.services.regions import region_import_csv
    from jiceng.gas.lifecycle import end_of_life, next_inspection_due
    from jiceng.gas.models import Cylinder, CylinderState, Station, UserSite
    from jiceng.inspections.models import Checklist, Finding, Inspection
    from jiceng.reference import REFERENCE

    rng = random.Random(7)
    region_import_csv((REFERENCE / "regions-tongxiang.csv").read_text(encoding="utf-8"))
    towns = list(Region.objects.filter(level="town", code__startswith="330483"))
    villages = "code,name,level,parent\n" + "\n".join(
        f"{t.code}{v:03d},村{t.code[-3:]}-{v},village,{t.code}" for t in towns for v in range(1, 21)
    )
    region_import_csv(villages)
    codes = list(Region.objects.filter(level="village").values_list("code", flat=True))
    filling = Station.objects.create(code="F", name="储配站", kind="filling", region_id="330483")
    stations = [
        Station.objects.create(
            code=f"S{i:02d}", name=f"供应站{i}", kind="supply", region=t, parent=filling
        )
        for i, t in enumerate(towns)
    ]
    today = timezone.localdate()
    now = timezone.now()
    batch = 5000
    # safety checks are inspections of the engine's gas_site checklist (loaded by migration)
    checklist = Checklist.objects.get(code="gas_site")
    hose = checklist.items.get(code="hose")
    for start in range(0, count, batch):
        size = min(batch, count - start)
        core = Site.objects.bulk_create(
            [
                Site(
                    name=f"用户{start + i}",
                    kind="dwelling",
                    region_id=codes[(start + i) % len(codes)],
                    qr_token=f"b{start + i:012d}",
                )
                for i in range(size)
            ]
        )
        UserSite.objects.bulk_create(
            [
                UserSite(
                    site_id=s.pk,
                    kind="household",
                    region_id=s.region_id,
                    station=stations[i % len(stations)],
                )
                for i, s in enumerate(core)
            ]
        )
        cylinders: list[Cylinder] = []
        checks: list[Inspection] = []
        hazards: list[tuple[int, str, date]] = []  # (index of the check, grade, deadline)
        for s in core:
            for _ in range(rng.choice((1, 2, 2, 3))):
                made = today - timedelta(days=rng.randint(30, 3650))
                inspected = made + timedelta(days=rng.randint(0, (today - made).days))
                cylinders.append(
                    Cylinder(
                        identifier=f"urn:jiceng:cylinder:B{len(cylinders)}-{s.pk}",
                        manufactured_on=made,
                        nominal_kg=15,
                        last_inspected_on=inspected,
                        next_inspection_due=next_inspection_due(
                            last_inspected_on=inspected, manufactured_on=made, interval_years=4
                        ),
                        end_of_life=end_of_life(made, 8),
                        owner=stations[s.pk % len(stations)],
                        state=CylinderState.AT_USER,
                        location_site_id=s.pk,
                    )
                )
            checked, hazard = rng.random() < 0.9, rng.random() < 0.05
            if checked or hazard:
                if hazard:
                    hazards.append(
                        (
                            len(checks),
                            rng.choice(("major", "minor")),
                            today + timedelta(days=rng.randint(-10, 10)),
                        )
                    )
                checks.append(
                    Inspection(
                        checklist=checklist,
                        target_kind="gas_site",
                        target_id=str(s.pk),
                        region_id=s.region_id,
                        inspected_at=now - timedelta(days=rng.randint(1, 500)),
                    )
                )
        Cylinder.objects.bulk_create(cylinders, batch_size=batch)
        checks = Inspection.objects.bulk_create(checks, batch_size=batch)
        Finding.objects.bulk_create(
            [
                Finding(
                    inspection=checks[index],
                    item=hose,
                    target_kind="gas_site",
                    target_id=checks[index].target_id,
                    ok=False,
                    severity=grade,
                    status="open",
                    deadline=deadline,
                )
                for index, grade, deadline in hazards
            ],
            batch_size=batch,
        )


def body(count: int) -> dict[str, object]:
    migrated_django()
    from datetime import UTC

    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from jiceng.gas.models import Cylinder, CylinderState, UserSite
    from jiceng.gas.reference_data import SITE_SCHEME, site_rules_ensure
    from jiceng.gas.services.colours import site_colours_recompute_all, site_colours_refresh
    from jiceng.ledger.services import document_capture
    from jiceng.risk.models import SubjectColour

    build_start = time.perf_counter()
    _build(count)
    build_seconds = time.perf_counter() - build_start
    # The planner's statistics, as autovacuum would gather them after a bulk load (without them
    # PostgreSQL scans whole tables for one site's facts).
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    site_rules_ensure()

    start = time.perf_counter()
    site_colours_recompute_all()
    full = time.perf_counter() - start
    start = time.perf_counter()
    site_colours_recompute_all()
    again = time.perf_counter() - start
    colours = dict(
        SubjectColour.objects.filter(scheme=SITE_SCHEME)
        .values_list("colour")
        .annotate(n=Count("pk"))
        .order_by()
    )

    site_ids = list(UserSite.objects.values_list("pk", flat=True)[:400])
    refresh = []
    for site_id in site_ids[:200]:
        t = time.perf_counter()
        site_colours_refresh(site_ids=[site_id])
        refresh.append(time.perf_counter() - t)
    # One delivery per document, each to another site (the cylinder moves from one site to
    # the next: two sites' colours change, as in a real hand-over after collection).
    spare = list(
        Cylinder.objects.filter(state=CylinderState.AT_USER).values_list("identifier", flat=True)[
            :200
        ]
    )
    Cylinder.objects.filter(identifier__in=spare).update(
        state=CylinderState.FILLED, location_site=None
    )
    events = []
    for i, identifier in enumerate(spare):
        now = timezone.now().astimezone(UTC).isoformat().replace("+00:00", "Z")
        document = {
            "@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"],
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": now,
            "epcisBody": {
                "eventList": [
                    {
                        "type": "ObjectEvent",
                        "eventTime": now,
                        "eventTimeZoneOffset": "+08:00",
                        "epcList": [identifier],
                        "action": "OBSERVE",
                        "bizStep": "urn:jiceng:bizstep:delivering",
                        "bizLocation": {"id": f"urn:jiceng:site:{site_ids[200 + i % 200]}"},
                    }
                ]
            },
        }
        t = time.perf_counter()
        job = document_capture(document=document, actor=None)
        events.append(time.perf_counter() - t)
        assert job.success, job.errors
    events.sort()
    return {
        "sites": count,
        "cylinders": Cylinder.objects.count(),
        "build_seconds": round(build_seconds, 1),
        "full_seconds": round(full, 2),
        "again_seconds": round(again, 2),
        "colours": colours,
        "refresh_ms": round(statistics.median(refresh) * 1000, 3),
        "event_ms": round(statistics.median(events) * 1000, 3),
        "event_p95_ms": round(events[int(len(events) * 0.95)] * 1000, 3),
    }


if __name__ == "__main__":
    if sys.argv[1:2] == ["--body"]:
        print(json.dumps(body(int(sys.argv[2]))))
    else:
        from bench.report import print_table

        print_table(run(quick="--quick" in sys.argv))
