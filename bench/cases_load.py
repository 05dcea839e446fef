"""The case loop under load, with one million cases in PostgreSQL.

A department inbox page, the town scorecard page and Open311 `requests.json` with filters are
requested by a load generator (bench/loadgen.py) against `jiceng serve` on this machine; the
figures are the client-side 95th-percentile latencies. Targets (issue: the case loop): inbox and
scorecard under 150 ms p95, Open311 under 100 ms p95.

The database (`jiceng_bench_cases`) is built once — the demo county plus a year of cases at the
requested volume — and reused while it holds that many cases (`--rebuild` to start over).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date

from bench.isolated import POSTGRES_URL, REPO, postgres_available, recreate_postgres_database
from bench.loadgen import load
from bench.report import Figure

DATABASE = "jiceng_bench_cases"
TARGETS_MS = {"inbox": 150.0, "scorecard": 150.0, "open311": 100.0}


def _env(data: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JICENG_", "DATABASE_URL"))}
    env.update({"JICENG_DATA": data, "DATABASE_URL": POSTGRES_URL.format(name=DATABASE)})
    return env


def _python(*args: str, env: dict[str, str], timeout: int = 3600) -> str:
    result = subprocess.run(
        [sys.executable, *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def ensure_database(cases: int, env: dict[str, str], *, rebuild: bool) -> dict[str, object]:
    if not rebuild:
        try:
            info = json.loads(_python("-m", "bench.cases_load", "--info", env=env).splitlines()[-1])
            if int(info["cases"]) >= cases * 0.95:
                return dict(info)
        except (RuntimeError, ValueError, KeyError, IndexError):
            pass
    recreate_postgres_database(DATABASE)
    _python("-m", "jiceng", "seed", "--scale", "demo", env=env)
    _python("-m", "bench.cases_load", "--seed-cases", str(cases), env=env)
    return dict(json.loads(_python("-m", "bench.cases_load", "--info", env=env).splitlines()[-1]))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run(quick: bool, *, rebuild: bool = False) -> list[Figure]:
    if not postgres_available():
        return [Figure("cases-load", "PostgreSQL not reachable: skipped", "", 0.0)]
    cases = 100_000 if quick else 1_000_000
    requests = 150 if quick else 400
    with tempfile.TemporaryDirectory(prefix="jiceng-bench-") as data:
        env = _env(data)
        info = ensure_database(cases, env, rebuild=rebuild)
        port = _free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "jiceng", "serve", "--port", str(port), "--workers", "2"],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_for(f"http://127.0.0.1:{port}/healthz")
            base = f"http://127.0.0.1:{port}"
            month = str(info["month"])
            endpoints = {
                "inbox": (
                    f"{base}/cases/?department={info['department']}",
                    {"Cookie": f"sessionid={info['handler_session']}"},
                ),
                "scorecard": (
                    f"{base}/cases/scorecards/?month={month}&by=town",
                    {"Cookie": f"sessionid={info['admin_session']}"},
                ),
                "open311": (
                    f"{base}/open311/v2/requests.json?api_key={info['admin_token']}&service_code=sanitation,road_damage"
                    f"&status=open&start_date={month}-01T00:00:00%2B08:00",
                    {},
                ),
            }
            figures = []
            for clients in (1, 4):
                for name, (url, headers) in endpoints.items():
                    result = load(url, requests=requests, concurrency=clients, headers=headers)
                    figures.append(
                        Figure(
                            benchmark="cases-load",
                            what=f"{name} p95, {clients} client(s) ({info['cases']:,} cases, PG)",
                            unit="milliseconds",
                            ours=round(result.p95, 1),
                            note=f"target < {TARGETS_MS[name]:.0f} ms; p50 {result.p50:.1f} ms; "
                            f"{result.per_second:.0f} req/s; errors {result.errors}",
                            extra={"p50": result.p50, "p95": result.p95, "errors": result.errors},
                        )
                    )
            return figures
        finally:
            server.terminate()
            server.wait(timeout=30)


def _wait_for(url: str) -> None:
    import urllib.request

    for _ in range(240):
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.25)
    raise RuntimeError(f"server did not answer {url}")


# --- run inside the bench database's environment ----------------------------------------------


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
    import django

    django.setup()


def seed_cases(count: int) -> None:
    _django()
    from jiceng.demo.cases import seed_cases as plan_and_write

    plan_and_write(seed=1, per_year=count, as_of=date.today())


def info() -> dict[str, object]:
    _django()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db.models import Count

    from jiceng.cases.models import Case, Department
    from jiceng.core.models import User
    from jiceng.core.services.accounts import api_token_create

    def session(user: User) -> str:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        return str(store.session_key)

    busiest = Department.objects.annotate(n=Count("cases")).order_by("-n").first()
    if busiest is None:
        return {"cases": 0}
    handler = busiest.members.first()
    if handler is None:
        handler = User.objects.create(username=f"bench-handler-{busiest.pk}", region=busiest.region)
        from jiceng.core.models import Role, UserRole

        UserRole.objects.create(user=handler, role=Role.DEPARTMENT_HANDLER)
        busiest.members.add(handler)
    admin = User.objects.get(username="admin")
    last = Case.objects.order_by("-reported_at").values_list("reported_at", flat=True).first()
    month = (last or date.today()).strftime("%Y-%m")
    return {
        "cases": Case.objects.count(),
        "department": busiest.pk,
        "month": month,
        "handler_session": session(handler),
        "admin_session": session(admin),
        "admin_token": api_token_create(user=admin, name="bench")[1],
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cases_load")
    parser.add_argument("--seed-cases", type=int)
    parser.add_argument("--info", action="store_true")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args(argv)
    if args.seed_cases:
        seed_cases(args.seed_cases)
    elif args.info:
        print(json.dumps(info()))
    else:
        from bench.report import print_table

        print_table(run(args.quick, rebuild=args.rebuild))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
