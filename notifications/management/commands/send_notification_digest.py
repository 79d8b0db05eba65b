from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from notifications.services import send_digests


class Command(BaseCommand):
    help = (
        "E-mail the daily digest of notifications (links only): one e-mail per person with "
        "unsent notifications. Run once a day, e.g. at 07:00; a second run sends nothing new."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        sent = send_digests()
        self.stdout.write(f"Sent {sent} digest e-mail(s).")
