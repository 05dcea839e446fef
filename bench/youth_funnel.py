"""Youth talent reserve: the pipeline of 100,000 young people by town (target < 200 ms) and the
county's funnel, in a fresh database. The stage is kept on each person's record (denormalised by
the step services), so that the funnel is one GROUP BY on one table; the peer is the same counts
made in Python over every row (what a page would do without the denormalised stage)."""

from __future__ import annotations

import json
import sys
import time

from bench.isolated import migrated_django, postgres_available, run_module
from bench.report import Figure

PEOPLE = 100_000
TARGET_MS = 200.0


def run(quick: bool) -> list[Figure]:
    count = 20_000 if quick else PEOPLE
    figures = []
    databases = ["sqlite", *(["postgres"] if postgres_available() else [])]
    for database in databases:
        result = run_module(
            "bench.youth_funnel", "--body", str(count), database=database,
            name="jiceng_bench_youth",
        )  # fmt: skip
        figures.append(
            Figure(
                benchmark="youth-funnel",
                what=f"pipeline by town, {result['people']:,} people ({database})",
                unit="ms, median of 5",
                ours=float(str(result["by_town_ms"])),
                peer=float(str(result["python_ms"])),
                peer_name="the same counts in Python over every row",
                note=f"target < {TARGET_MS:.0f} ms; identical counts (asserted)",
            )
        )
        figures.append(
            Figure(
                benchmark="youth-funnel",
                what=f"county funnel, {result['people']:,} people ({database})",
                unit="ms, median of 5",
                ours=float(str(result["funnel_ms"])),
                note="one GROUP BY on the denormalised stage",
            )
        )
    return figures


def _median_ms(fn: object, repeat: int = 5) -> float:
    times = []
    fn()  # type: ignore[operator]
    for _ in range(repeat):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return sorted(times)[repeat // 2] * 1e3


def body(count: int) -> dict[str, object]:
    migrated_django()
    import random
    from collections import Counter
    from datetime import date, timedelta

    from jiceng.core.models import Person, Region, Role
    from jiceng.core.scope import town_of
    from jiceng.core.services.accounts import user_create
    from jiceng.core.services.regions import region_import_csv
    from jiceng.reference import REFERENCE
    from jiceng.youth.models import Stage, Talent
    from jiceng.youth.selectors import FUNNEL, funnel, pipeline

    region_import_csv((REFERENCE / "regions-tongxiang.csv").read_text(encoding="utf-8"))
    towns = list(Region.objects.filter(level="town", code__startswith="330483"))
    Region.objects.bulk_create(
        Region(code=f"{t.code}{v:03d}", name=f"{t.name}{v}村", level="village", parent=t,
               prefix=f"{t.code}{v:03d}")
        for t in towns
        for v in range(1, 21)
    )  # fmt: skip
    villages = list(Region.objects.filter(level="village").values_list("code", flat=True))
    office = user_create(
        username="office", password=None, region_code="330483", roles=[Role.PARTY_ORGANISER]
    )
    rng = random.Random(11)
    today = date(2026, 12, 1)
    stages = [s.value for s in Stage]
    people, talents = [], []
    for i in range(count):
        born = date(1986, 1, 1) + timedelta(days=rng.randrange(365 * 20))
        region = rng.choice(villages)
        people.append(
            Person(name=f"青年{i}", id_digest=f"bench-{i}", id_sealed="-", id_masked="-",
                   gender="M", birth_date=born, region_id=region)
        )  # fmt: skip
    Person.objects.bulk_create(people, batch_size=5000)
    for person in Person.objects.filter(id_digest__startswith="bench-").iterator(chunk_size=5000):
        talents.append(
            Talent(
                person_id=person.pk, region_id=person.region_id, birth_date=person.birth_date,
                education="bachelor", background="villager", stage=rng.choice(stages),
                reserve_cadre=rng.random() < 0.05, wealth_leader=rng.random() < 0.03,
                due_on=today + timedelta(days=rng.randint(-60, 300)) if rng.random() < 0.5
                else None,
            )
        )  # fmt: skip
    Talent.objects.bulk_create(talents, batch_size=5000)
    from django.db import connection

    if connection.vendor == "postgresql":
        # What autovacuum does after a bulk load: statistics, and the visibility map that lets
        # the pipeline read its covering index alone.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE youth_talent")

    def python_counts() -> dict[str, Counter[str]]:
        by_town: dict[str, Counter[str]] = {}
        for region, stage in Talent.objects.values_list("region_id", "stage").iterator(
            chunk_size=10_000
        ):
            town = town_of(region) or region
            by_town.setdefault(town, Counter())[FUNNEL.get(stage, "none")] += 1
        return by_town

    by_town = pipeline(office, level="town", today=today)
    expected = python_counts()
    for town, counter in expected.items():
        for key, n in counter.items():
            assert by_town[town][key] == n, (town, key)
    total = funnel(office, today=today)
    assert sum(total[k] for k in ("applicant", "activist", "development_object",
                                   "probationary", "member", "none")) == count  # fmt: skip
    return {
        "people": count,
        "by_town_ms": _median_ms(lambda: pipeline(office, level="town", today=today)),
        "funnel_ms": _median_ms(lambda: funnel(office, today=today)),
        "python_ms": _median_ms(python_counts, repeat=3),
    }


if __name__ == "__main__":
    if sys.argv[1:2] == ["--body"]:
        print(json.dumps(body(int(sys.argv[2]))))
