from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from followups.services import send_reminders


class Command(BaseCommand):
    help = (
        "E-mail reminders (links only) about open follow-ups whose deadline is within a week "
        "or past, or whose review date has come. Run daily; a second run the same day sends "
        "nothing new."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date",
            type=datetime.date.fromisoformat,
            help="The day to remind for (YYYY-MM-DD); today if left out.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = options["date"] or timezone.localdate()
        sent = send_reminders(today)
        self.stdout.write(f"Sent {sent} reminder e-mail(s) for {today.isoformat()}.")
