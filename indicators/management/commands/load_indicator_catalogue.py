from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from indicators import catalogue


class Command(BaseCommand):
    help = (
        "Load the shipped indicator catalogue, import profiles and national daily rates. "
        "Without --update only what is missing is added."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--update", action="store_true", help="Overwrite with the shipped files."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        written = catalogue.sync(update=options["update"])
        self.stdout.write(
            "Indicators: {indicators}, profiles: {profiles}, daily rates: {daily_rates}".format(
                **written
            )
        )
