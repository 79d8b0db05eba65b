from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from partnerships.demo import DEMO_PASSWORD, PEOPLE
from samspill.demo import build_all


class Command(BaseCommand):
    help = "Build the demo partnerships and named demo users (idempotent) and print the logins."

    def handle(self, *args: Any, **options: Any) -> None:
        build_all()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: Helsefellesskap Nord-Trøndelag at {settings.SITE_URL}/hnt/"
            )
        )
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for person in PEOPLE:
            self.stdout.write(f"  {person.email:<34} {person.full_name:<20} {person.description}")
        from representation.demo import CONSTITUENTS

        for first, last, email in CONSTITUENTS:
            description = "Verdal kommune: answers Lena's input rounds"
            self.stdout.write(f"  {email:<34} {first + ' ' + last:<20} {description}")
        self.stdout.write(
            "Secretariat and administrators set up two-factor (TOTP) at their first log-in: "
            "scan the QR code with an authenticator app."
        )
