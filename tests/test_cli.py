"""The `jiceng` command as an operator runs it: real processes on a real data folder."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def run_jiceng(*args: str, data: Path, env: dict[str, str] | None = None, timeout: int = 120):
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("JICENG_", "DATABASE_URL"))
    }
    environment.update({"JICENG_DATA": str(data), **(env or {})})
    return subprocess.run(
        [sys.executable, "-m", "jiceng", *args],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture
def data(tmp_path: Path, migrated_data_folder: Path) -> Path:
    """A data folder of its own, as `jiceng migrate` left it (a copy: migrating takes seconds)."""
    folder = tmp_path / "data"
    shutil.copytree(migrated_data_folder, folder)
    return folder


def test_a_bad_setting_stops_the_start_naming_the_variable(tmp_path: Path):
    result = run_jiceng("migrate", data=tmp_path, env={"JICENG_DEBUG": "maybe"})
    assert result.returncode == 2
    assert "JICENG_DEBUG" in result.stderr

    result = run_jiceng("migrate", data=tmp_path, env={"DATABASE_URL": "mysql://x@y/z"})
    assert result.returncode == 2
    assert "DATABASE_URL" in result.stderr


def test_the_data_folder_holds_the_database_and_generated_keys(migrated_data_folder: Path):
    data = migrated_data_folder  # as `jiceng migrate` left it
    assert (data / "jiceng.sqlite3").exists()
    assert (data / "secret_key").stat().st_mode & 0o077 == 0
    assert (data / "field_key").stat().st_mode & 0o077 == 0


def test_token_prints_a_working_token_alone_on_stdout(data: Path):
    script = (
        "from jiceng.core.services.regions import region_import_csv\n"
        "from jiceng.core.services.accounts import user_create\n"
        "region_import_csv(open('jiceng/reference/regions-tongxiang.csv').read())\n"
        "user_create(username='wutong', password=None, region_code='330483001',"
        " roles=['town_officer'])\n"
    )
    assert run_jiceng("manage", "shell", "-c", script, data=data).returncode == 0

    result = run_jiceng("token", "wutong", data=data)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1 and lines[0].startswith("jc_")

    check = (
        "from jiceng.core.services.accounts import api_token_authenticate\n"
        f"print(api_token_authenticate({lines[0]!r}).username)\n"
    )
    out = run_jiceng("manage", "shell", "--no-imports", "-c", check, data=data).stdout
    assert out.strip() == "wutong"


def test_token_for_an_unknown_user_is_refused_with_exit_code_2(data: Path):
    result = run_jiceng("token", "nobody", data=data)
    assert result.returncode == 2
    assert result.stdout == ""
    assert "nobody" in result.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_runs_a_production_server_that_answers_health_and_static_files(data: Path):
    port = _free_port()
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("JICENG_", "DATABASE_URL"))
    }
    environment["JICENG_DATA"] = str(data)
    server = subprocess.Popen(
        [sys.executable, "-m", "jiceng", "serve", "--port", str(port), "--workers", "1"],
        cwd=REPO,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        body = None
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    body = json.loads(r.read())
                    server_header = r.headers.get("Server", "")
                break
            except OSError:
                time.sleep(0.25)
        assert body == {"status": "ok"}
        assert "gunicorn" in server_header.lower()
        static = f"http://127.0.0.1:{port}/static/admin/css/base.css"
        with urllib.request.urlopen(static, timeout=5) as response:
            assert response.status == 200
            assert b"{" in response.read()
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_import_regions_refuses_a_bad_file_whole_with_line_and_reason(data: Path, tmp_path: Path):
    good = REPO / "jiceng" / "reference" / "regions-tongxiang.csv"
    assert run_jiceng("manage", "import_regions", str(good), data=data).returncode == 0
    bad = tmp_path / "villages.csv"
    bad.write_text(
        "code,name,level,parent\n"
        "330483001001,庆丰社区,village,330483001\n"
        "33048300100X,坏代码,village,330483001\n"
        "330483999001,无主村,village,330483999\n",
        encoding="utf-8",
    )
    result = run_jiceng("manage", "import_regions", str(bad), data=data)
    assert result.returncode == 2
    assert "line 3" in result.stderr and "33048300100X" in result.stderr
    count = "from jiceng.core.models import Region; print(Region.objects.count())"
    out = run_jiceng("manage", "shell", "--no-imports", "-c", count, data=data).stdout
    assert out.strip() == "16"  # the good file's rows only: the bad file added nothing
