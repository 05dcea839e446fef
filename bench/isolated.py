"""Run a benchmark body in a fresh process with its own data folder or database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get(
    "JICENG_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/{name}"
)


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
