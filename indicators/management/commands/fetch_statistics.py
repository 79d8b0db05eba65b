"""Fetch the products that have an API (SSB, FHI) for a partnership's
kommuner and read them as an upload would be read.

Without ``--apply`` each file is left as a dry run for the secretariat to
look at and store; with it, a file that reads without error is stored at
once. A file with an error stores nothing and makes the command fail, so a
scheduled run that goes wrong is noticed. See the README for the cron line.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from indicators import fetching, services
from indicators.models import ImportProfile
from partnerships.models import Partnership


class Command(BaseCommand):
    help = "Fetch statistics from the sources' APIs for a partnership (see the README)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("partnership", help="The partnership's short name, e.g. hnt.")
        parser.add_argument(
            "--product", action="append", default=[], help="Only this product (repeatable)."
        )
        parser.add_argument(
            "--apply", action="store_true", help="Store what reads without error at once."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        partnership = Partnership.objects.filter(slug=options["partnership"]).first()
        if partnership is None:
            raise CommandError(f"No partnership {options['partnership']!r}.")
        profiles = [p for p in ImportProfile.objects.all() if p.mapping.get("fetch")]
        if options["product"]:
            profiles = [p for p in profiles if p.product in options["product"]]
            if not profiles:
                raise CommandError("None of the products named can be fetched.")
        kommuner = sorted(services.kommune_numbers(partnership))
        limiter = fetching.RateLimiter(settings.SAMSPILL_STATISTICS_REQUESTS_PER_MINUTE)
        today = timezone.localdate()
        failed = []
        for profile in profiles:
            request = fetching.request_for(profile, kommuner)
            assert request is not None
            try:
                data = fetching.fetch(request, limiter)
            except fetching.FetchError as error:
                failed.append(profile.product)
                self.stderr.write(f"{profile.product}: {error}")
                continue
            batch, reading = services.start_import(
                partnership,
                profile,
                file_name=f"{profile.product}-{today.isoformat()}.json",
                data=data,
                retrieved_on=today,
                by=None,
                fetched_from=request.url[:1000],
            )
            if batch is None:
                failed.append(profile.product)
                self.stderr.write(f"{profile.product}: the file was not read; nothing stored.")
                for problem in reading.errors[:20]:
                    place = (problem.row, problem.column)
                    where = ", ".join(str(x) for x in place if x is not None)
                    self.stderr.write(f"  {where}: {problem.message}")
                continue
            if options["apply"]:
                batch = services.apply_import(batch.pk, partnership, by=None)
                self.stdout.write(
                    f"{profile.product}: stored {batch.new_values} new, "
                    f"{batch.changed_values} changed, {batch.unchanged_values} unchanged."
                )
            else:
                counts = services.dry_run(batch).counts
                self.stdout.write(
                    f"{profile.product}: dry run {batch.pk}: {counts['new']} new, "
                    f"{counts['changed']} changed, {counts['unchanged']} unchanged "
                    "(store it on the statistics page)."
                )
        if failed:
            raise CommandError(f"Not fetched or not read: {', '.join(failed)}.")
