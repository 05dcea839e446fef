"""The `jiceng` command for operators (also `python -m jiceng`).

jiceng demo [--port N]                 set up the database, seed the demo county, serve it
jiceng serve [--host H] [--port N] [--with-worker]
jiceng worker                          the task worker (Django Tasks, database backend)
jiceng migrate                         apply database migrations
jiceng seed [--scale demo|county] [--seed N] [--reset] [--county CODE]
jiceng token USERNAME [--name NAME]    print a new API token, alone on standard output
jiceng plan staffing --hall H --week YYYY-MM-DD [--apply]
jiceng plan circle --item CODE [--minutes 10] [--p N]
jiceng backup [--to DIR]               database, uploads and keys in one archive
jiceng restore ARCHIVE                 restore an archive into an empty data folder
jiceng user add|list|disable|import    accounts for first set-up and scripts
jiceng manage ...                      any Django management command
jiceng ltc key show                    this deployment's federation identity, one line of JSON
jiceng ltc peer add|list|disable|ping  peer deployments (cross-region long-term care)
jiceng gas device add|list|revoke      scale devices of gas stations (X-Device-Key)
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence
from typing import Any

from jiceng import cli_backup, cli_gas

EXIT_USAGE = 2


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
    import django
    from django.apps import apps
    from django.core.exceptions import ImproperlyConfigured

    if apps.ready:  # set up already (the command runs inside a process that has Django)
        return
    try:
        django.setup()
    except ImproperlyConfigured as exc:
        print(f"jiceng: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE) from None


def _manage(*args: str, **options: Any) -> None:
    from django.core.management import call_command

    call_command(*args, **options)


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a port number") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not between 1 and 65535")
    return port


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 0:
        raise argparse.ArgumentTypeError(f"{number} is negative")
    return number


def cmd_migrate(args: argparse.Namespace) -> int:
    _setup_django()
    _manage("migrate", "--noinput", verbosity=args.verbosity)
    return 0


def cmd_seed(args: argparse.Namespace) -> int:
    _setup_django()
    from jiceng.demo.seed import SeedRefused, seed_demo

    _manage("migrate", "--noinput", verbosity=0)
    try:
        summary = seed_demo(
            scale=args.scale, seed=args.seed, reset=args.reset, progress=True, county=args.county
        )
    except SeedRefused as exc:
        print(f"jiceng seed: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(summary, file=sys.stderr)
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    _setup_django()
    from jiceng.core.models import User
    from jiceng.core.services.accounts import api_token_create

    user = User.objects.filter(username=args.username).first()
    if user is None:
        print(f"jiceng token: no user named {args.username!r}", file=sys.stderr)
        return EXIT_USAGE
    if not user.is_active:
        print(f"jiceng token: user {args.username!r} is inactive", file=sys.stderr)
        return EXIT_USAGE
    _token, plain = api_token_create(user=user, name=args.name)
    print(plain)
    return 0


def _collectstatic() -> None:
    _manage("collectstatic", "--noinput", verbosity=0)


def _start_worker() -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "jiceng", "worker"])


def _serve(host: str, port: int, with_worker: bool, workers: int) -> int:
    from gunicorn.app.base import BaseApplication

    from jiceng.wsgi import application

    class Server(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("threads", 8)
            self.cfg.set("timeout", 120)
            self.cfg.set("accesslog", "-")
            # The path without its query string: a search term (a name, an ID number) stays out of
            # the access log, which bypasses Django's masking log filter.
            self.cfg.set("access_log_format", '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms')
            self.cfg.set("proc_name", "jiceng")

        def load(self) -> object:
            return application

    worker = _start_worker() if with_worker else None
    try:
        Server().run()
    finally:
        if worker is not None and worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    _setup_django()
    _collectstatic()
    return _serve(args.host, args.port, args.with_worker, args.workers)


def _run_scheduler(stop: threading.Event, interval: float = 30.0) -> None:
    """Enqueue periodic jobs (jiceng/schedules.py) while the worker runs."""
    import logging

    from django.db import close_old_connections

    from jiceng.schedules import enqueue_due

    log = logging.getLogger("jiceng.schedules")
    while not stop.is_set():
        try:
            close_old_connections()
            for name in enqueue_due():
                log.info("enqueued periodic job %s", name)
        except Exception:  # the scheduler must outlive a passing database error
            log.exception("periodic scheduling failed; retrying")
        stop.wait(interval)


def cmd_worker(args: argparse.Namespace) -> int:
    _setup_django()
    stop = threading.Event()
    scheduler = threading.Thread(target=_run_scheduler, args=(stop,), daemon=True, name="scheduler")
    if not args.no_schedule:
        scheduler.start()
    try:
        _manage("db_worker", "--queue-name", "*", "--no-reload", verbosity=1)
    finally:
        stop.set()
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    _setup_django()
    from jiceng.demo.deployment import default_county
    from jiceng.demo.seed import SeedRefused, database_has_data, demo_logins_for, seed_demo

    county = args.county or default_county()
    _manage("migrate", "--noinput", verbosity=0)
    if not database_has_data():
        print("Seeding the demo county (first run only)…", file=sys.stderr)
        try:
            seed_demo(scale="demo", seed=args.seed, reset=False, progress=True, county=county)
        except SeedRefused as exc:
            print(f"jiceng demo: {exc}", file=sys.stderr)
            return EXIT_USAGE
    _collectstatic()
    url = f"http://127.0.0.1:{args.port}/"
    print("\n  Jiceng (基层) demo county is served on " + url, flush=True)
    print("  Demo logins (username / password):", flush=True)
    for username, password, what in demo_logins_for(county):
        print(f"    {username:<12} {password:<16} {what}", flush=True)
    print("  Stop with Ctrl-C.\n", flush=True)
    return _serve(args.host, args.port, with_worker=True, workers=2)


def _federation_refused(command: str, exc: Exception) -> int:
    from django.core.exceptions import ValidationError

    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, messages in exc.message_dict.items():
            print(
                f"jiceng ltc {command}: --{field.replace('_', '-')}: {' '.join(messages)}",
                file=sys.stderr,
            )
    else:
        print(f"jiceng ltc {command}: {exc}", file=sys.stderr)
    return EXIT_USAGE


def cmd_ltc_key_show(args: argparse.Namespace) -> int:
    _setup_django()
    import json

    from django.core.exceptions import ImproperlyConfigured

    from jiceng.federation.selectors import own_identity

    try:
        identity = own_identity()
    except ImproperlyConfigured as exc:
        return _federation_refused("key show", exc)
    print(json.dumps(identity, ensure_ascii=False))
    return 0


def cmd_ltc_peer_add(args: argparse.Namespace) -> int:
    _setup_django()
    import json

    from django.core.exceptions import ImproperlyConfigured, ValidationError

    from jiceng.federation.services import peer_add

    try:
        agreement = json.loads(args.agreement) if args.agreement else None
    except ValueError as exc:
        print(f"jiceng ltc peer add: --agreement: not JSON: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        peer = peer_add(
            actor=None,
            code=args.code,
            name=args.name,
            url=args.url,
            public_key=args.public_key,
            agreement=agreement,
        )
    except (ValidationError, ImproperlyConfigured) as exc:
        return _federation_refused("peer add", exc)
    print(f"peer {peer.code} {peer.name} {peer.url} key {peer.key_id}", file=sys.stderr)
    return 0


def cmd_ltc_peer_list(args: argparse.Namespace) -> int:
    _setup_django()
    import json

    from jiceng.federation.selectors import peers_all

    for peer in peers_all():
        state = "enabled" if peer.enabled else "disabled"
        agreement = json.dumps(peer.agreement, ensure_ascii=False)
        print(f"{peer.code}\t{peer.name}\t{peer.url}\t{peer.key_id}\t{state}\t{agreement}")
    return 0


def cmd_ltc_peer_disable(args: argparse.Namespace) -> int:
    _setup_django()
    from django.core.exceptions import ValidationError

    from jiceng.federation.services import peer_disable

    try:
        peer_disable(actor=None, code=args.code)
    except ValidationError as exc:
        return _federation_refused("peer disable", exc)
    return 0


def cmd_ltc_peer_ping(args: argparse.Namespace) -> int:
    _setup_django()
    import json

    from django.core.exceptions import ImproperlyConfigured

    from jiceng.federation import messaging

    try:
        answer = messaging.ping(peer_code=args.code, timeout=args.timeout)
    except (messaging.EnvelopeRefused, messaging.HandlerRefused, ImproperlyConfigured) as exc:
        return _federation_refused("peer ping", exc)
    except messaging.PeerUnavailable as exc:
        print(f"jiceng ltc peer ping: {args.code} is unreachable: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(answer, ensure_ascii=False))
    return 0


def _date(value: str) -> Any:
    from datetime import date

    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from None


def cmd_plan(args: argparse.Namespace) -> int:
    _setup_django()
    from jiceng.hall.plan_command import plan_circle, plan_staffing

    run = plan_staffing if args.plan == "staffing" else plan_circle
    return run(args)


def cmd_user(args: argparse.Namespace) -> int:
    _setup_django()
    from jiceng.web.accounts.user_command import run

    return run(args)


def cmd_manage(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["jiceng manage", *args.rest])
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jiceng", description="Jiceng (基层): run and operate a county deployment."
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("demo", help="set up, seed the demo county once, and serve it with a worker")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=_port, default=8000)
    p.add_argument("--seed", type=_positive, default=20260722)
    p.add_argument("--county", help="seed this county of the agreement instead, e.g. 330502")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("serve", help="serve the web application (production server)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=_port, default=8000)
    p.add_argument("--workers", type=_positive, default=2, help="server processes")
    p.add_argument("--with-worker", action="store_true", help="also run a task worker")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("worker", help="run the background task worker and periodic jobs")
    p.add_argument("--no-schedule", action="store_true", help="do not enqueue periodic jobs")
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("migrate", help="apply database migrations")
    p.add_argument("-v", "--verbosity", type=int, default=1, choices=[0, 1, 2, 3])
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("seed", help="seed the synthetic demo county")
    p.add_argument("--scale", choices=["demo", "county"], default="demo")
    p.add_argument("--seed", type=_positive, default=20260722, help="random seed (deterministic)")
    p.add_argument("--reset", action="store_true", help="delete existing data first")
    p.add_argument("--county", help="the deployment's county (default 330483; 330502 seeds 吴兴区)")
    p.set_defaults(func=cmd_seed)

    p = sub.add_parser("token", help="print a new API token for a user")
    p.add_argument("username")
    p.add_argument("--name", default="cli", help="a label for the token")
    p.set_defaults(func=cmd_token)

    p = sub.add_parser("ltc", help="cross-region long-term care: this deployment's key, peers")
    ltc = p.add_subparsers(dest="ltc_command", metavar="WHAT", required=True)
    key = ltc.add_parser("key", help="this deployment's signing key")
    key_sub = key.add_subparsers(dest="key_command", metavar="ACTION", required=True)
    key_sub.add_parser("show", help="print code and public key, one line of JSON").set_defaults(
        func=cmd_ltc_key_show
    )
    peer = ltc.add_parser("peer", help="peer deployments this one trusts")
    peer_sub = peer.add_subparsers(dest="peer_command", metavar="ACTION", required=True)
    p = peer_sub.add_parser("add", help="register (or update) a peer deployment")
    p.add_argument("--code", required=True, help="its county code, e.g. 330502")
    p.add_argument("--name", required=True, help="e.g. 吴兴区")
    p.add_argument("--url", required=True, help="e.g. http://127.0.0.1:8001")
    p.add_argument("--public-key", required=True, help="as its `jiceng ltc key show` prints it")
    p.add_argument("--agreement", help='fields it may receive, JSON: {"person_status": [...]}')
    p.set_defaults(func=cmd_ltc_peer_add)
    peer_sub.add_parser("list", help="list the peers").set_defaults(func=cmd_ltc_peer_list)
    p = peer_sub.add_parser("disable", help="stop trusting a peer")
    p.add_argument("--code", required=True)
    p.set_defaults(func=cmd_ltc_peer_disable)
    p = peer_sub.add_parser("ping", help="send a signed test message to a peer")
    p.add_argument("--code", required=True)
    p.add_argument("--timeout", type=float, default=10.0)
    p.set_defaults(func=cmd_ltc_peer_ping)

    p = sub.add_parser("plan", help="plan a hall's tidal staffing or an item's service circle")
    plans = p.add_subparsers(dest="plan", metavar="PLAN")
    plans.required = True
    q = plans.add_parser("staffing", help="a hall's week: forecast, windows, sessions, roster")
    q.add_argument("--hall", required=True, help="hall id, its point's code, or its name")
    q.add_argument("--week", required=True, type=_date, help="a day of the week (YYYY-MM-DD)")
    q.add_argument("--apply", action="store_true", help="write the hall's session plan")
    q.set_defaults(func=cmd_plan)
    q = plans.add_parser("circle", help="uncovered villages of an item and new points to add")
    q.add_argument("--item", required=True, help="service item code, e.g. YB12")
    q.add_argument("--minutes", type=float, default=None, help="the circle (default: 10)")
    q.add_argument("--p", type=_positive, default=None, help="the best N new points")
    q.add_argument("--region", default=None, help="region code (default: the county)")
    q.set_defaults(func=cmd_plan)

    cli_backup.add_parsers(sub)
    cli_gas.add_parsers(sub)

    from jiceng.web.accounts.user_command import add_parser as add_user_parser

    add_user_parser(sub).set_defaults(func=cmd_user)

    p = sub.add_parser("manage", help="run a Django management command", add_help=False)
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_manage)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))
