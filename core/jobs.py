"""The scheduled jobs, with one entry point for every server.

``manage.py run_jobs`` runs every job that is due: each daily job once a
day, the crisis reminders once an hour, the statistics refresh once a week.
Run it from cron or a systemd timer on every app server, e.g. every ten
minutes: the first server to start a job in a period claims it
(:class:`core.models.JobRun`, unique per job and period), and the others
skip it. A failed run may be run again in the same period; a run whose
server died is taken over after :data:`STALE_AFTER`. Each job is also safe
to run twice on its own (it remembers what it sent), so the claim is about
not doing the work twice at once, not the only guard.
"""

from __future__ import annotations

import datetime
import io
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.models import JobRun

STALE_AFTER = datetime.timedelta(hours=2)
MAX_OUTPUT = 4000
HOURLY, DAILY, WEEKLY = "hour", "day", "week"


def _command(name: str, *args: str) -> Callable[[], str]:
    def run() -> str:
        out = io.StringIO()
        call_command(name, *args, stdout=out, stderr=out)
        return out.getvalue()

    return run


def _statistics() -> str:
    """Each partnership named in ``SAMSPILL_STATISTICS_REFRESH`` fetches
    from the statistics APIs (needs a network; off by default)."""
    out = []
    for slug in settings.SAMSPILL_STATISTICS_REFRESH:
        out.append(_command("fetch_statistics", slug)())
    return "".join(out) or "No partnership refreshes its statistics (SAMSPILL_STATISTICS_REFRESH)."


@dataclass(frozen=True)
class Job:
    name: str
    every: str
    run: Callable[[], str] = field(compare=False)
    description: str = ""


def registry() -> list[Job]:
    """The jobs in the order they run."""
    return [
        Job("retention", DAILY, _command("apply_retention"), "the retention rules"),
        Job("followup-reminders", DAILY, _command("send_followup_reminders")),
        Job("deviation-reminders", DAILY, _command("send_deviation_reminders")),
        Job("routine-reminders", DAILY, _command("send_routine_reminders")),
        Job("crisis-reminders", HOURLY, _command("send_crisis_reminders")),
        Job("notification-digest", DAILY, _command("send_notification_digest")),
        Job("statistics-refresh", WEEKLY, _statistics),
    ]


def period_of(every: str, moment: datetime.datetime) -> str:
    local = timezone.localtime(moment)
    if every == HOURLY:
        return local.strftime("%Y-%m-%dT%H")
    if every == WEEKLY:
        year, week, _day = local.isocalendar()
        return f"{year}-W{week:02d}"
    return local.date().isoformat()


def host_name() -> str:
    return f"{socket.gethostname()}:{settings.SAMSPILL_JOB_HOST_TAG}".rstrip(":")


def claim(job: Job, period: str, host: str) -> JobRun | None:
    """The run of ``job`` in ``period`` for ``host``, or None when another
    server has it (running, or done)."""
    try:
        with transaction.atomic():
            return JobRun.objects.create(job=job.name, period=period, host=host)
    except IntegrityError:
        pass
    with transaction.atomic():
        existing = JobRun.objects.select_for_update().filter(job=job.name, period=period).first()
        if existing is None:
            return None
        stale = existing.started_at < timezone.now() - STALE_AFTER
        retry = existing.outcome == JobRun.Outcome.FAILED
        if existing.outcome == JobRun.Outcome.RUNNING and stale:
            retry = True
        if not retry:
            return None
        existing.host = host
        existing.started_at = timezone.now()
        existing.finished_at = None
        existing.outcome = JobRun.Outcome.RUNNING
        existing.output = ""
        existing.save()
        return existing


@dataclass
class Result:
    job: str
    period: str
    outcome: str  # "done", "failed" or "skipped"
    detail: str = ""


def run_due(
    *,
    jobs: Iterable[Job] | None = None,
    only: Iterable[str] = (),
    host: str | None = None,
    now: datetime.datetime | None = None,
) -> list[Result]:
    """Run every job that is due and not claimed by another server."""
    host = host or host_name()
    now = now or timezone.now()
    wanted = set(only)
    results = []
    for job in jobs if jobs is not None else registry():
        if wanted and job.name not in wanted:
            continue
        period = period_of(job.every, now)
        run = claim(job, period, host)
        if run is None:
            holder = JobRun.objects.filter(job=job.name, period=period).first()
            detail = f"{holder.outcome} on {holder.host}" if holder else ""
            results.append(Result(job.name, period, "skipped", detail))
            continue
        try:
            output = job.run()
        except Exception as error:  # noqa: BLE001 - the run records what went wrong
            run.outcome = JobRun.Outcome.FAILED
            run.output = f"{type(error).__name__}: {error}"[:MAX_OUTPUT]
        else:
            run.outcome = JobRun.Outcome.DONE
            run.output = output[-MAX_OUTPUT:]
        run.finished_at = timezone.now()
        run.save(update_fields=["outcome", "output", "finished_at"])
        results.append(Result(job.name, period, run.outcome, run.output.strip()[:200]))
    return results


def describe(results: list[Any]) -> Iterable[str]:
    for result in results:
        detail = f" ({result.detail})" if result.detail else ""
        yield f"{result.job} [{result.period}]: {result.outcome}{detail}"
