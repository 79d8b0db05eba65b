from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, make_backup


class Command(BaseCommand):
    help = (
        "Write a consistent backup of the database and the uploaded files into a new folder "
        "(pg_dump or SQLite's backup API, media.tar.gz, manifest.json with row counts and "
        "checksums). It holds password hashes and TOTP secrets: encrypt it."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "folder",
            nargs="?",
            help="a new or empty folder (default: backups/<date and time>)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
        target = Path(options["folder"] or f"backups/{stamp}")
        try:
            manifest = make_backup(target)
        except BackupError as error:
            raise CommandError(str(error)) from None
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            f"Backup of {len(manifest['tables'])} tables ({rows} rows) and the uploaded files "
            f"written to {target}."
        )
