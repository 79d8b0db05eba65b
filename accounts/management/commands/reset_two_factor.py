"""Reset a person's second factor when they lost both the phone and the
recovery codes. Another administrator does it, and the audit trail says who."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.services import reset_two_factor


class Command(BaseCommand):
    help = (
        "Remove a person's authenticator and recovery codes and end their sessions, so that "
        "they set up two-factor again at their next log-in. Recorded with who did it."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("email", help="the person who lost their second factor")
        parser.add_argument("--by", required=True, help="the administrator doing the reset")

    def handle(self, *args: Any, **options: Any) -> None:
        person = User.objects.filter(email=options["email"].strip().lower()).first()
        admin = User.objects.filter(email=options["by"].strip().lower()).first()
        if person is None or admin is None:
            raise CommandError("No such person (check both e-mail addresses).")
        if not admin.is_superuser:
            raise CommandError("--by must be an administrator (a superuser).")
        try:
            removed = reset_two_factor(person, by=admin)
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Removed {removed} second-factor device(s) of {person.email}; their sessions ended. "
            "They set up two-factor again at their next log-in."
        )
