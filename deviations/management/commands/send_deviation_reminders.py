from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from deviations.services import send_reminders


class Command(BaseCommand):
    help = (
        "Remind the receiving party's coordinators and leaders (number, date and link only) "
        "of deviations whose answer deadline is near or past: when the reminder window "
        "opens, the day after the deadline and then weekly. Run daily; a second run the "
        "same day reminds nobody again."
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
        self.stdout.write(f"Reminded about {reminded} deviation(s) for {today.isoformat()}.")
