from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core import jobs


class Command(BaseCommand):
    help = (
        "Run the scheduled jobs that are due (reminders, digests, retention, statistics "
        "refresh): each once per period across every server, so run it on every server, "
        "e.g. every ten minutes. Exits with an error when a job failed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--only", nargs="*", default=[], help="Run only these jobs.")
        parser.add_argument("--list", action="store_true", help="List the jobs and stop.")

    def handle(self, *args: Any, **options: Any) -> None:
        registry = jobs.registry()
        if options["list"]:
            for job in registry:
                every = {"hour": "once an hour", "day": "once a day", "week": "once a week"}
                self.stdout.write(f"{job.name}: {every[job.every]}")
            return
        unknown = set(options["only"]) - {job.name for job in registry}
        if unknown:
            raise CommandError(f"Unknown job(s): {', '.join(sorted(unknown))}")
        results = jobs.run_due(jobs=registry, only=options["only"])
        for line in jobs.describe(results):
            self.stdout.write(line)
        failed = [r.job for r in results if r.outcome == "failed"]
        if failed:
            raise CommandError(f"Failed: {', '.join(failed)}")
