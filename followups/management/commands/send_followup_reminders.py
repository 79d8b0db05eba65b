from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from followups.services import send_reminders


class Command(BaseCommand):
    help = (
        "Remind people (links only) of open follow-ups whose deadline is within a week or "
        "past, or whose review date has come: e-mailed at once or in the daily digest, as "
        "each person chose. Run daily; a second run the same day reminds nobody again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date",
            type=datetime.date.fromisoformat,
            help="The day to remind for (YYYY-MM-DD); today if left out.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = options["date"] or timezone.localdate()
        reminded = send_reminders(today)
        self.stdout.write(f"Reminded {reminded} person(s) for {today.isoformat()}.")
