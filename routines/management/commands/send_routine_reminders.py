from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from routines.services import send_reminders


class Command(BaseCommand):
    help = (
        "Remind each routine's responsible person and its owner's keepers (title, date and "
        "link only) of reviews coming due within 30 days and of reviews overdue: once of "
        "each per review date. Run daily; a second run the same day reminds nobody again."
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
        self.stdout.write(f"Reminded about {reminded} routine(s) for {today.isoformat()}.")
