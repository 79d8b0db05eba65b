from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from core.retention import apply_all


class Command(BaseCommand):
    help = (
        "Apply the retention rules (core/retention.py and every app's retention.py): remove "
        "what is past its retention period, or its free text where records point at it. "
        "Prints a count per rule and writes an audit entry per rule. Run daily; a second "
        "run finds nothing more to do. --dry-run only counts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="count what each rule would remove, change nothing and write no audit entry",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run = options["dry_run"]
        verb = "would remove or empty" if dry_run else "removed or emptied"
        for outcome in apply_all(dry_run=dry_run):
            rule = outcome.rule
            period = f"{rule.setting}={rule.days}" if rule.setting else "no setting"
            cutoff = timezone.localtime(outcome.cutoff) if outcome.cutoff else None
            before = f", before {cutoff:%Y-%m-%d %H:%M}" if cutoff else ""
            self.stdout.write(f"{rule.key} ({period}{before}): {verb} {outcome.count}")
            self.stdout.write(f"  {rule.description}")
