"""Crisis reporting at national scale, over HTTP against a real server.

    .venv/bin/python bench/crisis_bench.py [--kommuner 357] [--hospitals 20] [--weeks 104]
        [--clients 50] [--retry 0.1] [--requests 30] [--workers 4]

In one run: builds a throwaway database with the demo and a national
partnership with two years of weekly covid-19 reports (see
``bench/crisis_generate.py``; SQLite in a temporary file by default,
PostgreSQL ``<db>_crisisbench`` when DATABASE_URL is set), starts
``gunicorn samspill.wsgi`` on a free port on that database (DEBUG off), and
prints:

- (P1) every party submitting its report for the current period at once:
  ``--clients`` client threads ``POST /api/crisis/{id}/reports`` with the
  party's own API token; ``--retry`` of the requests are sent a second time
  with the same ``client_key`` (queued right behind the first, so the two
  often run at the same time). p50/p95 latency, throughput, the status
  codes, and the lost (a party without a submitted report) and duplicated
  (a report submitted twice: two revisions) counts. Next to it, ``/healthz``
  under the same load.
- (P2) the situational picture ``crisis:dashboard`` (the latest period, all
  parties) for a secretariat member (with a verified second factor in the
  session), ``--requests`` times one after another: p50/p95, next to
  ``/healthz`` and the public front page on the same server; and the page's
  query count, measured in this process with the Django test client.

Only the standard library talks HTTP. Figures only: no assertion on time.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import http.client
import json
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from crisis_generate import (
    ROOT,
    SLUG,
    Party,
    build_demo,
    generate,
    print_generated,
    throwaway_database,
    week_values,
)

SOFT_MAX = Decimal(500)  # the covid form's soft limit on cases: above it, a comment


@dataclass
class Result:
    status: int
    seconds: float
    retry: bool = False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def server(database_url: str, workers: int) -> Iterator[tuple[str, int]]:
    """``gunicorn samspill.wsgi`` (or ``runserver --noreload`` without
    gunicorn) on a free port on the throwaway database; yields (host, port)."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SAMSPILL_DEBUG": "false",
        "DJANGO_SETTINGS_MODULE": "samspill.settings",
    }
    gunicorn = Path(sys.executable).parent / "gunicorn"
    if gunicorn.exists():
        command = [
            str(gunicorn),
            "samspill.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ]
        name = f"gunicorn, {workers} sync workers"
    else:
        command = [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]
        name = "runserver --noreload (gunicorn not installed)"
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
        try:
            deadline = time.monotonic() + 60
            while not _ready(port):
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    output = log.read().decode()[-3000:]
                    raise RuntimeError("the server did not start:\n" + output)
                time.sleep(0.3)
            conn_age = os.environ.get("SAMSPILL_DB_CONN_MAX_AGE", "0")
            print(f"server: {name}, SAMSPILL_DB_CONN_MAX_AGE={conn_age}")
            yield "127.0.0.1", port
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _ready(port: int) -> bool:
    try:
        return request("127.0.0.1", port, "GET", "/healthz").status == 200
    except OSError:
        return False


def request(
    host: str,
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Result:
    """One request on a new connection; the status and the seconds until
    the whole response was read."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection(host, port, timeout=120)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        response.read()
        return Result(response.status, time.perf_counter() - started)
    finally:
        connection.close()


def percentiles(results: list[Result]) -> str:
    times = sorted(r.seconds * 1000 for r in results)
    if len(times) < 2:
        return f"{times[0]:.0f} ms" if times else "-"
    cuts = statistics.quantiles(times, n=100, method="inclusive")
    return f"p50 {cuts[49]:.0f} ms, p95 {cuts[94]:.0f} ms"


def p95(results: list[Result]) -> float:
    times = sorted(r.seconds * 1000 for r in results)
    if len(times) < 2:
        return times[0] if times else 0.0
    return statistics.quantiles(times, n=100, method="inclusive")[94]


def run_concurrently(tasks: list[Callable[[], Result]], clients: int) -> tuple[list[Result], float]:
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        results = list(pool.map(lambda task: task(), tasks))
    return results, time.perf_counter() - started


# --- setting up ------------------------------------------------------------------------


def issue_tokens(parties: list[Party]) -> dict[int, str]:
    """One API token per party (as ``deviations.tokens.issue_token`` makes
    them: only the hash is stored)."""
    from deviations.models import OrganisationToken
    from deviations.tokens import hash_token
    from partnerships.models import Partnership

    partnership = Partnership.objects.get(slug=SLUG)
    tokens = {p.organisation.pk: secrets.token_urlsafe(32) for p in parties}
    OrganisationToken.objects.bulk_create(
        OrganisationToken(
            partnership=partnership,
            organisation_id=pk,
            name="Ytelsestest",
            token_hash=hash_token(token),
        )
        for pk, token in tokens.items()
    )
    return tokens


def payload(party: Party, period: str, rng: random.Random) -> dict[str, Any]:
    """The API body of a party's report: a week of the omicron wave."""
    values: dict[str, str] = {}
    comments: dict[str, str] = {}
    for (code, item), (number, text, comment) in week_values(
        party, 100, rng, soft_max=SOFT_MAX
    ).items():
        key = f"{code}:{item}" if item else code
        values[key] = text if number is None else f"{number.normalize():f}"
        if comment:
            comments[key] = comment
    return {
        "period": period,
        "client_key": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "values": values,
        "comments": comments,
        "submit": True,
    }


def secretariat_session() -> tuple[Any, str]:
    """A secretariat member of the national partnership, logged in with a
    verified second factor (as after the real log-in); the test client and
    the session cookie's value for HTTP."""
    from django.conf import settings
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import User
    from partnerships.models import Partnership, PartnershipRole

    user = User.objects.create_user(
        email="sekretariat@nasjonal.example", full_name="Sekretariatet Ytelsestest"
    )
    PartnershipRole.objects.create(
        user=user,
        partnership=Partnership.objects.get(slug=SLUG),
        role=PartnershipRole.Role.SECRETARIAT,
    )
    device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    client = Client()
    client.force_login(user, backend="accounts.backends.EmailBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client, client.cookies[settings.SESSION_COOKIE_NAME].value


# --- P1 --------------------------------------------------------------------------------


def p1(
    host: str,
    port: int,
    crisis: Any,
    parties: list[Party],
    tokens: dict[int, str],
    clients: int,
    retry: float,
) -> None:
    from crisis import periods
    from crisis.models import Report, ReportRevision

    period = periods.reporting_period(crisis)
    rng = random.Random(5)
    path = f"/api/crisis/{crisis.pk}/reports"
    tasks: list[Callable[[], Result]] = []

    def post(body: bytes, token: str, again: bool) -> Callable[[], Result]:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

        def task() -> Result:
            result = request(host, port, "POST", path, body, headers)
            result.retry = again
            return result

        return task

    # Every worker answers the API once before the clock starts.
    warm = {"Authorization": f"Bearer {tokens[parties[0].organisation.pk]}"}
    run_concurrently([lambda: request(host, port, "GET", "/api/crisis", None, warm)] * 16, 8)
    order = list(parties)
    rng.shuffle(order)
    for party in order:
        body = json.dumps(payload(party, period.isoformat(), rng)).encode()
        token = tokens[party.organisation.pk]
        tasks.append(post(body, token, False))
        if rng.random() < retry:
            tasks.append(post(body, token, True))
    results, wall = run_concurrently(tasks, clients)
    first = [r for r in results if not r.retry]
    again = [r for r in results if r.retry]
    reports = Report.objects.filter(crisis=crisis, period_start=period)
    submitted = set(
        reports.filter(status=Report.Status.SUBMITTED).values_list("organisation_id", flat=True)
    )
    lost = sum(1 for p in parties if p.organisation.pk not in submitted)
    revisions = Counter(
        ReportRevision.objects.filter(report__in=reports).values_list("report_id", flat=True)
    )
    duplicated = sum(1 for n in revisions.values() if n > 1)
    print(f"(P1) {len(parties)} parties submit period {period} with {clients} clients")
    print(
        f"  {len(results)} requests ({len(again)} repeats with the same client_key) "
        f"in {wall:.1f} s: {len(results) / wall:.1f} requests/s"
    )
    print(f"  all requests:    {percentiles(results)}")
    print(f"  first requests:  {percentiles(first)}")
    print(f"  status codes: first {dict(Counter(r.status for r in first))}, ", end="")
    print(f"repeats {dict(Counter(r.status for r in again))}")
    print(
        f"  reports in the database: {reports.count()} for {len(parties)} parties; "
        f"lost {lost}, duplicated {duplicated}"
    )
    health, wall = run_concurrently(
        [lambda: request(host, port, "GET", "/healthz") for _ in tasks], clients
    )
    print(
        f"  /healthz under the same load: {percentiles(health)}, "
        f"{len(health) / wall:.1f} requests/s, {dict(Counter(r.status for r in health))}"
    )
    print(
        f"  P1: submit p95 / /healthz p95 under the same load = "
        f"{p95(first) / max(p95(health), 0.001):.1f} (goal: at most 4)"
    )
    submit_queries(crisis, parties, tokens, period, rng)


def submit_queries(
    crisis: Any,
    parties: list[Party],
    tokens: dict[int, str],
    period: datetime.date,
    rng: random.Random,
) -> None:
    """The queries of one submit, counted in-process with the test client:
    a party's first report of the period (its report from the load above
    deleted first, and its group's figures recomputed), then the same
    party changing it. Then whether the picture shows the change at once."""
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from crisis import figures, picture
    from crisis.models import Report

    party = parties[-1]
    report = Report.objects.get(crisis=crisis, organisation=party.organisation, period_start=period)
    group = report.figure_group or figures.OUTSIDE
    with transaction.atomic():
        report.delete()
        figures.refresh(crisis.pk, period, [group])
    client = Client()
    headers = {"Authorization": f"Bearer {tokens[party.organisation.pk]}"}
    path = f"/api/crisis/{crisis.pk}/reports"
    body = payload(party, period.isoformat(), rng)
    counts = []
    before = _smittetall(picture.build(crisis, period))
    for number in ("11", "12"):
        body = {**body, "client_key": str(uuid.uuid4())}
        body["values"] = {**body["values"], "smittetall": number}
        with CaptureQueriesContext(connection) as queries:
            response = client.post(path, body, content_type="application/json", headers=headers)
        frame = sum(1 for q in queries.captured_queries if q["sql"] in TRANSACTION)
        counts.append(f"{len(queries) - frame} + {frame} (status {response.status_code})")
        if os.environ.get("BENCH_SQL"):
            print("\n".join(q["sql"][:110] for q in queries.captured_queries))
    after = _smittetall(picture.build(crisis, period))
    print(
        f"  queries per submit (in-process, + BEGIN/COMMIT): first {counts[0]}, changed {counts[1]}"
    )
    print(
        f"  the picture's smittetall for all parties: {before} before the party's "
        f"first submit, {after} right after its change (a submit shows at once)"
    )


TRANSACTION = {"BEGIN", "BEGIN IMMEDIATE", "COMMIT"}


def _smittetall(shown: Any) -> Any:
    return next((t.now for t in shown.totals if t.indicator.code == "smittetall"), None)


# --- P2 --------------------------------------------------------------------------------


def p2(host: str, port: int, crisis: Any, requests: int) -> None:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    client, cookie = secretariat_session()
    url = reverse("crisis:dashboard", kwargs={"partnership_slug": SLUG, "pk": crisis.pk})
    headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"}

    def timed(path: str, with_session: bool) -> list[Result]:
        request(host, port, "GET", path, headers=headers if with_session else None)  # warm
        return [
            request(host, port, "GET", path, headers=headers if with_session else None)
            for _ in range(requests)
        ]

    print(f"(P2) the situational picture {url}, {requests} requests one after another")
    page = timed(url, True)
    statuses = dict(Counter(r.status for r in page))
    print(f"  dashboard:   {percentiles(page)}  {statuses}")
    floor: dict[str, list[Result]] = {}
    for name, path, session in (("/healthz", "/healthz", False), ("front page", "/", False)):
        floor[name] = timed(path, session)
        print(f"  {name + ':':<12} {percentiles(floor[name])}")
    size = len(client.get(url).content)
    print(
        f"  P2: dashboard p95 / front page p95 = "
        f"{p95(page) / max(p95(floor['front page']), 0.001):.1f} (goal: at most 5); "
        f"the page is {size / 1024:.0f} KB"
    )
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    print(
        f"  dashboard queries (in-process test client): {len(queries)}, "
        f"status {response.status_code}"
    )
    with CaptureQueriesContext(connection) as queries:
        Client().get("/healthz")
    print(f"  /healthz queries: {len(queries)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kommuner", type=int, default=357)
    parser.add_argument("--hospitals", type=int, default=20)
    parser.add_argument("--weeks", type=int, default=104)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--retry", type=float, default=0.1)
    parser.add_argument("--requests", type=int, default=30, help="P2: requests per page")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    args = parser.parse_args()
    with throwaway_database() as database_url:
        from django.db import connection

        print(f"engine: {connection.vendor}, cores: {os.cpu_count()}")
        print(f"demo built in {build_demo():.1f} s")
        started = time.perf_counter()
        generated = generate(args.kommuner, args.hospitals, args.weeks)
        print_generated(generated)
        print(f"generated in {time.perf_counter() - started:.1f} s")
        tokens = issue_tokens(generated.parties)
        connection.close()  # the server writes next; this process only reads
        with server(database_url, args.workers) as (host, port):
            p1(host, port, generated.crisis, generated.parties, tokens, args.clients, args.retry)
            p2(host, port, generated.crisis, args.requests)


if __name__ == "__main__":
    main()
