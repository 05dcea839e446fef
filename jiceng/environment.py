"""Typed readers for the environment variables that configure Jiceng.

A bad value stops the start with a message that names the variable (ImproperlyConfigured).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_required(name: str) -> str:
    """A variable that must be set (and not blank) once a feature that needs it is on."""
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"{name} must be set (single sign-on is on).")
    return value


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a boolean: use one of 1/0, true/false, yes/no, on/off."
    )


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r} must be at least {minimum}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    items = [item.strip() for item in raw.split(",") if item.strip()]
    if not items:
        raise ImproperlyConfigured(f"{name} is set but names no value (comma-separated list).")
    return items


def data_folder() -> Path:
    """JICENG_DATA: the folder for the SQLite file, uploads and the generated secret key."""
    raw = os.environ.get("JICENG_DATA", "./var")
    path = Path(raw).expanduser().resolve()
    if path.exists() and not path.is_dir():
        raise ImproperlyConfigured(f"JICENG_DATA={raw!r} exists and is not a folder.")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ImproperlyConfigured(f"JICENG_DATA={raw!r} cannot be created: {exc}") from None
    return path


def secret_key(data: Path, *, debug: bool) -> str:
    """JICENG_SECRET_KEY, else a key generated once into the data folder."""
    raw = os.environ.get("JICENG_SECRET_KEY")
    if raw is not None:
        if len(raw) < 50 and not debug:
            raise ImproperlyConfigured(
                "JICENG_SECRET_KEY is too short: use at least 50 random characters."
            )
        if not raw:
            raise ImproperlyConfigured("JICENG_SECRET_KEY is set but empty.")
        return raw
    key_file = data / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def database_config(data: Path) -> dict[str, object]:
    """DATABASE_URL (PostgreSQL), else SQLite in WAL mode in the data folder."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        import dj_database_url

        if not url.startswith(("postgres://", "postgresql://", "sqlite://")):
            raise ImproperlyConfigured(
                f"DATABASE_URL={url!r}: only postgresql:// (or sqlite://) URLs are supported."
            )
        try:
            config = dict(dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True))
        except Exception as exc:
            raise ImproperlyConfigured(f"DATABASE_URL cannot be parsed: {exc}") from None
        if config["ENGINE"] == "django.db.backends.sqlite3":
            config["OPTIONS"] = sqlite_options()
        else:
            config["OPTIONS"] = postgresql_options()
        return config
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(data / "jiceng.sqlite3"),
        "OPTIONS": sqlite_options(),
        # Keep connections between requests: opening one runs the PRAGMAs above every time.
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
        # Tests run on a file too (not in memory), so that they see WAL and locking as served.
        "TEST": {"NAME": str(data / f"test-{os.getpid()}.sqlite3")},
    }


def postgresql_options() -> dict[str, object]:
    # Django's cursors bind parameters on the client and never prepare. A statement that runs
    # for every request of a hot path (the ledger's capture) asks psycopg to prepare it
    # (`execute(..., prepare=True)`), which psycopg honours only when the connection has a
    # threshold: this one is high enough that nothing is prepared without asking.
    return {"prepare_threshold": 1_000_000}


def sqlite_options() -> dict[str, object]:
    # WAL lets readers run beside the writer; IMMEDIATE transactions take the write lock at
    # BEGIN, so a busy database waits (busy timeout) instead of failing with "database is locked".
    return {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA foreign_keys=ON;"
            "PRAGMA temp_store=MEMORY;"
            "PRAGMA cache_size=-64000;"
            "PRAGMA mmap_size=268435456;"
        ),
    }


def field_key(data: Path) -> str:
    """JICENG_FIELD_KEY, else a key generated once into the data folder.

    It encrypts ID numbers at rest and keys their lookup digests; losing it makes stored ID
    numbers unreadable, so production sets it explicitly and backs it up.
    """
    raw = os.environ.get("JICENG_FIELD_KEY")
    if raw is not None:
        if len(raw) < 32:
            raise ImproperlyConfigured("JICENG_FIELD_KEY is too short: use at least 32 characters.")
        return raw
    key_file = data / "field_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def env_working_hours(name: str, default: str) -> str:
    """Office hours as 'HH:MM-HH:MM[,HH:MM-HH:MM...]', each period ending after it starts."""
    import re

    raw = os.environ.get(name, default).strip()
    periods = raw.split(",")
    pattern = re.compile(r"([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d")
    for period in periods:
        period = period.strip()
        if not pattern.fullmatch(period) or period[:5] >= period[6:]:
            raise ImproperlyConfigured(
                f"{name}={raw!r}: use periods like 08:30-12:00,13:30-17:30 (each ending after it"
                " starts)."
            )
    return raw
