"""`jiceng user ...` as an operator runs it: exit codes, what goes to stdout and stderr, nothing
written on bad arguments; and the "Done when" of the issue: `jiceng user add` makes a window clerk
of one bank outlet whose token works that outlet's windows and nothing else."""

from __future__ import annotations

import pytest
from openpyxl import Workbook

from jiceng.cli import main
from jiceng.core.models import Role, User
from jiceng.core.services.accounts import api_token_authenticate
from jiceng.hall.services.network import point_create
from tests.accounts.conftest import WUTONG, table_counts
from tests.hall.conftest import build_hall

pytestmark = pytest.mark.django_db(transaction=False)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse's own refusals
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_add_prints_a_one_time_password_that_must_be_changed(capsys, users):
    code, out, err = run(
        capsys, "user", "add", "li.si", "--region", WUTONG, "--role", "town_officer",
        "--role", "grid_worker", "--display-name", "李四",
    )  # fmt: skip
    assert code == 0, err
    password = out.strip()
    assert len(out.splitlines()) == 1 and len(password) == 12
    user = User.objects.get(username="li.si")
    assert user.check_password(password) and user.must_change_password
    assert user.display_name == "李四" and user.region_id == WUTONG
    assert set(user.role_grants.values_list("role", flat=True)) == {"town_officer", "grid_worker"}


def test_add_without_password_prints_nothing_on_stdout(capsys, users):
    code, out, _err = run(
        capsys, "user", "add", "sso.user", "--region", WUTONG, "--role", "grid_worker",
        "--no-password",
    )  # fmt: skip
    assert code == 0 and out == ""
    user = User.objects.get(username="sso.user")
    assert not user.has_usable_password() and not user.must_change_password


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["user", "add", "x1", "--region", "999999", "--role", "grid_worker"], "--region"),
        (["user", "add", "x1", "--region", WUTONG, "--role", "boss"], "--role"),
        (["user", "add", "clerk", "--region", WUTONG, "--role", "grid_worker"], "USERNAME"),
        (["user", "add", "x1", "--region", WUTONG], "--role"),
        (
            ["user", "add", "x1", "--region", WUTONG, "--role", "grid_worker", "--point", "NO"],
            "--point",
        ),
        (["user", "disable", "nobody"], "nobody"),
        (["user", "import", "/nonexistent/staff.xlsx"], "no such file"),
        (["user"], "ACTION"),
    ],
)
def test_bad_arguments_exit_2_with_a_message_and_write_nothing(capsys, users, argv, says):
    before = table_counts()
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert says in err
    assert table_counts() == before


def test_list_prints_one_line_per_user_within_a_region(capsys, users):
    code, out, _err = run(capsys, "user", "list", "--region", WUTONG)
    assert code == 0
    rows = [line.split("\t") for line in out.splitlines()]
    assert {row[0] for row in rows} == {"wutong", "village", "grid", "handler", "clerk"}
    assert ["clerk", "", WUTONG, "window_clerk", "active"] in rows


def test_disable_revokes_tokens(capsys, users, token_for):
    plain = token_for("grid")
    code, _out, err = run(capsys, "user", "disable", "grid")
    assert code == 0 and "1 API tokens revoked" in err
    assert api_token_authenticate(plain) is None
    assert not User.objects.get(username="grid").is_active


def test_import_prints_passwords_or_refuses_the_whole_file(capsys, users, tmp_path):
    def sheet(*rows):
        book = Workbook()
        book.active.append(["username", "display_name", "region_code", "roles"])
        for row in rows:
            book.active.append(row)
        path = tmp_path / "staff.xlsx"
        book.save(path)
        return str(path)

    before = table_counts()
    code, out, err = run(
        capsys, "user", "import",
        sheet(["a1", "", WUTONG, "grid_worker"], ["a2", "", "12", "grid_worker"]),
    )  # fmt: skip
    assert code == 2 and out == "" and "row 3: region_code:" in err
    assert table_counts() == before
    code, out, err = run(capsys, "user", "import", sheet(["a1", "", WUTONG, "grid_worker"]))
    assert code == 0 and out.split("\t")[0] == "a1"


def call(client, method, path, token, **kwargs):
    return getattr(client, method)(
        path,
        headers={"Authorization": f"Bearer {token}"},
        content_type="application/json",
        **kwargs,
    )


def test_user_add_makes_a_window_clerk_of_one_bank_outlet_whose_token_works_only_its_windows(
    capsys, client, users
):
    from jiceng.hall.services.catalogue import catalogue_load

    catalogue_load()
    outlets = [
        point_create(
            actor=None, code=code, name=name, kind="bank_outlet", region_code="330483001001"
        )
        for code, name in (
            ("BANK-WT-01", "农商银行庆丰分理处"),
            ("BANK-WT-02", "农商银行虎啸分理处"),
        )
    ]
    hall, windows = build_hall(outlets[0])
    _other_hall, other_windows = build_hall(outlets[1])
    puyuan = point_create(
        actor=None,
        code="BANK-PY-01",
        name="濮院分理处",
        kind="bank_outlet",
        region_code="330483101",
    )
    _puyuan_hall, puyuan_windows = build_hall(puyuan)

    code, _out, err = run(
        capsys, "user", "add", "bank.clerk", "--region", "330483001001", "--role",
        "window_clerk", "--point", "BANK-WT-01",
    )  # fmt: skip
    assert code == 0, err
    code, token, err = run(capsys, "token", "bank.clerk", "--name", "counter")
    token = token.strip()
    assert code == 0 and token.startswith("jc_"), err
    clerk = User.objects.get(username="bank.clerk")
    assert clerk.must_change_password  # the person's sign-in; the token works all the same

    # Its outlet's windows.
    assert call(client, "get", f"/api/v1/halls/{hall.pk}/windows", token).status_code == 200
    opened = call(client, "post", f"/api/v1/windows/{windows[1].pk}/open", token)
    assert opened.status_code == 200 and opened.json()["is_open"]
    assert call(client, "post", f"/api/v1/windows/{windows[1].pk}/close", token).status_code == 200

    # Not another outlet's, in its town or elsewhere.
    assert call(
        client, "post", f"/api/v1/windows/{other_windows[1].pk}/open", token
    ).status_code in (403, 404)
    assert (
        call(client, "post", f"/api/v1/windows/{puyuan_windows[1].pk}/open", token).status_code
        == 404
    )
    # Nor the hall managers' work on its own outlet.
    switched = call(
        client, "post", f"/api/v1/windows/{windows[2].pk}/groups", token, data={"groups": ["C"]}
    )
    assert switched.status_code == 403
    assert Role.WINDOW_CLERK in clerk.role_grants.values_list("role", flat=True)


def test_the_command_is_registered_before_django_is_set_up():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "jiceng", "user", "add", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0 and "--point" in result.stdout
    missing = subprocess.run(
        [sys.executable, "-m", "jiceng", "user", "add", "x"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert missing.returncode == 2 and "--region" in missing.stderr
