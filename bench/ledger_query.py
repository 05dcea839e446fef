"""A cylinder's history by `MATCH_epc` in a ledger of ten million events, on PostgreSQL.

The ledger (`jiceng_bench_ledger` on the local server) holds the lifecycle of 100,000 cylinders,
100 events each over two years (filling at the filling station, shipping, receiving at a supply
station, delivery to a user site, collection of the empty), written in time order as they would
have been captured, so that one cylinder's events lie scattered across the whole table. It is
loaded once (COPY, indexes built afterwards; about a quarter of an hour) and reused while it
holds them; `ledger-capture` adds its own events beside them.

Measured, for cylinders drawn at random (a fixed seed):
- `GET /epcis/v2/events?MATCH_epc=<cylinder>` against `jiceng serve`, one client with keep-alive:
  p50 and p95 latency as the client sees it (authentication, scope, query, the EPCISQueryDocument
  of the cylinder's 100 events as JSON);
- the selector alone (`events_query`, in this process), p50 and p95.

Before the measured runs the tables and indexes such a query reads (about 9 GB) are read into
the page cache with pg_prewarm, as on a database server whose memory holds the ledger; the p95
of a first pass before that is printed beside the figure.

Target (issue: LPG cylinders): under 20 ms at ten million events.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.isolated import postgres_available, python_json, served
from bench.ledger_capture import SERVER_WORKERS, environment
from bench.report import Figure

CYLINDERS = 100_000
ROUNDS = 100  # events per cylinder
TARGET_MS = 20.0
LOAD_JOB = uuid.uuid5(uuid.NAMESPACE_URL, "https://jiceng/bench/ledger-query")
STEPS = [
    ("urn:jiceng:bizstep:filling", "active", "station:FS01"),
    ("https://ref.gs1.org/cbv/BizStep-shipping", "in_transit", "station:FS01"),
    ("https://ref.gs1.org/cbv/BizStep-receiving", "active", "station:S{s:02d}"),
    ("urn:jiceng:bizstep:delivering", "active", "site:{site}"),
    ("urn:jiceng:bizstep:collecting", "returned", "site:{site}"),
]
BASE = datetime(2024, 1, 1, tzinfo=UTC)


def cylinder_uri(serial: int) -> str:
    return f"urn:jiceng:cylinder:TX{serial:07d}"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered)) - 1))]


def run(quick: bool) -> list[Figure]:
    if not postgres_available():
        print("ledger-query needs PostgreSQL; skipped", file=sys.stderr)
        return []
    samples = 200 if quick else 1000
    with environment("postgres") as env:
        loaded = python_json("-m", "bench.ledger_query", "--load", env=env, timeout=4 * 3600)
        info = python_json("-m", "bench.ledger_capture", "--prepare", env=env)
        with served(env, workers=SERVER_WORKERS) as (host, port):
            # First, as the ledger lies after loading (partly in the page cache, partly not).
            first_ms = _over_http(host, port, info["token"], samples // 2, seed=3)
            warm = python_json("-m", "bench.ledger_query", "--prewarm", env=env)
            http_ms = _over_http(host, port, info["token"], samples, seed=7)
        inside = python_json("-m", "bench.ledger_query", "--selector", str(samples), env=env)
    note = (
        f"{loaded['events']:,} events in the ledger ({loaded['load_seconds']:.0f} s to load"
        f"{' earlier' if loaded['reused'] else ''}); {samples} random cylinders, "
        f"{inside['events_per_answer']:.0f} events per answer; read into the page cache first "
        f"({warm['gigabytes']:.1f} GB, as on a server whose memory holds the ledger); before "
        f"that, p95 {percentile(first_ms, 95):.1f} ms"
        f"; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    return [
        Figure(
            benchmark="ledger-query",
            what="GET /epcis/v2/events?MATCH_epc= p95 (HTTP)",
            unit="milliseconds (target < 20)",
            ours=percentile(http_ms, 95),
            note=f"p50 {statistics.median(http_ms):.1f} ms; {note}",
            extra={
                "p50": statistics.median(http_ms),
                "samples": samples,
                "p95_before_prewarm": percentile(first_ms, 95),
            },
        ),
        Figure(
            benchmark="ledger-query",
            what="events_query(match_epc=) p95 (selector)",
            unit="milliseconds (target < 20)",
            ours=float(inside["p95"]),
            note=f"p50 {inside['p50']:.1f} ms",
            extra=inside,
        ),
    ]


def _over_http(host: str, port: int, token: str, samples: int, *, seed: int) -> list[float]:
    rng = random.Random(seed)
    conn = http.client.HTTPConnection(host, port, timeout=60)
    headers = {"Authorization": f"Bearer {token}"}
    latencies = []
    for i in range(samples + 20):
        serial = rng.randrange(CYLINDERS)
        start = time.perf_counter()
        conn.request("GET", f"/epcis/v2/events?MATCH_epc={cylinder_uri(serial)}", headers=headers)
        response = conn.getresponse()
        body = response.read()
        elapsed = (time.perf_counter() - start) * 1000
        if response.status != 200:
            raise RuntimeError(f"query answered {response.status}: {body[:300]!r}")
        if i >= 20:  # the first ones warm the server processes
            latencies.append(elapsed)
    return latencies


# --- inside the benchmark's environment --------------------------------------------------------


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
    import django

    django.setup()


def load() -> dict[str, Any]:
    """Load the ten million events once; resume an interrupted load where it stopped."""
    _django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.utils import timezone

    from jiceng.core.models import Region
    from jiceng.core.services.regions import region_import_csv
    from jiceng.ledger.models import CaptureJob, LedgerEvent
    from jiceng.reference import REFERENCE

    if not Region.objects.filter(code="330483").exists():
        region_import_csv((REFERENCE / "regions-tongxiang.csv").read_text(encoding="utf-8"))
    job, _ = CaptureJob.objects.get_or_create(
        capture_id=LOAD_JOB,
        defaults={
            "created_at": timezone.now(),
            "region_id": "330483",
            "running": True,
            "success": False,
        },
    )
    if job.stored_count >= CYLINDERS * ROUNDS:
        return {
            "events": LedgerEvent.objects.count(),
            "reused": True,
            "load_seconds": float(job.errors[0]) if job.errors else 0.0,
        }
    import psycopg

    start = time.perf_counter()
    done_rounds = job.stored_count // CYLINDERS
    url = os.environ["DATABASE_URL"]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET session_replication_role = replica")  # no FK triggers during COPY
        conn.execute("SET maintenance_work_mem = '1GB'")
        # Secondary indexes are dropped for the load and built afterwards (much faster); their
        # definitions are kept on the load's job, so that an interrupted load still rebuilds them.
        indexes = job.context or [
            list(row)
            for row in conn.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN "
                "('ledger_ledgerevent', 'ledger_ledgereventepc') "
                "AND indexname NOT IN (SELECT conname FROM pg_constraint)"
            ).fetchall()
        ]
        conn.execute(
            "UPDATE ledger_capturejob SET context = %s WHERE id = %s",
            [json.dumps(indexes), job.pk],
        )
        for name, _definition in indexes:
            conn.execute(f'DROP INDEX IF EXISTS "{name}"')
        for round_ in range(done_rounds, ROUNDS):
            _load_round(conn, job.pk, round_)
            conn.execute(
                "UPDATE ledger_capturejob SET stored_count = %s WHERE id = %s",
                [(round_ + 1) * CYLINDERS, job.pk],
            )
            print(f"round {round_ + 1}/{ROUNDS}", file=sys.stderr, flush=True)
        for _name, definition in indexes:
            conn.execute(definition.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS", 1))
        # VACUUM sets the visibility map, so that MATCH_epc reads the identifier index alone
        # (autovacuum does the same for a growing ledger in production).
        conn.execute("VACUUM ANALYZE ledger_ledgerevent")
        conn.execute("VACUUM ANALYZE ledger_ledgereventepc")
    seconds = time.perf_counter() - start
    CaptureJob.objects.filter(pk=job.pk).update(
        running=False, success=True, finished_at=timezone.now(), errors=[f"{seconds:.0f}"]
    )
    return {"events": LedgerEvent.objects.count(), "reused": False, "load_seconds": seconds}


def _load_round(conn: Any, job_pk: int, round_: int) -> None:
    """One event for every cylinder: round r is step r mod 5 of the cylinder's cycle."""
    step, disposition, place = STEPS[round_ % len(STEPS)]
    with conn.transaction():
        first = conn.execute(
            "SELECT nextval(pg_get_serial_sequence('ledger_ledgerevent', 'id'))"
        ).fetchone()[0]
        conn.execute(
            "SELECT setval(pg_get_serial_sequence('ledger_ledgerevent', 'id'), %s)",
            [first + CYLINDERS - 1],
        )
        recorded = datetime.now(UTC).isoformat()
        # Times repeat every 10,000 minutes within a round: format them once.
        day = BASE + timedelta(days=7 * round_)
        minutes = [day + timedelta(minutes=m) for m in range(10_000)]
        utc = [m.isoformat() for m in minutes]
        local = [(m + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M:%S.000+08:00") for m in minutes]
        disp = f"https://ref.gs1.org/cbv/Disp-{disposition}"
        with conn.cursor().copy(
            "COPY ledger_ledgerevent (id, event_id, event_type, action, event_time, "
            "event_time_zone_offset, record_time, biz_step, disposition, read_point, "
            "biz_location, parent_id, capture_job_id, region_id, flagged, flag_reasons, body) "
            "FROM STDIN"
        ) as copy:
            lines = []
            for serial in range(CYLINDERS):
                m = serial % 10_000
                where = "urn:jiceng:" + place.format(s=serial % 18 + 1, site=serial % 20_000 + 1)
                event_id = f"urn:uuid:{round_:08x}-0000-4000-8000-{serial:012x}"
                body = (
                    f'{{"eventID":"{event_id}","type":"ObjectEvent","action":"OBSERVE",'
                    f'"bizStep":"{step}","disposition":"{disposition}",'
                    f'"epcList":["urn:jiceng:cylinder:TX{serial:07d}"],'
                    f'"eventTime":"{local[m]}","eventTimeZoneOffset":"+08:00",'
                    f'"readPoint":{{"id":"{where}"}},"bizLocation":{{"id":"{where}"}}}}'
                )
                lines.append(
                    f"{first + serial}\t{event_id}\tObjectEvent\tOBSERVE\t{utc[m]}\t+08:00\t"
                    f"{recorded}\t{step}\t{disp}\t{where}\t{where}\t\t{job_pk}\t330483\tf\t"
                    f"[]\t{body}\n"
                )
                if len(lines) == 10_000:
                    copy.write("".join(lines))
                    lines = []
            copy.write("".join(lines))
        with conn.cursor().copy(
            "COPY ledger_ledgereventepc (event_id, epc, role, event_time) FROM STDIN"
        ) as copy:
            copy.write(
                "".join(
                    f"{first + serial}\turn:jiceng:cylinder:TX{serial:07d}\tepc\t"
                    f"{utc[serial % 10_000]}\n"
                    for serial in range(CYLINDERS)
                )
            )


def prewarm() -> dict[str, Any]:
    """Read the tables and indexes a MATCH_epc query touches into the operating system's page
    cache (pg_prewarm in "read" mode)."""
    import psycopg

    relations = ["ledger_ledgerevent", "ledger_ledgerevent_pkey", "ledger_epc_time"]
    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        blocks = 0
        for name in relations:
            row = conn.execute("SELECT pg_prewarm(%s, 'read')", [name]).fetchone()
            blocks += int(row[0]) if row else 0
    return {"gigabytes": blocks * 8192 / 1e9}


def selector(samples: int) -> dict[str, Any]:
    _django()
    from jiceng.core.models import User
    from jiceng.ledger.selectors import events_query

    user = User.objects.get(username="bench-ledger")
    rng = random.Random(11)
    latencies, sizes = [], []
    for i in range(samples + 20):
        serial = rng.randrange(CYLINDERS)
        start = time.perf_counter()
        events, _token = events_query(match_epc=cylinder_uri(serial), user=user)
        elapsed = (time.perf_counter() - start) * 1000
        if i >= 20:
            latencies.append(elapsed)
            sizes.append(len(events))
    return {
        "p50": statistics.median(latencies),
        "p95": percentile(latencies, 95),
        "events_per_answer": statistics.mean(sizes),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--load", action="store_true")
    parser.add_argument("--selector", type=int)
    parser.add_argument("--prewarm", action="store_true")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    if args.load:
        print(json.dumps(load()))
    elif args.selector:
        print(json.dumps(selector(args.selector)))
    elif args.prewarm:
        print(json.dumps(prewarm()))
    else:
        from bench.report import print_table

        print_table(run(quick=args.quick))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
