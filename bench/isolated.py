"""Run a benchmark body in a fresh process with its own data folder or database."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get(
    "JICENG_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/{name}"
)


def migrated_django() -> None:
    """Inside a benchmark's body process: set Django up on the database the environment names
    (run_module's scratch folder or database) and migrate it."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def postgres_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(POSTGRES_URL.format(name="postgres"), connect_timeout=3):
            return True
    except Exception:
        return False


def run_module(
    module: str, *args: str, database: str, name: str, timeout: int = 3600
) -> dict[str, object]:
    """Run `python -m module args` on SQLite (a temporary data folder) or PostgreSQL (a scratch
    database `name`), and return the JSON object it prints last."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JICENG_", "DATABASE_URL"))}
    with tempfile.TemporaryDirectory(prefix="jiceng-bench-") as data:
        env["JICENG_DATA"] = data
        if database == "postgres":
            env["DATABASE_URL"] = POSTGRES_URL.format(name=name)
            recreate_postgres_database(name)
        result = subprocess.run(
            [sys.executable, "-m", module, *args],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    if result.returncode != 0:
        raise RuntimeError(f"{module} failed:\n{result.stderr[-3000:]}")
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def recreate_postgres_database(name: str) -> None:
    import psycopg

    with psycopg.connect(POSTGRES_URL.format(name="postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def ensure_postgres_database(name: str) -> None:
    """Create the database when missing; never drop it (for databases kept between runs)."""
    import psycopg

    with psycopg.connect(POSTGRES_URL.format(name="postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def python_json(*args: str, env: dict[str, str], timeout: int = 3600) -> dict[str, Any]:
    """Run `python args` in the repository with `env` and return the JSON object it prints last."""
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
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_health(host: str, port: int, *, seconds: float = 120) -> None:
    for _ in range(int(seconds / 0.25)):
        try:
            conn = http.client.HTTPConnection(host, port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.25)
    raise RuntimeError("the server did not start")


@contextmanager
def served(env: dict[str, str], *, workers: int) -> Iterator[tuple[str, int]]:
    """`jiceng serve` with `workers` processes on a free port of 127.0.0.1, until the block ends."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "jiceng", "serve", "--port", str(port), "--workers", str(workers)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_health("127.0.0.1", port)
        yield "127.0.0.1", port
    finally:
        process.terminate()
        process.wait(timeout=30)
