# ruff: noqa: S608 - the SQL below is built from constants only; values are parameters.
"""Time of the deviation statistics next to the raw SQL of the same aggregate.

    .venv/bin/python bench/deviations_bench.py [--deviations 200000] [--repeat 5]

In one run: builds a throwaway database with the demo partnership and N
generated deviations (see ``bench/deviations_generate.py``; SQLite in a
temporary file by default, PostgreSQL ``<db>_devbench`` when DATABASE_URL is
set), then prints, for the statistics page's default range (the last 24
months, everything the secretariat sees), the median time of each aggregate
function of ``deviations.statistics`` next to a hand-written SQL query of the
same aggregate run on a cursor, the time of the whole page's aggregates
(``statistics.compute``, all of them from one reading of the rows) with its
number of queries, and last the page's time against the slowest single raw
SQL aggregate of the run (goal P3 of issue 13: at most twice). Prints
figures only: no assertion on time.
"""

from __future__ import annotations

import argparse
import datetime
import functools
import statistics as stats
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from deviations_generate import build_demo, generate, throwaway_database

WHERE = (
    "d.partnership_id = %s AND d.status <> 'draft' AND d.submitted_at >= %s AND d.submitted_at < %s"
)
DIRECTION = (
    "CASE WHEN r.kind = 'kommune' AND v.kind = 'kommune' THEN 'kommune_kommune' "
    "WHEN r.kind = 'kommune' THEN 'kommune_hf' "
    "WHEN v.kind = 'kommune' THEN 'hf_kommune' ELSE 'other' END"
)


def raw_queries(vendor: str) -> dict[str, str]:
    """The same aggregates by hand: group by the foreign key, no names."""
    if vendor == "postgresql":
        month = "date_trunc('month', d.submitted_at AT TIME ZONE 'Europe/Oslo')"
        days = "avg(extract(epoch FROM d.first_answered_at - d.submitted_at)) / 86400"
        answered_date = "(d.first_answered_at AT TIME ZONE 'Europe/Oslo')::date"
    else:
        # (SQLite: months in UTC, close enough for timing.)
        month = "strftime('%%Y-%%m', d.submitted_at)"
        days = "avg(julianday(d.first_answered_at) - julianday(d.submitted_at))"
        answered_date = "date(d.first_answered_at)"
    table = "deviations_deviation d"
    return {
        "summary": (
            f"SELECT count(*), count(d.first_answered_at), "
            f"sum(CASE WHEN {answered_date} <= d.response_deadline THEN 1 ELSE 0 END), {days}, "
            f"sum(CASE WHEN d.status IN ('submitted', 'received', 'in_progress') "
            f"AND d.response_deadline < %s THEN 1 ELSE 0 END) FROM {table} WHERE {WHERE}"
        ),
        "trend": f"SELECT {month}, count(*) FROM {table} WHERE {WHERE} GROUP BY 1",
        "category": f"SELECT d.category_id, count(*) FROM {table} WHERE {WHERE} GROUP BY 1",
        "guideline": f"SELECT d.guideline_id, count(*) FROM {table} WHERE {WHERE} GROUP BY 1",
        "clause": (
            f"SELECT d.clause_id, d.guideline_id, count(*) FROM {table} WHERE {WHERE} GROUP BY 1, 2"
        ),
        "routine": f"SELECT d.routine_id, count(*) FROM {table} WHERE {WHERE} GROUP BY 1",
        "section_point": (
            f"SELECT d.section_point, count(*) FROM {table} WHERE {WHERE} GROUP BY 1"
        ),
        "reporting_party": (
            f"SELECT d.reporting_organisation_id, count(*) FROM {table} WHERE {WHERE} GROUP BY 1"
        ),
        "receiving_party": (
            f"SELECT d.receiving_organisation_id, count(*) FROM {table} WHERE {WHERE} GROUP BY 1"
        ),
        "direction": (
            f"SELECT {DIRECTION}, count(*) FROM {table} "
            "JOIN partnerships_organisation r ON r.id = d.reporting_organisation_id "
            "JOIN partnerships_organisation v ON v.id = d.receiving_organisation_id "
            f"WHERE {WHERE} GROUP BY 1"
        ),
        "region": (
            f"SELECT g.name, count(*) FROM {table} "
            "LEFT JOIN partnerships_participation p ON p.partnership_id = d.partnership_id "
            "AND p.organisation_id = d.reporting_organisation_id "
            "AND (p.valid_to IS NULL OR p.valid_to > %s) "
            "LEFT JOIN partnerships_region g ON g.id = p.region_id "
            f"WHERE {WHERE} GROUP BY 1"
        ),
        "consequence": f"SELECT d.consequence, count(*) FROM {table} WHERE {WHERE} GROUP BY 1",
    }


def median_ms(fn: Callable[[], Any], repeat: int) -> float:
    fn()  # warm the cache once
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return stats.median(times)


def run(n: int, repeat: int) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from deviations import statistics
    from deviations.models import Deviation

    started = time.perf_counter()
    partnership = build_demo()
    written = generate(partnership, n)
    print(f"engine: {connection.vendor}")
    print(f"built demo + {written} deviations in {time.perf_counter() - started:.1f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    start, end = statistics.default_range()
    seen = Deviation.objects.filter(partnership=partnership)  # the secretariat's view
    scoped = statistics.in_range(seen, start, end)
    ops = connection.ops
    low = ops.adapt_datetimefield_value(statistics.start_of_day(start))
    high = ops.adapt_datetimefield_value(statistics.start_of_day(end) + datetime.timedelta(days=1))
    today = timezone.localdate()
    base = [partnership.pk, low, high]
    params = {"summary": [today, *base], "region": [today, *base]}
    functions: dict[str, Callable[[], Any]] = {
        "summary": lambda: statistics.summary(scoped),
        "trend": lambda: statistics.trend(scoped, statistics.MONTH, start, end),
        **{
            name: functools.partial(fn, scoped)
            for name, fn in statistics.BREAKDOWN_FUNCTIONS.items()
        },
    }
    queries = raw_queries(connection.vendor)
    print(f"range {start} – {end}: {scoped.count()} deviations; median of {repeat} runs")
    print(f"{'aggregate':16} {'function ms':>12} {'raw SQL ms':>11} {'groups':>7}")

    raw_times: dict[str, float] = {}
    for name, fn in functions.items():
        fn_ms = median_ms(fn, repeat)

        args = params.get(name, base)

        def raw(sql: str = queries[name], args: list[Any] = args) -> list[Any]:
            with connection.cursor() as cursor:
                cursor.execute(sql, args)
                return cursor.fetchall()

        raw_ms = raw_times[name] = median_ms(raw, repeat)
        print(f"{name:16} {fn_ms:>12.1f} {raw_ms:>11.1f} {len(raw()):>7}")

    def page() -> Any:
        return statistics.compute(seen, start=start, end=end)

    with CaptureQueriesContext(connection) as captured:
        page()
    page_ms = median_ms(page, repeat)
    print(f"{'whole page':16} {page_ms:>12.1f}   (statistics.compute: {len(captured)} queries)")
    slowest = max(raw_times, key=raw_times.__getitem__)
    print(
        f"goal P3 on {connection.vendor}: whole page {page_ms:.1f} ms, slowest single raw SQL "
        f"({slowest}) {raw_times[slowest]:.1f} ms, ratio {page_ms / raw_times[slowest]:.2f} "
        "(goal: at most 2)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--deviations", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with throwaway_database():
        run(args.deviations, args.repeat)


if __name__ == "__main__":
    main()
