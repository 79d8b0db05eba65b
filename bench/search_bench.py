"""Median time per search query over N cases with decisions.

    .venv/bin/python bench/search_bench.py [--cases 2000] [--repeat 15]

Builds a throwaway database (SQLite in a temporary file by default;
PostgreSQL when DATABASE_URL is set: a database named after it with
"_searchbench" added, created and dropped here), fills it with N cases in
published meetings, each with a decision, and prints the median time of
each query for the public and for the secretariat. Prints figures only: no
assertion on time.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORDS = [
    "avtale",
    "avtalene",
    "samhandling",
    "utskrivningsklare",
    "pasienter",
    "kommune",
    "kommunene",
    "helseforetaket",
    "legevakt",
    "beredskap",
    "handlingsplan",
    "eldre",
    "skrøpelige",
    "psykisk",
    "helse",
    "rus",
    "barn",
    "unge",
    "sårbehandling",
    "rehabilitering",
    "kompetanse",
    "opplæring",
    "fastlege",
    "sykehjem",
    "øyeblikkelig",
    "hjelp",
    "retningslinje",
    "revisjon",
    "rapport",
    "avvik",
    "oppgaveoverføring",
    "konsekvensvurdering",
    "budsjett",
    "tilskudd",
    "høring",
    "plan",
    "tiltak",
    "prioritering",
    "jordmor",
    "digital",
    "samhandlingsrutine",
]
QUERIES = [
    "avtale",
    "avtalene",
    "utskrivningsklare pasienter",
    "legevakt",
    "handlingsplan eldre",
    "sårbehandling kommune",
    "26/015",
    "finnesikkeordet",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="searchbench-")
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samspill.settings")

    import django
    from django.conf import settings

    django.setup()
    from django.db import connection

    db = settings.DATABASES["default"]
    db["TEST"]["NAME"] = (
        f"{tmp}/bench.sqlite3" if connection.vendor == "sqlite" else f"{db['NAME']}_searchbench"
    )
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        run(args.cases, args.repeat)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        shutil.rmtree(tmp, ignore_errors=True)


def run(n: int, repeat: int) -> None:
    import datetime

    from django.db import connection
    from django.utils import timezone

    from councils.models import Case, Council, Decision, Meeting, Treatment
    from partnerships.access import PartnershipAccess
    from partnerships.capabilities import Role, capabilities_for
    from partnerships.models import Partnership
    from search import services

    rng = random.Random(2026)

    def word() -> str:
        # One word in ten from the vocabulary queried, the rest filler, so
        # that a query matches some of the cases, not all of them.
        return rng.choice(WORDS) if rng.random() < 0.1 else f"fyllord{rng.randrange(5000)}"

    def text(words: int) -> str:
        return " ".join(word() for _ in range(words)).capitalize() + "."

    started = time.perf_counter()
    partnership = Partnership.objects.create(slug="bench", name="Benchmark")
    council = Council.objects.create(
        partnership=partnership,
        kind="asu",
        name="Administrativt samarbeidsutvalg",
        short_name="ASU",
        slug="asu",
    )
    now = timezone.now()
    meetings = Meeting.objects.bulk_create(
        Meeting(
            council=council,
            title=f"Møte {i + 1}",
            starts_at=now - datetime.timedelta(days=7 * i),
            status=Meeting.Status.PUBLISHED,
        )
        for i in range(max(1, n // 50))
    )
    visibilities = ["public"] * 14 + ["partnership"] * 3 + ["council"] * 2 + ["restricted"]
    cases = []
    for i in range(n):
        visibility = rng.choice(visibilities)
        restricted = visibility == "restricted"
        cases.append(
            Case(
                partnership=partnership,
                council=council,
                year=2026,
                sequence=i + 1,
                title=text(6),
                public_title=text(3) if restricted else "",
                legal_basis="offentleglova § 23" if restricted else "",
                visibility=visibility,
                background=text(60),
                assessment=text(60),
                proposed_decision=text(20),
                created=now - datetime.timedelta(hours=i),
            )
        )
    cases = Case.objects.bulk_create(cases)
    treatments = Treatment.objects.bulk_create(
        Treatment(meeting=meetings[i % len(meetings)], case=c, kind="decision", position=10 + i)
        for i, c in enumerate(cases)
    )
    Decision.objects.bulk_create(
        Decision(
            treatment=t,
            recommendation=t.case.proposed_decision,  # type: ignore[union-attr]
            adopted_text=t.case.proposed_decision,  # type: ignore[union-attr]
        )
        for t in treatments
    )
    how = "full text, norwegian" if services.use_full_text() else "substring fallback"
    print(f"engine: {connection.vendor} ({how})")
    print(
        f"built {n} cases, {len(treatments)} decisions, {len(meetings)} meetings "
        f"in {time.perf_counter() - started:.1f} s"
    )

    roles = frozenset({Role.SECRETARIAT})
    secretariat = PartnershipAccess(
        partnership=partnership, user_id=None, roles=roles, capabilities=capabilities_for(roles)
    )
    all_times: list[float] = []
    print(f"{'query':32} {'who':12} {'hits':>6} {'median ms':>10}")
    for query in QUERIES:
        for who, access in [("public", None), ("secretariat", secretariat)]:
            times = []
            total = 0
            for _ in range(repeat):
                t0 = time.perf_counter()
                results = services.search(partnership, query, access=access)
                times.append((time.perf_counter() - t0) * 1000)
                total = results.total
            median = statistics.median(times)
            all_times.append(median)
            print(f"{query:32} {who:12} {total:>6} {median:>10.1f}")
    print(f"median over all queries: {statistics.median(all_times):.1f} ms")


if __name__ == "__main__":
    main()
