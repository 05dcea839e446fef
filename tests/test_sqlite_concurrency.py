"""SQLite under concurrent writers: "database is locked" never reaches a user."""

from __future__ import annotations

import subprocess
import sys

from tests.test_cli import REPO, data, run_jiceng  # noqa: F401 - `data` is a fixture

WRITER = """
from django.db import transaction
from jiceng.core.identifiers import make_credit_code
from jiceng.core.models import Organisation
from jiceng.core.services.registries import organisation_create
worker = {worker}
for i in range(60):
    with transaction.atomic():
        Organisation.objects.count()
        code = make_credit_code("9", "1", "330483", worker * 1000 + i)
        organisation_create(actor=None, name=f"并发{{worker}}-{{i}}", kind="enterprise",
            region_code="330483001", credit_code=code)
"""


def test_concurrent_writers_on_sqlite_all_succeed(data):  # noqa: F811
    seed = "from jiceng.core.services.regions import region_import_csv\n" + (
        "region_import_csv(open('jiceng/reference/regions-tongxiang.csv').read())"
    )
    assert run_jiceng("manage", "shell", "--no-imports", "-c", seed, data=data).returncode == 0
    env = {"JICENG_DATA": str(data), "PATH": "/usr/bin:/bin"}
    writers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jiceng",
                "manage",
                "shell",
                "--no-imports",
                "-c",
                WRITER.format(worker=n),
            ],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(4)
    ]
    outcomes = [(w.wait(timeout=120), w.stderr.read()) for w in writers]
    for code, err in outcomes:
        assert code == 0, err
        assert "locked" not in err
    count = "from jiceng.core.models import Organisation; print(Organisation.objects.count())"
    result = run_jiceng("manage", "shell", "--no-imports", "-c", count, data=data)
    assert result.stdout.strip() == "240"
