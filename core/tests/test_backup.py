"""Backup and restore: the demo, backed up and restored into a fresh
PostgreSQL database, has every table with the same rows (count and checksum),
the same audit trail (no invented history) and the same uploaded files."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections

from core import backup


def _checksums(url: str) -> dict[str, tuple[int, str]]:
    """Every table: (rows, an order-independent MD5 of all its rows)."""
    result: dict[str, tuple[int, str]] = {}
    with psycopg.connect(url, autocommit=True) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        for table in tables:
            row = conn.execute(
                f"SELECT COUNT(*), md5(coalesce(string_agg(md5(t::text), '' ORDER BY md5(t::text)), '')) FROM \"{table}\" t"  # noqa: S608, E501
            ).fetchone()
            assert row is not None
            result[table] = (row[0], row[1])
    return result


@pytest.fixture
def fresh_database(django_db_blocker: Any) -> Iterator[str]:
    """An empty PostgreSQL database as the connection alias "restored"."""
    name = f"samspill_restore_{uuid.uuid4().hex[:8]}"
    admin_url = backup._pg_url("default", "postgres")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    connections.settings["restored"] = {**connection.settings_dict, "NAME": name}
    try:
        yield name
    finally:
        with django_db_blocker.unblock():
            connections["restored"].close()
        del connections["restored"]
        connections.settings.pop("restored", None)
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="restores into PostgreSQL")
def test_the_demo_restores_into_a_fresh_database_exactly(
    transactional_db: Any,
    django_db_blocker: Any,
    fresh_database: str,
    tmp_path: Path,
    settings: Any,
) -> None:
    # Committed rows, so that pg_dump (another connection) sees them: the demo,
    # built here (tests before this one may have emptied the database).
    from samspill.demo import build_all

    build_all()
    with django_db_blocker.unblock():
        # An uploaded file, so that the media folder has something to carry.
        media = Path(settings.MEDIA_ROOT)
        (media / "saksvedlegg" / "2026").mkdir(parents=True, exist_ok=True)
        (media / "saksvedlegg" / "2026" / "vedlegg.txt").write_text("Referat fra møtet.")
        folder = tmp_path / "backup"
        call_command("backup", str(folder))
        assert sorted(p.name for p in folder.iterdir()) == sorted(
            ["database.dump", "media.tar.gz", "manifest.json"]
        )
        assert oct(folder.stat().st_mode)[-3:] == "700"

        settings.MEDIA_ROOT = str(tmp_path / "restored-media")
        backup.restore_backup(folder, alias="restored")
        before = _checksums(backup._pg_url("default"))
        after = _checksums(backup._pg_url("restored"))
    assert before["auditlog_logentry"][0] > 100  # the demo's history is there…
    assert before["partnerships_organisation"][0] > 20
    assert after == before  # …and every table, history included, is restored as it was
    restored = tmp_path / "restored-media" / "saksvedlegg" / "2026" / "vedlegg.txt"
    assert restored.read_text() == "Referat fra møtet."


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="restores into PostgreSQL")
def test_it_refuses_to_restore_into_a_database_with_tables(
    transactional_db: Any, django_db_blocker: Any, tmp_path: Path
) -> None:
    with django_db_blocker.unblock():
        folder = tmp_path / "backup"
        backup.make_backup(folder)
        with pytest.raises(backup.BackupError, match="not empty"):
            backup.restore_backup(folder, alias="default", media=False)


def test_a_damaged_backup_is_refused_before_anything_is_touched(tmp_path: Path) -> None:
    (tmp_path / "database.sqlite3").write_bytes(b"not what was saved")
    (tmp_path / "manifest.json").write_text(
        '{"database": "sqlite", "tables": {}, "made_at": "x", '
        '"files": {"database.sqlite3": "' + "0" * 64 + '"}}'
    )
    with pytest.raises(CommandError, match="damaged"):
        call_command("restore", str(tmp_path), "--no-media")


def test_a_sqlite_database_is_backed_up_and_restored(
    django_db_blocker: Any, tmp_path: Path, settings: Any
) -> None:
    source, target = tmp_path / "source.sqlite3", tmp_path / "target.sqlite3"
    with sqlite3.connect(source) as db:
        db.execute("CREATE TABLE note (id INTEGER PRIMARY KEY, text TEXT)")
        db.executemany("INSERT INTO note (text) VALUES (?)", [("én",), ("to",), ("tre",)])
    base = {**connections.settings["default"], "ENGINE": "django.db.backends.sqlite3"}
    connections.settings["sqlite_source"] = {**base, "NAME": str(source), "OPTIONS": {}}
    connections.settings["sqlite_target"] = {**base, "NAME": str(target), "OPTIONS": {}}
    settings.MEDIA_ROOT = str(tmp_path / "media")
    django_db_blocker.unblock()
    try:
        manifest = backup.make_backup(tmp_path / "backup", alias="sqlite_source")
        assert manifest["tables"] == {"note": 3}
        settings.MEDIA_ROOT = str(tmp_path / "media-restored")
        backup.restore_backup(tmp_path / "backup", alias="sqlite_target")
        assert backup.table_counts("sqlite_target") == {"note": 3}
    finally:
        for alias in ("sqlite_source", "sqlite_target"):
            connections[alias].close()
            del connections[alias]
            connections.settings.pop(alias)
        django_db_blocker.restore()
