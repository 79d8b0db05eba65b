"""``manage.py send_crisis_reminders``: run hourly (or daily)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from crisis.reminders import send_reminders


class Command(BaseCommand):
    help = (
        "Remind the coordinators and leaders of parties that have not submitted the "
        "situation report of an active crisis' reporting period (crisis, party, period and "
        "link only, never values): once when the reminder window before the deadline opens "
        "and once after the deadline. A second run sends nothing twice. Run hourly or daily."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now",
            type=datetime.datetime.fromisoformat,
            help="The moment to remind for (YYYY-MM-DDTHH:MM, local time); now if left out.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        moment = options["now"]
        if moment is not None and timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        moment = moment or timezone.now()
        reminded = send_reminders(moment)
        self.stdout.write(
            f"Reminded about {reminded} situation report(s) at "
            f"{timezone.localtime(moment).isoformat(timespec='minutes')}."
        )
