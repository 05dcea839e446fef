"""A ticket is never lost across a restart: tickets taken over HTTP survive the server being
killed (SIGKILL, no clean shutdown) and are called after it starts again."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.test_cli import REPO, data, run_jiceng  # noqa: F401 - `data` is a fixture

SETUP = """
import json
from jiceng.core.services.accounts import api_token_create, user_create
from jiceng.core.services.regions import region_import_csv
from jiceng.hall.services.catalogue import catalogue_load
from jiceng.hall.services.network import hall_create, point_create, point_staff_set, window_create
from jiceng.hall.services.queue import window_open
region_import_csv(open('jiceng/reference/regions-tongxiang.csv').read())
catalogue_load()
point = point_create(actor=None, code='330483001-TC', name='梧桐', kind='town_center',
                     region_code='330483001')
hall = hall_create(actor=None, point=point)
window = window_create(actor=None, hall=hall, number=1, groups=['A'])
clerk = user_create(username='clerk', password=None, region_code='330483001',
                    roles=['window_clerk'])
point_staff_set(actor=None, point=point, users=[clerk])
window_open(actor=clerk, window_id=window.pk)
print(json.dumps({'hall': hall.pk, 'window': window.pk, 'kiosk': hall.kiosk_key,
                  'token': api_token_create(user=clerk)[1]}))
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(folder: Path, port: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JICENG_", "DATABASE_URL"))}
    env["JICENG_DATA"] = str(folder)
    server = subprocess.Popen(
        [sys.executable, "-m", "jiceng", "serve", "--port", str(port), "--workers", "1"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    for _ in range(240):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return server
        except OSError:
            time.sleep(0.25)
    server.kill()
    raise RuntimeError("the server did not start")


def _post(
    port: int, path: str, headers: dict[str, str], body: dict[str, object] | None = None
) -> tuple[int, dict]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=json.dumps(body or {}).encode(),
        method="POST",
        headers={"Content-Type": "application/json", **headers},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - a local test server
        text = response.read()
        return response.status, json.loads(text) if text else {}


def test_tickets_survive_a_killed_server(data):  # noqa: F811
    result = run_jiceng("manage", "shell", "--no-imports", "-c", SETUP, data=data)
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout.strip().splitlines()[-1])
    kiosk = {"X-Hall-Key": info["kiosk"]}
    port = _free_port()
    server = _serve(data, port)
    try:
        numbers = [
            _post(port, f"/api/v1/halls/{info['hall']}/tickets", kiosk, {"item": "YB15"})[1][
                "number"
            ]
            for _ in range(3)
        ]
    finally:
        os.killpg(server.pid, signal.SIGKILL)  # a crash: no clean shutdown
        server.wait(timeout=30)
    assert numbers == ["A001", "A002", "A003"]

    port = _free_port()
    server = _serve(data, port)
    try:
        with urllib.request.urlopen(
            urllib.request.Request(
                f"http://127.0.0.1:{port}/api/v1/halls/{info['hall']}/board", headers=kiosk
            ),
            timeout=10,
        ) as response:
            assert json.loads(response.read())["waiting"] == {"A": 3}
        clerk = {"Authorization": f"Bearer {info['token']}"}
        status, called = _post(port, f"/api/v1/windows/{info['window']}/call", clerk)
        assert status == 200 and called["ticket"]["number"] == "A001"
        # Numbering goes on where it was.
        status, taken = _post(
            port, f"/api/v1/halls/{info['hall']}/tickets", kiosk, {"item": "YB15"}
        )
        assert status == 201 and taken["number"] == "A004"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
