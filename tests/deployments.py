"""Real `jiceng` processes: a migrated data folder, and two deployments on loopback.

A plugin of the whole suite (`pytest_plugins` in tests/conftest.py), so that each session
fixture exists once: `migrated_data_folder` (a data folder as `jiceng migrate` leaves it, made
once per test process: copy it rather than migrating again) and the two deployments below. A
test that uses that folder (or the deployments) runs jiceng processes on their own SQLite
database, whatever the suite's: it is marked `own_sqlite`, and the PostgreSQL run skips it. Every
test that uses the deployments is marked `deployments` and put in one xdist group, so that one
worker starts one pair of servers for all of them (`--dist loadgroup`, as `make test` runs).

Two real deployments on loopback, for tests of exchanges between them.

`two_deployments` (session scope) starts 桐乡 (330483) and 吴兴 (330502) as separate server
processes (`jiceng serve`), each with its own data folder, SQLite database and keys, migrated,
with its county's regions and an administrator. `peered_deployments` also registers each as
the other's peer with the command line, as an operator would. Each handle offers:

    handle.code, handle.name, handle.url, handle.data     county code, name, base URL, folder
    handle.token, handle.public_key                       admin API token; its federation key
    handle.cli("ltc", "peer", "list")                     `jiceng …` against its data folder
    handle.python("print(…)")                             Django code in its database (stdout)
    handle.api("GET", "/api/v1/…", body=None)             (status, JSON) with the admin token
    handle.count_rows("ltc_recognition")                  rows of a table, read from SQLite

Usage in any test module:

    def test_…(peered_deployments):
        tongxiang, wuxing = peered_deployments
        out = tongxiang.python("from jiceng.federation import messaging; "
                               "print(messaging.ping(peer_code='330502'))")
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
REFERENCE = REPO / "jiceng" / "reference" / "regions-tongxiang.csv"
ADMIN_PASSWORD = "jiceng-federation-test"
START_TIMEOUT = 60.0
# What the peered deployments agree to tell each other (a test that changes a peer restores it).
AGREEMENT = {"person_status": ["insured", "level", "valid_until"]}
FEDERATION_TABLES = (
    "federation_deploymentkey",
    "federation_peer",
    "federation_seennonce",
    "federation_refusal",
    "federation_messagelog",
)

# Each deployment's own regions: 桐乡 from the reference file (吴兴区 is in it as the
# neighbouring county), 吴兴 its county with two towns.
WUXING_REGIONS = """code,name,level,parent,lat,lon
330000,浙江省,province,,,
330500,湖州市,city,330000,,
330502,吴兴区,county,330500,30.857,120.185
330502001,吴兴一街道,town,330502,30.86,120.19
330502101,吴兴一镇,town,330502,30.80,120.25
"""

BOOTSTRAP = """
import json
from jiceng.core.models import Role
from jiceng.core.services.accounts import api_token_create, user_create
from jiceng.core.services.regions import region_import_csv
region_import_csv(open({csv!r}, encoding="utf-8").read())
admin = user_create(username="admin", password={password!r}, region_code={code!r},
                    roles=[Role.COUNTY_ADMIN])
from jiceng.federation.selectors import own_identity
print(json.dumps({{"token": api_token_create(user=admin, name="federation-test")[1],
                  "identity": own_identity()}}))
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _environment(data: Path) -> dict[str, str]:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("JICENG_", "DATABASE_URL"))
    }
    environment["JICENG_DATA"] = str(data)
    return environment


@dataclass
class Deployment:
    code: str
    name: str
    data: Path
    port: int
    token: str = ""
    public_key: str = ""
    server: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cli(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """`jiceng ARGS…` against this deployment's data folder (check the returncode)."""
        return subprocess.run(
            [sys.executable, "-m", "jiceng", *args],
            cwd=REPO,
            env=_environment(self.data),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def python(self, source: str) -> str:
        """Run Django code in this deployment's database; its standard output."""
        result = self.cli("manage", "shell", "--no-imports", "-c", source)
        assert result.returncode == 0, result.stderr
        return result.stdout

    def api(
        self, method: str, path: str, body: Any = None, *, token: str | None = None
    ) -> tuple[int, Any]:
        """(status, parsed JSON) of an API call with the administrator's token."""
        request = urllib.request.Request(  # noqa: S310 - the loopback server
            self.url + path,
            method=method,
            data=None if body is None else json.dumps(body, ensure_ascii=False).encode(),
            headers={
                "Authorization": f"Bearer {token or self.token}",
                "Content-Type": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        try:
            return status, json.loads(raw or b"null")
        except ValueError:
            return status, raw.decode("utf-8", "replace")

    def count_rows(self, table: str) -> int:
        """Rows of a table, read from the deployment's SQLite file (no Django start-up)."""
        database = self.data / "jiceng.sqlite3"
        with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10)) as db:
            (count,) = db.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()  # noqa: S608
        return int(count)

    def federation_counts(self) -> dict[str, int]:
        """Rows of every federation table."""
        return {table: self.count_rows(table) for table in FEDERATION_TABLES}


def pytest_itemcollected(item: pytest.Item) -> None:
    # As each test is collected: before `-m` selects and xdist reads the groups.
    fixtures = getattr(item, "fixturenames", ())
    if "two_deployments" in fixtures:
        item.add_marker(pytest.mark.deployments)
        item.add_marker(pytest.mark.xdist_group("deployments"))
    if "migrated_data_folder" in fixtures:
        item.add_marker(pytest.mark.own_sqlite)
    if item.get_closest_marker("own_sqlite") and _on_postgresql():
        # Its processes run on their own SQLite folder whatever the suite's database: the
        # SQLite run has run it as it is; the PostgreSQL run would only repeat it.
        item.add_marker(pytest.mark.skip(reason="own SQLite processes; run on the SQLite run"))


def _on_postgresql() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


@pytest.fixture(scope="session")
def migrated_data_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder as `jiceng migrate` leaves it (database and generated keys), made once per
    test process. Read it, or copy it (`shutil.copytree`) to change it."""
    folder = tmp_path_factory.mktemp("migrated") / "data"
    result = subprocess.run(
        [sys.executable, "-m", "jiceng", "migrate", "-v", "0"],
        cwd=REPO,
        env=_environment(folder),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return folder


def _bootstrap(deployment: Deployment, regions: str, database: Path) -> subprocess.Popen[str]:
    csv_file = deployment.data.parent / f"regions-{deployment.code}.csv"
    csv_file.write_text(regions, encoding="utf-8")
    deployment.data.mkdir(parents=True)
    shutil.copyfile(database, deployment.data / database.name)
    source = BOOTSTRAP.format(password=ADMIN_PASSWORD, code=deployment.code, csv=str(csv_file))
    return subprocess.Popen(
        [sys.executable, "-m", "jiceng", "manage", "shell", "--no-imports", "-c", source],
        cwd=REPO,
        env=_environment(deployment.data),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _start(deployment: Deployment) -> None:
    log = (deployment.data / "server.log").open("wb")
    deployment.server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jiceng",
            "serve",
            "--port",
            str(deployment.port),
            "--workers",
            "1",
        ],
        cwd=REPO,
        env=_environment(deployment.data),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _wait_until_up(deployment: Deployment) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        assert deployment.server is not None
        if deployment.server.poll() is not None:
            log = (deployment.data / "server.log").read_text(errors="replace")
            raise AssertionError(f"{deployment.name} server exited:\n{log[-3000:]}")
        try:
            with urllib.request.urlopen(deployment.url + "/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{deployment.name} did not answer on {deployment.url}")


def _stop(deployment: Deployment) -> None:
    server = deployment.server
    if server is None or server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)  # gunicorn's master and its worker, started by us
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)


@pytest.fixture(scope="session")
def two_deployments(
    tmp_path_factory: pytest.TempPathFactory, migrated_data_folder: Path
) -> Iterator[tuple[Deployment, Deployment]]:
    """桐乡 and 吴兴, each serving on its own loopback port, not yet peered."""
    root = tmp_path_factory.mktemp("deployments")
    tongxiang = Deployment("330483", "桐乡市", root / "tongxiang" / "data", _free_port())
    wuxing = Deployment("330502", "吴兴区", root / "wuxing" / "data", _free_port())
    (root / "tongxiang").mkdir()
    (root / "wuxing").mkdir()
    database = migrated_data_folder / "jiceng.sqlite3"
    setups = [
        (tongxiang, _bootstrap(tongxiang, REFERENCE.read_text(encoding="utf-8"), database)),
        (wuxing, _bootstrap(wuxing, WUXING_REGIONS, database)),
    ]
    for deployment, process in setups:
        out, err = process.communicate(timeout=180)
        assert process.returncode == 0, err
        made = json.loads(out.strip().splitlines()[-1])
        assert made["identity"]["code"] == deployment.code
        deployment.token, deployment.public_key = made["token"], made["identity"]["public_key"]
    try:
        for deployment in (tongxiang, wuxing):
            _start(deployment)
        for deployment in (tongxiang, wuxing):
            _wait_until_up(deployment)
        yield tongxiang, wuxing
    finally:
        for deployment in (tongxiang, wuxing):
            _stop(deployment)


@pytest.fixture(scope="session")
def peered_deployments(
    two_deployments: tuple[Deployment, Deployment],
) -> tuple[Deployment, Deployment]:
    """The two deployments, each registered as the other's peer through `jiceng ltc peer add`."""
    tongxiang, wuxing = two_deployments
    agreement = json.dumps(AGREEMENT)
    adding = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jiceng",
                "ltc",
                "peer",
                "add",
                "--code",
                there.code,
                "--name",
                there.name,
                "--url",
                there.url,
                "--public-key",
                there.public_key,
                "--agreement",
                agreement,
            ],
            cwd=REPO,
            env=_environment(here.data),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for here, there in ((tongxiang, wuxing), (wuxing, tongxiang))
    ]
    for process in adding:
        _out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
    return tongxiang, wuxing
