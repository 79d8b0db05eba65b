"""Consistent backups of the database and the uploaded files, and a restore
into an empty database.

The database is copied with its own tools, so that a backup is one consistent
snapshot and a restore writes rows exactly as they were, without running any
of Samspill's code (no signals: the audit trail gains no false "create"
entries, the identity guard is not asked about rows it already accepted):

- PostgreSQL: ``pg_dump --format=custom`` (one transaction, a consistent
  snapshot while the system runs) and ``pg_restore --no-owner`` into an empty
  database;
- SQLite: the SQLite online backup API, then a copy of that file.

The uploaded files (``MEDIA_ROOT``) go into ``media.tar.gz``. ``manifest.json``
holds when and from what the backup was made, every table's row count and the
SHA-256 of each file; a restore checks the files against it before it starts.
A backup holds password hashes, TOTP secrets and every document: encrypt it
and keep it where few can read it (README, Production).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.db import connections

DATABASE_FILE = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
MEDIA_FILE = "media.tar.gz"
MANIFEST = "manifest.json"


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why."""


def vendor(alias: str = "default") -> str:
    found = connections[alias].vendor
    if found not in DATABASE_FILE:
        raise BackupError(f"Backups support PostgreSQL and SQLite, not {found}.")
    return found


def _pg_url(alias: str = "default", name: str | None = None) -> str:
    conf = connections[alias].settings_dict
    user = quote(conf.get("USER") or "", safe="")
    password = quote(conf.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = conf.get("HOST") or "localhost"
    port = f":{conf['PORT']}" if conf.get("PORT") else ""
    return f"postgresql://{auth}{host}{port}/{quote(name or conf['NAME'], safe='')}"


def table_counts(alias: str = "default") -> dict[str, int]:
    """Every table's row count (one query per table)."""
    connection = connections[alias]
    with connection.cursor() as cursor:
        tables = sorted(connection.introspection.table_names(cursor))
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def make_backup(target: Path, alias: str = "default") -> dict[str, Any]:
    """Write a backup into the new folder ``target``; returns the manifest."""
    kind = vendor(alias)
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty: a backup goes into a new folder.")
    target.mkdir(parents=True, exist_ok=True)
    os.chmod(target, 0o700)
    database = target / DATABASE_FILE[kind]
    if kind == "postgresql":
        subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", "--file", str(database), _pg_url(alias)],
            check=True,
            capture_output=True,
        )
    else:
        source = sqlite3.connect(str(connections[alias].settings_dict["NAME"]))
        copy = sqlite3.connect(str(database))
        with copy:
            source.backup(copy)
        copy.close()
        source.close()
    media = target / MEDIA_FILE
    with tarfile.open(media, "w:gz") as archive:
        root = Path(settings.MEDIA_ROOT)
        if root.exists():
            archive.add(root, arcname="media")
    manifest = {
        "made_at": datetime.datetime.now(datetime.UTC).isoformat(),
        "database": kind,
        "tables": table_counts(alias),
        "files": {p.name: _sha256(p) for p in (database, media)},
        # With object storage the uploaded files are in the bucket, not in
        # media.tar.gz: the bucket's own versioning keeps them.
        "media_storage": settings.SAMSPILL_STORAGE,
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
    for path in target.iterdir():
        os.chmod(path, 0o600)
    return manifest


def read_manifest(source: Path) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads((source / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise BackupError(f"{source} holds no readable {MANIFEST}.") from error
    for name, expected in manifest.get("files", {}).items():
        path = source / name
        if not path.exists() or _sha256(path) != expected:
            raise BackupError(f"{name} is missing or damaged (its checksum does not match).")
    return manifest


def restore_backup(source: Path, alias: str = "default", *, media: bool = True) -> dict[str, Any]:
    """Restore the backup in ``source`` into the (empty) database ``alias``
    and the (empty) ``MEDIA_ROOT``; returns the manifest."""
    manifest = read_manifest(source)
    kind = vendor(alias)
    if manifest["database"] != kind:
        raise BackupError(
            f"The backup is of a {manifest['database']} database; this one is {kind}. "
            "Restore into the same kind of database."
        )
    connection = connections[alias]
    with connection.cursor() as cursor:
        if connection.introspection.table_names(cursor):
            raise BackupError("The database is not empty: restore into a new, empty database.")
    root = Path(settings.MEDIA_ROOT)
    if media and root.exists() and any(root.iterdir()):
        raise BackupError(f"{root} is not empty: restore the files into an empty folder.")
    database = source / DATABASE_FILE[kind]
    if kind == "postgresql":
        connection.close()
        subprocess.run(
            [
                "pg_restore",
                "--no-owner",
                "--exit-on-error",
                "--dbname",
                _pg_url(alias),
                str(database),
            ],
            check=True,
            capture_output=True,
        )
    else:
        connection.close()
        target = Path(connections[alias].settings_dict["NAME"])
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(database, target)
    if media:
        root.mkdir(parents=True, exist_ok=True)
        with tarfile.open(source / MEDIA_FILE, "r:gz") as archive:
            for member in archive.getmembers():
                if member.name == "media" or not member.name.startswith("media/"):
                    continue
                member.name = member.name.removeprefix("media/")
                archive.extract(member, root, filter="data")
    return manifest
