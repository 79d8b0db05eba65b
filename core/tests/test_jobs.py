"""The scheduled jobs' one entry point: each job once per period however
many servers run it, at the same moment too (on PostgreSQL); a failed run
or one whose server died is run again."""

from __future__ import annotations

import datetime
import io
import threading
import time
from collections import Counter
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.utils import timezone

from core import jobs
from core.models import JobRun

COUNTS: Counter[str] = Counter()


def _job(name: str, every: str = jobs.DAILY, *, fail: bool = False) -> jobs.Job:
    def run() -> str:
        COUNTS[name] += 1
        time.sleep(0.2)  # long enough for another server to try meanwhile
        if fail:
            raise RuntimeError("the mail server did not answer")
        return f"{name} ran"

    return jobs.Job(name, every, run)


@pytest.fixture(autouse=True)
def _counts() -> None:
    COUNTS.clear()


@pytest.mark.django_db
def test_a_job_runs_once_a_period() -> None:
    job = _job("a")
    noon = timezone.make_aware(datetime.datetime(2026, 12, 5, 12))
    first = jobs.run_due(jobs=[job], host="one", now=noon)
    again = jobs.run_due(jobs=[job], host="two", now=noon + datetime.timedelta(hours=3))
    tomorrow = jobs.run_due(jobs=[job], host="two", now=noon + datetime.timedelta(days=1))
    assert [r.outcome for r in first + again + tomorrow] == ["done", "skipped", "done"]
    assert again[0].detail == "done on one"
    assert COUNTS["a"] == 2
    assert list(JobRun.objects.order_by("period").values_list("period", "host")) == [
        ("2026-12-05", "one"),
        ("2026-12-06", "two"),
    ]


@pytest.mark.django_db
def test_hourly_and_weekly_periods() -> None:
    moment = timezone.make_aware(datetime.datetime(2026, 12, 31, 23, 30))
    assert jobs.period_of(jobs.HOURLY, moment) == "2026-12-31T23"
    assert jobs.period_of(jobs.WEEKLY, moment) == "2026-W53"
    assert jobs.period_of(jobs.DAILY, moment) == "2026-12-31"


@pytest.mark.django_db
def test_a_failed_run_is_recorded_and_run_again() -> None:
    failing = _job("b", fail=True)
    noon = timezone.make_aware(datetime.datetime(2026, 12, 5, 12))
    (result,) = jobs.run_due(jobs=[failing], host="one", now=noon)
    assert result.outcome == "failed"
    run = JobRun.objects.get(job="b")
    assert run.outcome == "failed" and "mail server did not answer" in run.output
    (again,) = jobs.run_due(jobs=[_job("b")], host="two", now=noon)
    assert again.outcome == "done" and COUNTS["b"] == 2
    assert JobRun.objects.get(job="b").host == "two"


@pytest.mark.django_db
def test_a_run_whose_server_died_is_taken_over_later() -> None:
    noon = timezone.make_aware(datetime.datetime(2026, 12, 5, 12))
    JobRun.objects.create(job="c", period="2026-12-05", host="dead", started_at=timezone.now())
    (fresh,) = jobs.run_due(jobs=[_job("c")], host="two", now=noon)
    assert fresh.outcome == "skipped" and fresh.detail == "running on dead"
    JobRun.objects.filter(job="c").update(
        started_at=timezone.now() - jobs.STALE_AFTER - datetime.timedelta(minutes=1)
    )
    (taken,) = jobs.run_due(jobs=[_job("c")], host="two", now=noon)
    assert taken.outcome == "done" and COUNTS["c"] == 1


@pytest.mark.django_db
def test_the_command_runs_the_real_jobs_once_and_says_so(people: Any) -> None:
    out = io.StringIO()
    call_command("run_jobs", "--only", "followup-reminders", "notification-digest", stdout=out)
    assert "followup-reminders [" in out.getvalue() and ": done" in out.getvalue()
    out = io.StringIO()
    call_command("run_jobs", "--only", "followup-reminders", stdout=out)
    assert "skipped (done on" in out.getvalue()
    with pytest.raises(CommandError, match="Unknown job"):
        call_command("run_jobs", "--only", "nothing")
    listed = io.StringIO()
    call_command("run_jobs", "--list", stdout=listed)
    assert "crisis-reminders: once an hour" in listed.getvalue()


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="locking needs PostgreSQL")
def test_two_servers_at_the_same_moment_run_each_job_once(transactional_db: Any) -> None:
    registry = [_job("d"), _job("e"), _job("f", jobs.HOURLY)]
    barrier = threading.Barrier(2)
    results: dict[str, list[jobs.Result]] = {}

    def server(host: str) -> None:
        try:
            barrier.wait()
            results[host] = jobs.run_due(jobs=registry, host=host)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=server, args=(h,)) for h in ("app-1", "app-2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert dict(COUNTS) == {"d": 1, "e": 1, "f": 1}
    for name in ("d", "e", "f"):
        outcomes = sorted(r.outcome for host in results for r in results[host] if r.job == name)
        assert outcomes == ["done", "skipped"]
    assert JobRun.objects.count() == 3
