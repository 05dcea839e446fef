"""`jiceng user add|list|disable|import`: accounts for first set-up and scripts.

The operator at the command line acts as the system (no actor): they may give any role and region.
Bad arguments (an unknown role, region, point or station; a username taken; a refused import
file) exit 2 with the reason on standard error and write nothing. What a script needs is printed
on standard output alone: the one-time password of `add`, one line per user of `list`, and
`username<TAB>password` per account of `import`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.core.exceptions import PermissionDenied, ValidationError

# Django and the models are imported inside the functions: jiceng/cli.py builds its parser
# before Django is set up.

EXIT_USAGE = 2
_OPTION_OF = {
    "region": "--region",
    "roles": "--role",
    "username": "USERNAME",
    "display_name": "--display-name",
    "points": "--point",
    "stations": "--station",
}


def _fail(command: str, message: str) -> int:
    print(f"jiceng user {command}: {message}", file=sys.stderr)
    return EXIT_USAGE


def _refused(command: str, exc: ValidationError | PermissionDenied) -> int:
    from django.core.exceptions import ValidationError

    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, messages in exc.message_dict.items():
            _fail(command, f"{_OPTION_OF.get(field, field)}: {' '.join(messages)}")
        return EXIT_USAGE
    messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
    return _fail(command, " ".join(messages))


def user_add(args: argparse.Namespace) -> int:
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.db import transaction

    from jiceng.core.services.accounts import new_temporary_password, user_create
    from jiceng.web.accounts.workplaces import user_workplaces_set

    password = None if args.no_password else new_temporary_password()
    try:
        with transaction.atomic():
            user = user_create(
                actor=None,
                username=args.username,
                password=password,
                must_change_password=True,
                region_code=args.region,
                roles=args.role,
                display_name=args.display_name or "",
            )
            if args.point or args.station:
                # Checked against the new user's region; a refusal undoes the account too.
                user_workplaces_set(
                    actor=None, user=user, point_codes=args.point, station_codes=args.station
                )
    except (ValidationError, PermissionDenied) as exc:
        return _refused("add", exc)
    if password:
        print(password)
    print(f"created {user.username} ({user.region_id})", file=sys.stderr)
    return 0


def user_list(args: argparse.Namespace) -> int:
    from jiceng.core.selectors import users_by_region_for_cli

    for user in users_by_region_for_cli(args.region or ""):
        roles = ",".join(sorted(g.role for g in user.role_grants.all()))
        state = "active" if user.is_active else "disabled"
        print(f"{user.username}\t{user.display_name}\t{user.region_id or ''}\t{roles}\t{state}")
    return 0


def user_disable_command(args: argparse.Namespace) -> int:
    from jiceng.core.models import User
    from jiceng.core.services.accounts import user_disable

    user = User.objects.filter(username=args.username).first()
    if user is None:
        return _fail("disable", f"no user named {args.username!r}")
    revoked = user_disable(actor=None, user=user)
    print(f"disabled {user.username}; {revoked} API tokens revoked", file=sys.stderr)
    return 0


def user_import(args: argparse.Namespace) -> int:
    from jiceng.core.services.regions import ImportRefused
    from jiceng.web.accounts.staff_import import staff_import

    path = Path(args.file)
    if not path.is_file():
        return _fail("import", f"{args.file}: no such file")
    try:
        created = staff_import(actor=None, filename=path.name, content=path.read_bytes())
    except ImportRefused as exc:
        print(
            "jiceng user import: the file was refused and no account was created:",
            file=sys.stderr,
        )
        for line, reason in exc.problems:
            print(f"  row {line}: {reason}" if line else f"  {reason}", file=sys.stderr)
        return EXIT_USAGE
    for row in created:
        print(f"{row.username}\t{row.password}")
    print(f"{len(created)} accounts created", file=sys.stderr)
    return 0


def run(args: argparse.Namespace) -> int:
    """Run `jiceng user ACTION` (Django is set up)."""
    return COMMANDS[args.user_command](args)


COMMANDS = {
    "add": user_add,
    "list": user_list,
    "disable": user_disable_command,
    "import": user_import,
}


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """The `user` command's arguments, for jiceng/cli.py."""
    p = sub.add_parser("user", help="accounts: add, list, disable, import staff")
    users = p.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    q = users.add_parser("add", help="create an account; prints its one-time password")
    q.add_argument("username")
    q.add_argument("--region", required=True, help="division code of the user's scope")
    q.add_argument("--role", action="append", required=True, help="a role code; repeatable")
    q.add_argument("--display-name", default="")
    q.add_argument("--no-password", action="store_true", help="no password (single sign-on)")
    q.add_argument("--point", action="append", default=[], help="hall service point code")
    q.add_argument("--station", action="append", default=[], help="gas station code")
    q = users.add_parser("list", help="list accounts, one per line")
    q.add_argument("--region", default="", help="only this region and below")
    q = users.add_parser("disable", help="refuse sign-in and revoke all API tokens")
    q.add_argument("username")
    q = users.add_parser("import", help="create accounts from an Excel sheet, all or nothing")
    q.add_argument("file", metavar="FILE.xlsx")
    return p
