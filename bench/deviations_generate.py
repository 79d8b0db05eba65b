"""Generate N deviations (default 200,000) into a throwaway database.

    .venv/bin/python bench/deviations_generate.py [--deviations 200000]

Builds a throwaway database (SQLite in a temporary file by default;
PostgreSQL when DATABASE_URL is set: a database named after it with
"_devbench" added, created and dropped here), builds the demo partnership
(``samspill.demo.build_all``) and fills it with N submitted deviations over
the last two years, in both directions, with ``bulk_create`` in batches.
Prints how long that took. ``bench/deviations_bench.py`` uses
:func:`throwaway_database` and :func:`generate` to time the statistics.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import os
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BATCH = 5000
DAYS = 730


@contextlib.contextmanager
def throwaway_database() -> Iterator[None]:
    """Set Django up on a database of its own, created here and dropped after."""
    tmp = tempfile.mkdtemp(prefix="devbench-")
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samspill.settings")

    import django
    from django.conf import settings

    django.setup()
    from django.db import connection

    db = settings.DATABASES["default"]
    db["TEST"]["NAME"] = (
        f"{tmp}/bench.sqlite3" if connection.vendor == "sqlite" else f"{db['NAME']}_devbench"
    )
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        yield
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        shutil.rmtree(tmp, ignore_errors=True)


def build_demo() -> Any:
    """The demo partnership (fast password hashing: nobody logs in)."""
    from django.test import override_settings

    from partnerships.models import Partnership
    from samspill.demo import build_all

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        build_all()
    return Partnership.objects.get(slug="hnt")


def generate(partnership: Any, n: int, seed: int = 2026) -> int:
    """N submitted deviations between the partnership's parties over the last
    two years; about a third open (some overdue), the rest answered or
    closed. Returns how many were written."""
    from django.db import transaction
    from django.db.models import Max
    from django.utils import timezone

    from deviations import services
    from deviations.models import Deviation, DeviationCategory, Guideline
    from partnerships.models import Organisation

    rng = random.Random(seed)
    services.ensure_categories(partnership)
    categories = list(DeviationCategory.objects.filter(partnership=partnership))
    for number, name in enumerate(
        ["Innleggelse", "Utskrivning", "Legemidler", "Øyeblikkelig hjelp", "IKT"], start=1
    ):
        Guideline.objects.get_or_create(
            partnership=partnership, number=number, defaults={"name": name}
        )
    guidelines: list[Guideline | None] = [
        *Guideline.objects.filter(partnership=partnership),
        None,
    ]
    parties = services.parties(partnership)
    trusts = [o for o in parties if o.kind == Organisation.Kind.HELSEFORETAK]
    kommuner = [o for o in parties if o.kind == Organisation.Kind.KOMMUNE]
    S = Deviation.Status
    statuses = [S.SUBMITTED, S.RECEIVED, S.IN_PROGRESS] + [S.ANSWERED] * 2 + [S.CLOSED] * 5
    consequences = ["none"] * 5 + ["minor"] * 3 + ["moderate"] * 2 + ["serious"]
    now = timezone.now()
    # Numbers go on after any deviations the demo already holds.
    sequences: dict[int, int] = {
        row["year"] or 0: row["last"]
        for row in Deviation.objects.filter(partnership=partnership, year__isnull=False)
        .values("year")
        .annotate(last=Max("sequence"))
    }
    written = 0
    with transaction.atomic():
        while written < n:
            batch = []
            for _i in range(min(BATCH, n - written)):
                roll = rng.random()
                # Mostly kommune → HF, then HF → kommune, a few between kommuner.
                if roll < 0.55:
                    reporter, receiver = rng.choice(kommuner), rng.choice(trusts)
                elif roll < 0.9:
                    reporter, receiver = rng.choice(trusts), rng.choice(kommuner)
                else:
                    reporter, receiver = rng.sample(kommuner, 2)
                submitted = now - datetime.timedelta(seconds=rng.randrange(DAYS * 86400))
                year = timezone.localtime(submitted).year
                sequences[year] = sequences.get(year, 0) + 1
                status = rng.choice(statuses)
                answered = None
                if status in (S.ANSWERED, S.CLOSED):
                    answered = submitted + datetime.timedelta(
                        days=rng.randrange(1, 45), hours=rng.randrange(24)
                    )
                batch.append(
                    Deviation(
                        partnership=partnership,
                        year=year,
                        sequence=sequences[year],
                        reporting_organisation=reporter,
                        receiving_organisation=receiver,
                        receiving_unit="Avdeling",
                        occurred_at=submitted - datetime.timedelta(hours=rng.randrange(72)),
                        category=rng.choice(categories),
                        guideline=rng.choice(guidelines),
                        section_point=rng.choice([None, 2, 3, 5, 6, 9, 11]),
                        description="Generert avvik for ytelsesmåling.",
                        consequence=rng.choice(consequences),
                        status=status,
                        created=submitted,
                        submitted_at=submitted,
                        received_at=submitted if status != S.SUBMITTED else None,
                        answered_at=answered,
                        first_answered_at=answered,
                        closed_at=answered if status == S.CLOSED else None,
                        response_deadline=timezone.localtime(submitted).date()
                        + datetime.timedelta(days=21),
                    )
                )
            Deviation.objects.bulk_create(batch, batch_size=1000)
            written += len(batch)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--deviations", type=int, default=200_000)
    args = parser.parse_args()
    with throwaway_database():
        from django.db import connection

        started = time.perf_counter()
        partnership = build_demo()
        demo = time.perf_counter() - started
        started = time.perf_counter()
        written = generate(partnership, args.deviations)
        print(f"engine: {connection.vendor}")
        print(f"demo built in {demo:.1f} s")
        print(f"generated {written} deviations in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
