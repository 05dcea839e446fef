"""Backups that restore: the drill (seed, back up, wipe, restore, compare, sign in), and the
refusals that keep a restore from writing over anything."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tarfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from PIL import Image

from jiceng import cli
from jiceng.cases.reference_data import categories_load, departments_create
from jiceng.cases.services.intake import case_report
from jiceng.core.backup import (
    MANIFEST,
    BackupRefused,
    RestoreMismatch,
    backup_create,
    backup_nightly,
    backup_restore,
    database_counts,
)
from jiceng.core.models import Person
from jiceng.schedules import PERIODIC
from tests.registry_factories import id_number, make_person
from tests.test_cli import run_jiceng


def live_counts() -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def photo() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 200)).save(buffer, format="JPEG")
    return SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def county(users, media):
    """A small county: the region tree, users of every role, a resident with an encrypted ID
    number, and a case with a photo upload."""
    categories_load()
    departments_create(county_code="330483")
    person = make_person("李秀英", "330483001001", 41)
    case = case_report(
        actor=users["grid"],
        category="ebike_charging",
        description="楼道飞线充电",
        region_code="330483001001001",
        attributes={"place": "corridor"},
        photos=[photo()],
    )
    return {"person": person, "id_number": id_number(41), "case": case}


def signed_in_check(data: Path, env: dict[str, str], person: Person, photo_token: str) -> dict:
    """Sign in as the county administrator on the restored deployment (a process of its own)
    and read the person's page, reveal the ID number, and fetch the case photo."""
    script = f"""
import hashlib, json
from django.test import Client
from django.urls import reverse
client = Client(HTTP_HOST="localhost")
signed_in = client.post(reverse("login"), {{"username": "admin", "password": "pw-admin-2026"}})
page = client.get(reverse("person-detail", args=[{person.pk}]))
revealed = client.post(reverse("person-reveal-id", args=[{person.pk}]))
photo = client.get(reverse("case-photo", args=[{photo_token!r}]))
print(json.dumps({{
    "signed_in": signed_in.status_code,
    "page": page.status_code,
    "masked": {person.id_masked!r} in page.content.decode(),
    "revealed": revealed.content.decode(),
    "photo": photo.status_code,
    "photo_sha256": hashlib.sha256(b"".join(photo)).hexdigest(),
}}))
"""
    done = run_jiceng("manage", "shell", "--no-imports", "-c", script, data=data, env=env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture
def restore_target(tmp_path: Path):
    """Where the wiped deployment lives: a new empty data folder, and on PostgreSQL a new empty
    database on the same server (dropped afterwards)."""
    folder = tmp_path / "restored"
    if connection.vendor != "postgresql":
        yield folder, {}
        return
    import psycopg

    settings_dict = connection.settings_dict
    name = f"{settings_dict['NAME']}_restore"
    params = {
        k: v
        for k, v in {
            "user": settings_dict["USER"],
            "password": settings_dict["PASSWORD"],
            "host": settings_dict["HOST"],
            "port": str(settings_dict["PORT"] or ""),
        }.items()
        if v
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    user = settings_dict["USER"] or "postgres"
    password = f":{settings_dict['PASSWORD']}" if settings_dict["PASSWORD"] else ""
    host = settings_dict["HOST"] or "127.0.0.1"
    port = settings_dict["PORT"] or 5432
    url = f"postgresql://{user}{password}@{host}:{port}/{name}"
    try:
        yield folder, {"DATABASE_URL": url}
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)
def test_backup_wipe_restore_gives_the_same_counts_and_a_working_sign_in(
    county, media, tmp_path, restore_target, capsys
):
    if connection.vendor == "postgresql" and not (
        shutil.which("pg_dump") and shutil.which("pg_restore")
    ):
        pytest.skip("pg_dump and pg_restore are not on PATH")
    before = live_counts()
    assert before["core_person"] == 1 and before["cases_casephoto"] == 1

    assert cli.main(["backup", "--to", str(tmp_path / "archives")]) == 0
    archive = Path(capsys.readouterr().out.strip())
    assert archive.parent == tmp_path / "archives" and archive.name.endswith(".tar.gz")
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile(MANIFEST).read())
        names = set(tar.getnames())
    assert manifest["counts"] == before
    assert manifest["engine"] == ("postgresql" if connection.vendor == "postgresql" else "sqlite")
    assert ["cases", "0001_initial"] in manifest["migrations"]
    stored_photo = county["case"].photos.get()
    upload = "uploads/" + stored_photo.file.name
    assert {"keys/secret_key", "keys/field_key", upload, manifest["database"]} <= names
    assert names == set(manifest["files"]) | {MANIFEST}
    original = (media / stored_photo.file.name).read_bytes()
    assert manifest["files"][upload] == hashlib.sha256(original).hexdigest()

    # Wipe: a new, empty data folder (and database), in processes of their own.
    folder, env = restore_target
    restored = run_jiceng("restore", str(archive), data=folder, env=env)
    assert restored.returncode == 0, restored.stderr
    assert "match the manifest" in restored.stderr
    if env:
        database = {**connection.settings_dict, "NAME": env["DATABASE_URL"].rsplit("/", 1)[1]}
    else:
        database = sqlite_target(folder)
    assert database_counts(database) == before
    assert (folder / "uploads" / stored_photo.file.name).read_bytes() == original
    assert (folder / "field_key").stat().st_mode & 0o077 == 0

    seen = signed_in_check(folder, env, county["person"], stored_photo.token)
    assert seen["signed_in"] == 302 and seen["page"] == 200 and seen["masked"]
    # The field key came along: the encrypted ID number decrypts to the same number.
    assert county["id_number"] in seen["revealed"]
    assert seen["photo"] == 200
    assert seen["photo_sha256"] == hashlib.sha256(original).hexdigest()


@pytest.fixture
def archive(users, media, tmp_path) -> Path:
    (media / "imports").mkdir(parents=True)
    (media / "imports" / "staff.xlsx").write_bytes(b"not really a workbook")
    return backup_create(to=tmp_path / "archives").path


def sqlite_target(folder: Path) -> dict[str, str]:
    return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(folder / "jiceng.sqlite3")}


def snapshot(folder: Path) -> list[tuple[str, bytes]]:
    return sorted(
        (str(p.relative_to(folder)), p.read_bytes()) for p in folder.rglob("*") if p.is_file()
    )


@pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="restores into SQLite"
)
def test_a_restore_into_a_folder_that_is_not_empty_is_refused_before_writing(
    archive, tmp_path, monkeypatch, capsys
):
    folder = tmp_path / "busy"
    folder.mkdir()
    (folder / "notes.txt").write_text("an operator's file")
    before = snapshot(folder)
    with pytest.raises(BackupRefused, match="not empty"):
        backup_restore(archive=archive, data_dir=folder, database=sqlite_target(folder))
    assert snapshot(folder) == before

    monkeypatch.setenv("JICENG_DATA", str(folder))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert cli.main(["restore", str(archive)]) == 2
    assert "not empty" in capsys.readouterr().err
    assert snapshot(folder) == before
    assert cli.main(["restore", str(tmp_path / "missing.tar.gz")]) == 2
    assert snapshot(folder) == before


def rewrite(archive: Path, dest: Path, *, member: str, change) -> Path:
    """A copy of the archive with one member's bytes passed through `change`."""
    with tarfile.open(archive) as source, tarfile.open(dest, "w:gz") as out:
        for info in source.getmembers():
            data = source.extractfile(info).read()
            if info.name == member:
                data = change(data)
                info.size = len(data)
            out.addfile(info, io.BytesIO(data))
    return dest


@pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="restores into SQLite"
)
def test_a_damaged_or_foreign_archive_is_refused_before_writing(archive, tmp_path):
    folder = tmp_path / "empty"
    damaged = rewrite(
        archive, tmp_path / "damaged.tar.gz", member="keys/field_key", change=lambda b: b[:-1]
    )
    with pytest.raises(BackupRefused, match="Checksum mismatch for keys/field_key"):
        backup_restore(archive=damaged, data_dir=folder, database=sqlite_target(folder))
    assert not folder.exists()

    not_a_backup = tmp_path / "photo.tar.gz"
    not_a_backup.write_bytes(b"\x89PNG not an archive")
    with pytest.raises(BackupRefused, match="not a Jiceng backup"):
        backup_restore(archive=not_a_backup, data_dir=folder, database=sqlite_target(folder))

    postgres = {"ENGINE": "django.db.backends.postgresql", "NAME": "jiceng_never_touched"}
    with pytest.raises(BackupRefused, match="holds a sqlite database"):
        backup_restore(archive=archive, data_dir=folder, database=postgres)
    assert not folder.exists()


@pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="restores into SQLite"
)
def test_counts_that_differ_from_the_manifest_are_reported_as_an_error(archive, tmp_path):
    def inflate(body: bytes) -> bytes:
        manifest = json.loads(body)
        manifest["counts"]["core_region"] += 1
        return json.dumps(manifest).encode()

    tampered = rewrite(archive, tmp_path / "tampered.tar.gz", member=MANIFEST, change=inflate)
    folder = tmp_path / "restored"
    with pytest.raises(RestoreMismatch, match="core_region"):
        backup_restore(archive=tampered, data_dir=folder, database=sqlite_target(folder))


def test_backup_exits_2_on_bad_arguments_and_writes_nothing(db, tmp_path, capsys):
    occupied = tmp_path / "a-file"
    occupied.write_text("x")
    assert cli.main(["backup", "--to", str(occupied)]) == 2
    assert "not a folder" in capsys.readouterr().err
    assert occupied.read_text() == "x" and list(tmp_path.iterdir()) == [occupied]
    with pytest.raises(SystemExit) as usage:
        cli.main(["backup", "--into", str(tmp_path)])
    assert usage.value.code == 2
    with pytest.raises(SystemExit) as usage:
        cli.main(["restore"])
    assert usage.value.code == 2


def test_the_nightly_backup_keeps_the_newest_archives(db, media, settings, tmp_path):
    assert "jiceng.core.tasks.nightly_backup" in {job.task for job in PERIODIC}
    settings.DATA_DIR = tmp_path / "data"
    settings.BACKUP_KEEP = 2
    folder = tmp_path / "data" / "backups"
    folder.mkdir(parents=True)
    old = [folder / f"jiceng-backup-2026010{d}T020000Z.tar.gz" for d in (1, 2, 3)]
    for path in old:
        path.write_bytes(b"an older archive")
    (folder / "operator-notes.txt").write_text("kept: not an archive")
    made = backup_nightly()
    assert made.path.parent == folder
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [old[2].name, made.path.name, "operator-notes.txt"]
    )
