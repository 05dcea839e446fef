"""The `jiceng` command for operators (also `python -m jiceng`).

jiceng demo [--port N]                 set up the database, seed the demo county, serve it
jiceng serve [--host H] [--port N] [--with-worker]
jiceng worker                          the task worker (Django Tasks, database backend)
jiceng migrate                         apply database migrations
jiceng seed [--scale demo|county] [--seed N] [--reset]
jiceng token USERNAME [--name NAME]    print a new API token, alone on standard output
jiceng manage ...                      any Django management command
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

EXIT_USAGE = 2


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured

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
        summary = seed_demo(scale=args.scale, seed=args.seed, reset=args.reset, progress=True)
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
    from jiceng.demo.seed import DEMO_LOGINS, database_has_data, seed_demo

    _manage("migrate", "--noinput", verbosity=0)
    if not database_has_data():
        print("Seeding the demo county (first run only)…", file=sys.stderr)
        seed_demo(scale="demo", seed=args.seed, reset=False, progress=True)
    _collectstatic()
    url = f"http://127.0.0.1:{args.port}/"
    print("\n  Jiceng (基层) demo county is served on " + url, flush=True)
    print("  Demo logins (username / password):", flush=True)
    for username, password, what in DEMO_LOGINS:
        print(f"    {username:<12} {password:<16} {what}", flush=True)
    print("  Stop with Ctrl-C.\n", flush=True)
    return _serve(args.host, args.port, with_worker=True, workers=2)


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
    p.set_defaults(func=cmd_seed)

    p = sub.add_parser("token", help="print a new API token for a user")
    p.add_argument("username")
    p.add_argument("--name", default="cli", help="a label for the token")
    p.set_defaults(func=cmd_token)

    p = sub.add_parser("manage", help="run a Django management command", add_help=False)
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_manage)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))
