from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, restore_backup, table_counts


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into an empty database and an empty "
        "media folder, then check every table's row count against the backup's manifest."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("folder", help="the backup's folder")
        parser.add_argument(
            "--no-media", action="store_true", help="restore the database only, not the files"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = restore_backup(Path(options["folder"]), media=not options["no_media"])
        except BackupError as error:
            raise CommandError(str(error)) from None
        restored = table_counts()
        differ = {
            t: (n, restored.get(t)) for t, n in manifest["tables"].items() if restored.get(t) != n
        }
        if differ:
            raise CommandError(f"Restored, but row counts differ from the backup: {differ}")
        self.stdout.write(
            f"Restored {len(restored)} tables ({sum(restored.values())} rows), as in the backup "
            f"made at {manifest['made_at']}."
        )
