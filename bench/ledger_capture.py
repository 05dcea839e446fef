"""EPCIS capture over HTTP: batch documents of 1,000 ObjectEvents posted to `POST /epcis/v2/capture`
of `jiceng serve` on this machine, events stored per second, on SQLite (two server processes, two
clients) and on PostgreSQL (four of each); and the capture service alone on SQLite, per second of
one core's CPU time (a figure that other work on the machine disturbs less).

What a capture does is the whole path a scale or delivery app's upload takes: authentication,
reading and checking the document, the capture job, the events and their identifier index in one
transaction, every registered capture handler (the gas module's included: these cylinders carry
GRAIs and move between SGLN-identified places of a partner's network, which the county's
registries only look up, so it is the ledger's own cost that is measured), and the 202. Each
document's job is read back afterwards and must say success; the stored events are counted.

Targets (issue: LPG cylinders): at least 5,000 events per second on SQLite and 10,000 on
PostgreSQL. The documents are made before the clock starts; the figure is wall-clock time over
all of them. PostgreSQL is the database `jiceng_bench_ledger`, shared with `ledger-query`: it is
not dropped, new events are added to whatever it holds (their number is printed beside the
figure).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from bench.isolated import (
    POSTGRES_URL,
    ensure_postgres_database,
    postgres_available,
    python_json,
    served,
)
from bench.report import Figure

DATABASE = "jiceng_bench_ledger"
TARGETS = {"sqlite": 5_000.0, "postgres": 10_000.0}
EVENTS_PER_DOCUMENT = 1_000
# Server processes and clients: SQLite has one writer, so two suffice (one parses while the
# other writes); PostgreSQL writes in parallel and waits on its log flush at every commit.
CONCURRENCY = {"sqlite": 2, "postgres": 4}
SERVER_WORKERS = 2
CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"


@contextmanager
def environment(database: str) -> Iterator[dict[str, str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JICENG_", "DATABASE_URL"))}
    with tempfile.TemporaryDirectory(prefix="jiceng-bench-") as data:
        env["JICENG_DATA"] = data
        if database == "postgres":
            ensure_postgres_database(DATABASE)
            env["DATABASE_URL"] = POSTGRES_URL.format(name=DATABASE)
        yield env


def document(events: int, *, batch: int) -> bytes:
    """A document of `events` ObjectEvents as a filling line's reader would send them."""
    base = uuid.uuid4().hex[:12]
    items = []
    for i in range(events):
        serial = batch * events + i
        items.append(
            {
                "eventID": f"urn:uuid:{uuid.uuid4()}",
                "type": "ObjectEvent",
                "action": "OBSERVE",
                "bizStep": "shipping",
                "disposition": "in_transit",
                "epcList": [f"urn:epc:id:grai:6901234.00001.{serial}"],
                "eventTime": f"2026-03-01T08:{(i // 60) % 60:02d}:{i % 60:02d}.000+08:00",
                "eventTimeZoneOffset": "+08:00",
                "readPoint": {"id": "urn:epc:id:sgln:6901234.00001.0"},
                "bizLocation": {"id": "urn:epc:id:sgln:6901234.00001.0"},
                "bizTransactionList": [
                    {"type": "desadv", "bizTransaction": f"urn:epcglobal:cbv:bt:{base}:{i}"}
                ],
            }
        )
    return json.dumps(
        {
            "@context": [CONTEXT],
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": "2026-03-01T08:00:00+08:00",
            "epcisBody": {"eventList": items},
        }
    ).encode()


def post_all(
    host: str, port: int, token: str, bodies: list[bytes], clients: int = 2
) -> tuple[float, list[str]]:
    """Post the documents from `clients` threads; wall-clock seconds and the job locations."""
    lock = threading.Lock()
    queue = list(bodies)
    locations: list[str] = []
    failures: list[str] = []
    barrier = threading.Barrier(clients + 1)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/ld+json"}

    def client() -> None:
        conn = http.client.HTTPConnection(host, port, timeout=300)
        barrier.wait()
        while True:
            with lock:
                if not queue:
                    return
                body = queue.pop()
            conn.request("POST", "/epcis/v2/capture", body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            with lock:
                if response.status == 202:
                    locations.append(response.getheader("Location") or "")
                else:
                    failures.append(str(response.status))

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - start
    if failures:
        raise RuntimeError(f"capture answered {failures[:5]}")
    return seconds, locations


def jobs_successful(host: str, port: int, token: str, locations: list[str]) -> bool:
    conn = http.client.HTTPConnection(host, port, timeout=60)
    for location in locations:
        conn.request("GET", location, headers={"Authorization": f"Bearer {token}"})
        response = conn.getresponse()
        job = json.loads(response.read())
        if response.status != 200 or not job["success"]:
            return False
    return True


def run(quick: bool) -> list[Figure]:
    documents = 6 if quick else 60
    figures = []
    for database in ("sqlite", "postgres"):
        if database == "postgres" and not postgres_available():
            continue
        with environment(database) as env:
            info = python_json("-m", "bench.ledger_capture", "--prepare", env=env)
            concurrency = CONCURRENCY[database]
            # Two documents per server process first, from as many clients: every process has
            # served (imported, connected, prepared its statements) before the clock starts.
            warm = 2 * concurrency
            bodies = [document(EVENTS_PER_DOCUMENT, batch=b) for b in range(documents + warm)]
            with served(env, workers=concurrency) as (host, port):
                post_all(host, port, info["token"], bodies[:warm], concurrency)
                seconds, locations = post_all(host, port, info["token"], bodies[warm:], concurrency)
                ok = jobs_successful(host, port, info["token"], locations)
            after = python_json("-m", "bench.ledger_capture", "--count", env=env)
        events = documents * EVENTS_PER_DOCUMENT
        stored = int(after["events"]) - int(info["events"]) - warm * EVENTS_PER_DOCUMENT
        if not ok or stored != events:
            raise RuntimeError(f"capture lost events: {stored} stored of {events}")
        rate = events / seconds
        target = TARGETS[database]
        figures.append(
            Figure(
                benchmark="ledger-capture",
                what=f"POST /epcis/v2/capture on {database} ({documents}×{EVENTS_PER_DOCUMENT})",
                unit=f"events per second (target ≥ {target:,.0f})",
                ours=rate,
                note=(
                    f"{rate / target:.2f}× the target; {concurrency} clients, {concurrency} "
                    f"server processes; ledger held {int(info['events']):,} events before"
                    f"; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
                ),
                extra={"seconds": seconds, "events": events, "events_before": info["events"]},
            )
        )
    with environment("sqlite") as env:
        service = python_json("-m", "bench.ledger_capture", "--service", str(documents), env=env)
    figures.append(
        Figure(
            benchmark="ledger-capture",
            what=f"document_capture on sqlite, per CPU second ({documents}×{EVENTS_PER_DOCUMENT})",
            unit="events per second of one core's time (target ≥ 5,000)",
            ours=float(service["per_cpu_second"]),
            note=(
                "the service in one process (SQLite works in-process too), CPU time rather "
                f"than wall-clock time: {service['per_second']:,.0f} events/s wall-clock; "
                f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
            ),
            extra=service,
        )
    )
    return figures


def service_capture(documents: int) -> dict[str, Any]:
    """Capture through the service in this process: wall-clock and CPU time."""
    info = prepare()
    from jiceng.core.models import User
    from jiceng.ledger.services import document_capture

    user = User.objects.get(username="bench-ledger")
    bodies = [document(EVENTS_PER_DOCUMENT, batch=b) for b in range(documents + 1)]
    document_capture(document=json.loads(bodies[0]), actor=user)
    wall, cpu = time.perf_counter(), time.process_time()
    for body in bodies[1:]:
        job = document_capture(document=json.loads(body), actor=user)
        if not job.success:
            raise RuntimeError(job.errors[:3])
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    events = documents * EVENTS_PER_DOCUMENT
    return {
        "events": events,
        "per_second": events / wall,
        "per_cpu_second": events / cpu,
        "events_before": info["events"],
    }


# --- inside the benchmark's environment --------------------------------------------------------


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
    import django

    django.setup()


def prepare() -> dict[str, Any]:
    _django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from jiceng.core.models import Region, Role, User
    from jiceng.core.services.accounts import api_token_create, user_create
    from jiceng.core.services.regions import region_import_csv
    from jiceng.ledger.models import LedgerEvent
    from jiceng.reference import REFERENCE

    if not Region.objects.filter(code="330483").exists():
        region_import_csv((REFERENCE / "regions-tongxiang.csv").read_text(encoding="utf-8"))
    user = User.objects.filter(username="bench-ledger").first() or user_create(
        username="bench-ledger", password=None, region_code="330483", roles=[Role.COUNTY_ADMIN]
    )
    return {"token": api_token_create(user=user)[1], "events": LedgerEvent.objects.count()}


def count() -> dict[str, Any]:
    _django()
    from jiceng.ledger.models import LedgerEvent

    return {"events": LedgerEvent.objects.count()}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--prepare", action="store_true")
    parser.add_argument("--count", action="store_true")
    parser.add_argument("--service", type=int)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    if args.prepare:
        print(json.dumps(prepare()))
    elif args.count:
        print(json.dumps(count()))
    elif args.service:
        print(json.dumps(service_capture(args.service)))
    else:
        from bench.report import print_table

        print_table(run(quick=args.quick))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
