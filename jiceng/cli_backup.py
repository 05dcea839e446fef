"""`jiceng backup` and `jiceng restore` (jiceng/core/backup.py does the work).

jiceng backup [--to DIR]     write one archive (default: the data folder's backups/), print its path
jiceng restore ARCHIVE       restore into an empty data folder (and, with DATABASE_URL, an empty
                             database); exit 2 before writing anything if either is not empty

Restore never sets Django up: that would generate new keys into the data folder it must find
empty. It reads the data folder and the database from the environment as the settings do.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

EXIT_USAGE = 2
EXIT_FAILED = 1


def cmd_backup(args: argparse.Namespace) -> int:
    from jiceng.cli import _setup_django

    _setup_django()
    from jiceng.core.backup import BackupRefused, backup_create

    try:
        made = backup_create(to=args.to)
    except BackupRefused as exc:
        print(f"jiceng backup: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except RuntimeError as exc:  # pg_dump failed; no archive was left behind
        print(f"jiceng backup: error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    counts = made.manifest["counts"]
    print(
        f"jiceng backup: {len(counts)} tables, {sum(counts.values())} rows,"
        f" {len(made.manifest['files']) - 1} files",
        file=sys.stderr,
    )
    print(made.path)
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from django.core.exceptions import ImproperlyConfigured

    from jiceng import environment
    from jiceng.core.backup import BackupRefused, RestoreMismatch, backup_restore

    try:
        data = environment.data_folder()
        database: dict[str, Any] = environment.database_config(data)
    except ImproperlyConfigured as exc:
        print(f"jiceng restore: configuration error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        manifest = backup_restore(archive=args.archive, data_dir=data, database=database)
    except BackupRefused as exc:
        print(f"jiceng restore: refused, nothing written: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (RestoreMismatch, RuntimeError) as exc:
        print(f"jiceng restore: error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    counts = manifest["counts"]
    print(
        f"jiceng restore: {len(counts)} tables and {sum(counts.values())} rows match the"
        f" manifest of {manifest.get('created_at', '?')} into {data}",
        file=sys.stderr,
    )
    return 0


def add_parsers(sub: Any) -> None:
    """Register the two commands on the `jiceng` parser's subcommands."""
    p = sub.add_parser("backup", help="back up the database, uploads and keys into one archive")
    p.add_argument(
        "--to", type=Path, default=None, help="folder for the archive (default: DATA/backups)"
    )
    p.set_defaults(func=cmd_backup)
    p = sub.add_parser("restore", help="restore an archive into an empty data folder")
    p.add_argument("archive", type=Path, help="a jiceng-backup-*.tar.gz")
    p.set_defaults(func=cmd_restore)
