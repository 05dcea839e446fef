"""The hall's queue under load, over HTTP against `jiceng serve` on this machine, on SQLite and
on PostgreSQL:

- full ticket cycles per second: 20 windows work at once, each in a loop of take a ticket, call
  the next one, complete it (three requests, three write transactions); every call is checked
  afterwards: no ticket reached two windows, none was left behind;
- the display board and the stats endpoint of the county centre, 95th-percentile latency with
  six months of history (the demo county and its service network, jiceng.demo.hall), while the
  hall has a queue today.

Targets (issue: the hall): board and stats p95 under 100 ms. The figures are client-side, with
the load generator on the same machine as the server (bench/loadgen.py). SQLite is measured
twice: as configured by default (a new connection per request) and with connections kept
(DATABASE_URL=sqlite:///..., as PostgreSQL is configured), to show what that setting is worth.
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
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from bench.isolated import (
    POSTGRES_URL,
    postgres_available,
    python_json,
    recreate_postgres_database,
    served,
)
from bench.loadgen import load
from bench.report import Figure

WINDOWS = 20
SQLITE_KEPT = "sqlite, connections kept"
DATABASE = "jiceng_bench_hall"
TARGET_MS = 100.0
SERVER_WORKERS = 2


# --- the driver (this process) ----------------------------------------------------------------


@contextmanager
def _environment(database: str) -> Iterator[dict[str, str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JICENG_", "DATABASE_URL"))}
    with tempfile.TemporaryDirectory(prefix="jiceng-bench-") as data:
        env["JICENG_DATA"] = data
        if database == SQLITE_KEPT:
            # The same SQLite file through DATABASE_URL, which keeps connections for 60 s (the
            # default configuration opens one per request).
            env["DATABASE_URL"] = f"sqlite:///{data}/jiceng.sqlite3"
        if database == "postgres":
            recreate_postgres_database(DATABASE)
            env["DATABASE_URL"] = POSTGRES_URL.format(name=DATABASE)
        yield env


def _cycles(host: str, port: int, info: dict[str, Any], cycles: int) -> dict[str, Any]:
    """20 windows each looping take → call → complete until `cycles` are complete."""
    lock = threading.Lock()
    remaining = cycles
    called: list[int] = []
    empty = errors = 0
    barrier = threading.Barrier(WINDOWS + 1)

    def post(
        conn: http.client.HTTPConnection, path: str, token: str, body: dict[str, Any] | None
    ) -> tuple[int, Any]:
        conn.request(
            "POST",
            path,
            body=json.dumps(body or {}),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        response = conn.getresponse()
        data = response.read()
        return response.status, (json.loads(data) if data else None)

    def window(i: int) -> None:
        nonlocal remaining, empty, errors
        token, window_id = info["tokens"][i], info["windows"][i]
        conn = http.client.HTTPConnection(host, port, timeout=60)
        barrier.wait()
        while True:
            with lock:
                if remaining <= 0:
                    break
                remaining -= 1
            try:
                status, _taken = post(
                    conn, f"/api/v1/halls/{info['hall']}/tickets", token, {"item": "YB15"}
                )
                if status != 201:
                    raise RuntimeError(f"take: {status}")
                status, call = post(conn, f"/api/v1/windows/{window_id}/call", token, None)
                if status == 204:
                    with lock:
                        empty += 1
                    continue
                if status != 200:
                    raise RuntimeError(f"call: {status}")
                ticket = call["ticket"]["id"]
                status, _done = post(
                    conn, f"/api/v1/tickets/{ticket}/complete", token, {"outcome": "done"}
                )
                if status != 200:
                    raise RuntimeError(f"complete: {status}")
                with lock:
                    called.append(ticket)
            except (OSError, http.client.HTTPException, RuntimeError):
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=60)
                with lock:
                    errors += 1
        conn.close()

    threads = [threading.Thread(target=window, args=(i,)) for i in range(WINDOWS)]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - start
    return {
        "cycles": len(called),
        "seconds": seconds,
        "per_second": len(called) / seconds if seconds else 0.0,
        "duplicates": len(called) - len(set(called)),
        "empty_calls": empty,
        "errors": errors,
        "called": called,
    }


def _cycle_note(result: dict[str, Any], check: dict[str, Any]) -> str:
    return (
        f"{result['cycles']} cycles in {result['seconds']:.1f} s; "
        f"duplicates {result['duplicates']}; "
        f"database: {check['done']} done of {check['taken']} taken, {check['waiting']} left "
        f"waiting, done = called: {check['done_is_what_clients_called']}; empty calls "
        f"{result['empty_calls']}; errors {result['errors']}; "
        f"{SERVER_WORKERS} server processes × 8 threads"
    )


DATABASES = ("sqlite", SQLITE_KEPT, "postgres")


def run(quick: bool, databases: tuple[str, ...] = DATABASES) -> list[Figure]:
    figures: list[Figure] = []
    months = "2" if quick else "6"
    cycles = 600 if quick else 3000
    requests = 200 if quick else 600
    for database in databases:
        if database == "postgres" and not postgres_available():
            figures.append(Figure("hall-cycles", "PostgreSQL not reachable: skipped", "", 0.0))
            continue
        with _environment(database) as env:
            info = python_json("-m", "bench.hall_cycles", "--prepare", "--months", months, env=env)
            with served(env, workers=SERVER_WORKERS) as (host, port):
                load_result = _cycles(host, port, info, cycles)
                base = f"http://{host}:{port}/api/v1/halls/{info['county_hall']}"
                board = load(
                    f"{base}/board",
                    requests=requests,
                    concurrency=4,
                    headers={"X-Hall-Key": info["kiosk_key"]},
                )
                stats = load(
                    f"{base}/stats?from={info['from']}&to={info['to']}",
                    requests=requests,
                    concurrency=4,
                    headers={"Authorization": f"Bearer {info['admin_token']}"},
                )
            check = python_json(
                "-m", "bench.hall_cycles", "--verify", *map(str, load_result["called"]), env=env
            )
        figures.append(
            Figure(
                benchmark="hall-cycles",
                what=f"ticket cycles over HTTP, {WINDOWS} windows ({database})",
                unit="take + call + complete per second",
                ours=round(load_result["per_second"], 1),
                note=_cycle_note(load_result, check),
                extra={k: v for k, v in load_result.items() if k != "called"} | {"check": check},
            )
        )
        history = (
            f"{info['tickets']:,} tickets and {info['records']:,} handling records, {months} months"
        )
        for name, result in (("board", board), ("stats", stats)):
            figures.append(
                Figure(
                    benchmark="hall-cycles",
                    what=f"{name} p95 ({database})",
                    unit="milliseconds",
                    ours=round(result.p95, 1),
                    note=(
                        f"target < {TARGET_MS:.0f} ms; p50 {result.p50:.1f} ms; "
                        f"{result.per_second:.0f} req/s at 4 clients; errors {result.errors}; "
                        f"{history}"
                    ),
                    extra={"p50": result.p50, "p95": result.p95, "errors": result.errors},
                )
            )
    return figures


# --- inside the benchmark's database ----------------------------------------------------------


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
    import django

    django.setup()


def prepare(months: int) -> dict[str, Any]:
    """The demo county with `months` months of hall history; a benchmark hall of 20 windows
    with a signed-in clerk (and an API token) at each; a queue at the county centre today."""
    _django()
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from jiceng.core.models import Role, User
    from jiceng.core.services.accounts import api_token_create, user_create
    from jiceng.demo.hall.seed import demo_hall_delete, seed_hall
    from jiceng.demo.seed import seed_demo
    from jiceng.hall.models import Hall, HandlingRecord, PointKind, Ticket
    from jiceng.hall.services.network import hall_create, point_staff_set, window_create
    from jiceng.hall.services.queue import ticket_call_next, ticket_take, window_open

    today = timezone.localdate()
    seed_demo(scale="demo", seed=1, reset=False, progress=False)
    demo_hall_delete()  # the demo brings six months; the benchmark asks for `months`
    seeded = seed_hall(seed=1, months=months, as_of=today)
    county_hall = Hall.objects.select_related("point").get(point__kind=PointKind.COUNTY_CENTER)
    point = county_hall.point
    clerks = [
        user_create(
            username=f"bench{i}",
            password=None,
            region_code=point.region_id,
            roles=[Role.WINDOW_CLERK],
        )
        for i in range(WINDOWS + 6)
    ]
    point_staff_set(actor=None, point=point, users=[*point.staff.all(), *clerks])
    bench_hall = hall_create(actor=None, point=point, name="基准测试大厅")
    windows = [
        window_create(actor=None, hall=bench_hall, number=i + 1, groups=["A", "B"])
        for i in range(WINDOWS)
    ]
    for clerk, window in zip(clerks, windows, strict=False):
        window_open(actor=clerk, window_id=window.pk)
    # Today at the county centre: six windows open, a queue, six tickets called.
    county_windows = list(county_hall.windows.order_by("number"))
    first_of = [next(w for w in county_windows if g in w.default_groups) for g in ("A", "B", "C")]
    open_now = first_of + [w for w in county_windows if w not in first_of][:3]
    for clerk, window in zip(clerks[WINDOWS:], open_now, strict=True):
        window_open(actor=clerk, window_id=window.pk)
    for n in range(150):
        ticket_take(hall_id=county_hall.pk, item_code=("YB15", "YB03", "YB17")[n % 3])
    for clerk, window in zip(clerks[WINDOWS:], open_now, strict=True):
        ticket_call_next(actor=clerk, window_id=window.pk)
    admin = User.objects.get(username="admin")
    return {
        "hall": bench_hall.pk,
        "windows": [w.pk for w in windows],
        "tokens": [api_token_create(user=c, name="bench")[1] for c in clerks[:WINDOWS]],
        "county_hall": county_hall.pk,
        "kiosk_key": county_hall.kiosk_key,
        "admin_token": api_token_create(user=admin, name="bench")[1],
        "from": (today - timedelta(days=30 * months)).isoformat(),
        "to": today.isoformat(),
        "tickets": Ticket.objects.count(),
        "records": HandlingRecord.objects.count(),
        "seed_seconds": seeded["seconds"],
    }


def verify(called: list[int]) -> dict[str, Any]:
    """What the database says about the benchmark hall after the run: every ticket taken was
    completed once (by the window the client saw), none is left waiting, numbers are unique."""
    _django()
    from jiceng.hall.models import HandlingRecord, Ticket, TicketStatus

    hall = Ticket.objects.filter(pk__in=called[:1]).values_list("hall_id", flat=True).first() or 0
    tickets = Ticket.objects.filter(hall_id=hall)
    done = set(tickets.filter(status=TicketStatus.DONE).values_list("pk", flat=True))
    return {
        "taken": tickets.count(),
        "done": len(done),
        "waiting": tickets.filter(status=TicketStatus.WAITING).count(),
        "done_is_what_clients_called": done == set(called),
        "records": HandlingRecord.objects.filter(ticket__hall_id=hall).count(),
        "numbers_unique": tickets.values("number").distinct().count() == tickets.count(),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.hall_cycles")
    parser.add_argument("--prepare", action="store_true")
    parser.add_argument("--months", type=int, default=6)
    parser.add_argument("--verify", nargs="*", type=int)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--database", choices=DATABASES, action="append", help="only these (default: all)"
    )
    args = parser.parse_args(argv)
    if args.prepare:
        print(json.dumps(prepare(args.months)))
    elif args.verify is not None:
        print(json.dumps(verify(args.verify)))
    else:
        from bench.report import print_table

        print_table(run(args.quick, tuple(args.database or DATABASES)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
