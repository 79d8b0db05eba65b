"""Generate a national-scale covid-19 crisis into a throwaway database.

    .venv/bin/python bench/crisis_generate.py [--kommuner 357] [--hospitals 20] [--weeks 104]

Builds a throwaway database (SQLite in a temporary file by default;
PostgreSQL when DATABASE_URL is set: a database named after it with
"_crisisbench" added, created and dropped here), migrates it, builds the demo
(``samspill.demo.build_all``, the HNT covid-19 history included), then adds
one partnership the size of the country: N kommuner ("Kommune 001" …) and M
hospital trusts ("Helseforetak 01" …), all invented, in regions under the
hospitals' areas, and a covid-19 crisis on the weekly form with every
party's submitted report for each of the last W weeks (values following the
waves of 2020–2022, levels computed as the services compute them, one
revision each). The current reporting period is left empty for
``bench/crisis_bench.py`` to fill. Rows go in with ``bulk_create`` (reports)
and one ``executemany`` per batch (values, revisions). Prints rows and
seconds.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import math
import os
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SLUG = "nasjonal"
WEEKS_PER_BATCH = 8
# Where the server process finds the throwaway database (set by throwaway_database).
SERVER_DATABASE_URL = "SAMSPILL_BENCH_DATABASE_URL"


@contextlib.contextmanager
def throwaway_database() -> Iterator[str]:
    """Set Django up on a database of its own, created here and dropped after.
    Yields the ``DATABASE_URL`` of that database, for a server process."""
    tmp = tempfile.mkdtemp(prefix="crisisbench-")
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samspill.settings")

    import django
    from django.conf import settings

    django.setup()
    from django.db import connection

    db = settings.DATABASES["default"]
    sqlite = connection.vendor == "sqlite"
    db["TEST"]["NAME"] = f"{tmp}/bench.sqlite3" if sqlite else f"{db['NAME']}_crisisbench"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    if sqlite:
        url = f"sqlite:///{tmp}/bench.sqlite3"
    else:
        parts = urlsplit(os.environ["DATABASE_URL"])
        url = urlunsplit(parts._replace(path=f"/{db['NAME']}"))
    os.environ[SERVER_DATABASE_URL] = url
    try:
        yield url
    finally:
        connection.close()
        connection.creation.destroy_test_db(old_name, verbosity=0)
        shutil.rmtree(tmp, ignore_errors=True)


def build_demo() -> float:
    """The demo partnerships (fast password hashing); returns the seconds."""
    from django.test import override_settings

    from samspill.demo import build_all

    started = time.perf_counter()
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        build_all()
    return time.perf_counter() - started


def insert_rows(model: Any, names: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """Insert rows of ``names`` into the model's table, each value prepared
    as the field prepares it: ``COPY`` on PostgreSQL, one ``executemany`` on
    SQLite."""
    from django.db import connection

    fields = {f.name: f for f in model._meta.concrete_fields}
    chosen = [fields[name] for name in names]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names from the model
        quote(model._meta.db_table),
        ", ".join(quote(str(f.column)) for f in chosen),
        ", ".join(["%s"] * len(chosen)),
    )
    prepared = [
        tuple(f.get_db_prep_save(v, connection) for f, v in zip(chosen, row, strict=True))
        for row in rows
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            copy_sql = sql.replace("INSERT INTO", "COPY").split(" VALUES")[0] + " FROM STDIN"
            with cursor.cursor.copy(copy_sql) as copy:
                for row in prepared:
                    copy.write_row(row)
        else:
            cursor.executemany(sql, prepared)


@dataclass
class Party:
    organisation: Any
    is_kommune: bool
    population: int
    capacity: dict[str, int]
    group: int = 0  # its figures' group: its region (a kommune), 0 for a hospital


@dataclass
class Generated:
    crisis: Any
    parties: list[Party]
    reports: int
    values: int
    revisions: int
    seconds: dict[str, float]


def make_partnership(kommuner: int, hospitals: int, seed: int) -> list[Party]:
    """The national partnership: hospitals with an area each, three regions
    per area, kommuner spread over the regions. Invented names and numbers."""
    from partnerships.models import (
        HospitalArea,
        Organisation,
        Participation,
        Partnership,
        Population,
        Region,
    )

    rng = random.Random(seed)
    partnership = Partnership.objects.create(
        slug=SLUG,
        name="Nasjonalt helsefellesskap (ytelsestest)",
        about="Oppdiktet partnerskap i landets størrelse, for ytelsesmålinger.",
        is_demo=True,
    )
    areas = HospitalArea.objects.bulk_create(
        HospitalArea(partnership=partnership, name=f"Sykehusområde {i + 1:02d}", position=i)
        for i in range(hospitals)
    )
    regions = Region.objects.bulk_create(
        Region(
            partnership=partnership,
            hospital_area=areas[i % hospitals],
            name=f"Region {i + 1:02d}",
            position=i,
        )
        for i in range(hospitals * 3)
    )
    trusts = Organisation.objects.bulk_create(
        Organisation(kind=Organisation.Kind.HELSEFORETAK, name=f"Helseforetak {i + 1:02d}")
        for i in range(hospitals)
    )
    towns = Organisation.objects.bulk_create(
        Organisation(
            kind=Organisation.Kind.KOMMUNE,
            name=f"Kommune {i + 1:03d}",
            municipality_number=f"{9000 + i + 1:04d}",
        )
        for i in range(kommuner)
    )
    # Populations like Norway's: a median of about 5,000, a few cities.
    people = [min(700_000, max(200, round(rng.lognormvariate(8.6, 1.1)))) for _ in towns]
    Population.objects.bulk_create(
        Population(organisation=o, year=2026, inhabitants=n, source="Oppdiktet", is_demo=True)
        for o, n in zip(towns, people, strict=True)
    )
    Participation.objects.bulk_create(
        [
            *(Participation(partnership=partnership, organisation=o, role="party") for o in trusts),
            *(
                Participation(
                    partnership=partnership,
                    organisation=o,
                    role="party",
                    region=regions[i % len(regions)],
                )
                for i, o in enumerate(towns)
            ),
        ]
    )
    parties = [
        Party(o, False, 0, {"sykehjem": 0, "kad": 0, "senger": rng.randint(150, 1200)})
        for o in trusts
    ]
    parties += [
        Party(
            o,
            True,
            n,
            {"sykehjem": max(8, round(n * 0.0075)), "kad": max(2, round(n / 4000)), "senger": 0},
            regions[i % len(regions)].pk,
        )
        for i, (o, n) in enumerate(zip(towns, people, strict=True))
    ]
    return parties


def week_values(
    party: Party, week: int, rng: random.Random, soft_max: Decimal
) -> dict[tuple[str, str], tuple[Decimal | None, str, str]]:
    """A party's believable values for the ``week``-th week of the pandemic."""
    from crisis.demo import COVID_FIRST, incidence

    day = COVID_FIRST + datetime.timedelta(weeks=week)
    rate = incidence(day)
    squeeze = min(1.0, max(0.0, math.log10(rate / 5) / math.log10(360)))
    values: dict[tuple[str, str], tuple[Decimal | None, str, str]] = {}

    def put(code: str, item: str, number: float, comment: str = "") -> None:
        values[(code, item)] = (Decimal(str(number)), "", comment)

    people = party.population if party.is_kommune else 4000
    expected = rate * people / 100_000
    cases = max(0, round(rng.gauss(expected, math.sqrt(expected) + 0.4)))
    put("smittetall", "", cases, "Mange positive selvtester." if cases > soft_max else "")
    if party.is_kommune:
        put("smitte-institusjon", "", rng.randint(0, 4) if rng.random() < squeeze * 0.3 else 0)
        if week >= 43:
            share = 91 / (1 + math.exp(-(week - 67) / 6))
            put("vaksinasjon", "", round(max(0.3, share + rng.uniform(-3, 3)), 1))
    else:
        put("innlagte", "", max(0, round(expected * 0.5 * rng.uniform(0.5, 1.5))))
    for item in ("hansker", "munnbind", "frakker", "oyebeskyttelse", "andedrettsvern"):
        low = 8 if week < 12 else 35
        put("smittevernutstyr", item, rng.randint(low, 120))
    for item, capacity in party.capacity.items():
        put("kapasitet", item, capacity)
        share = min(0.99, max(0.6, rng.gauss(0.78 + 0.1 * squeeze, 0.05)))
        used = rng.randint(0, max(0, capacity - 1)) if item == "kad" else round(capacity * share)
        put("belegg", item, min(capacity, used))
    put("personell", "", 1 if rng.random() > 0.05 + 0.5 * squeeze else rng.choice([2, 2, 3]))
    put("overbelastning", "", 1 if rng.random() < 0.3 * squeeze else 0)
    if rng.random() < 0.1 + 0.3 * squeeze:
        values[("utfordringer", "")] = (None, "Høyt sykefravær og mange smittede.", "")
    if rng.random() < 0.05:
        values[("behov", "")] = (None, "Behov for vikarer i to uker.", "")
    return values


def generate(
    kommuner: int = 357, hospitals: int = 20, weeks: int = 104, seed: int = 2026
) -> Generated:
    """The national partnership and its covid-19 crisis, started ``weeks`` + 1
    weeks ago, with every party's report for every period but the current
    reporting period."""
    from django.db import transaction
    from django.utils import timezone

    from crisis import periods, services
    from crisis.catalogue import ensure_covid_form
    from crisis.models import Indicator, Report, ReportRevision, Value
    from partnerships.models import Partnership

    rng = random.Random(seed)
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    with transaction.atomic():
        parties = make_partnership(kommuner, hospitals, seed)
        partnership = Partnership.objects.get(slug=SLUG)
        form = ensure_covid_form(partnership)
        today = timezone.localdate()
        first = periods.align(form, today) - datetime.timedelta(weeks=weeks + 1)
        crisis = services.open_crisis(
            partnership, name="Covid-19 (nasjonal)", form=form, starts_on=first, by=None
        )
    seconds["partnership"] = time.perf_counter() - started
    rule = services.current_rule(partnership)
    indicators = {i.code: i.pk for i in Indicator.objects.filter(partnership=partnership)}
    soft_max = Indicator.objects.get(partnership=partnership, code="smittetall").soft_max
    assert soft_max is not None
    totals = {"reports": 0, "values": 0, "revisions": 0}
    seconds.update({"reports": 0.0, "values": 0.0, "revisions": 0.0, "making": 0.0})
    for batch_start in range(0, weeks, WEEKS_PER_BATCH):
        clock = time.perf_counter()
        drafts = []
        for week in range(batch_start, min(weeks, batch_start + WEEKS_PER_BATCH)):
            start = first + datetime.timedelta(weeks=week)
            end = periods.period_end(form, start)
            for party in parties:
                values = week_values(party, week, rng, soft_max)
                level = services.party_level(
                    services.indicator_levels(
                        {key: number for key, (number, _t, _c) in values.items()}, rule.thresholds
                    )
                )
                submitted = timezone.make_aware(
                    datetime.datetime.combine(end, datetime.time(8))
                ) + datetime.timedelta(minutes=rng.randrange(24 * 60))
                report = Report(
                    crisis=crisis,
                    organisation=party.organisation,
                    period_start=start,
                    status=Report.Status.SUBMITTED,
                    created=submitted - datetime.timedelta(minutes=30),
                    submitted_at=submitted,
                    first_submitted_at=submitted,
                    computed_level=level,
                    rule_version=rule.version,
                    figure_group=party.group,
                    version=1,
                )
                drafts.append((report, values))
        seconds["making"] += time.perf_counter() - clock
        with transaction.atomic():
            clock = time.perf_counter()
            Report.objects.bulk_create([r for r, _v in drafts], batch_size=1000)
            seconds["reports"] += time.perf_counter() - clock
            clock = time.perf_counter()
            rows = [
                (report.pk, indicators[code], item, number, text, comment)
                for report, values in drafts
                for (code, item), (number, text, comment) in values.items()
            ]
            for i in range(0, len(rows), 20_000):
                insert_rows(
                    Value,
                    ("report", "indicator", "item", "number", "text", "comment"),
                    rows[i : i + 20_000],
                )
            seconds["values"] += time.perf_counter() - clock
            clock = time.perf_counter()
            revisions = [
                (
                    report.pk,
                    1,
                    report.submitted_at,
                    {
                        services.key_of(code, item): {
                            "number": None if number is None else f"{number.normalize():f}",
                            "text": text,
                            "comment": comment,
                        }
                        for (code, item), (number, text, comment) in values.items()
                    },
                    report.computed_level,
                    False,
                )
                for report, values in drafts
            ]
            insert_rows(
                ReportRevision,
                ("report", "number", "submitted_at", "values", "computed_level", "no_change"),
                revisions,
            )
            seconds["revisions"] += time.perf_counter() - clock
        totals["reports"] += len(drafts)
        totals["values"] += len(rows)
        totals["revisions"] += len(revisions)
    # The period's figures the submits keep on write, made at once.
    from django.db import connection

    from crisis import figures

    clock = time.perf_counter()
    figures.rebuild(crisis)
    seconds["figures"] = time.perf_counter() - clock
    if connection.vendor == "postgresql":
        # As autovacuum would after a load this size: the planner's statistics.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return Generated(
        crisis=crisis,
        parties=parties,
        reports=totals["reports"],
        values=totals["values"],
        revisions=totals["revisions"],
        seconds=seconds,
    )


def check_sample(crisis: Any, n: int = 40) -> int:
    """How many of ``n`` generated reports the form would refuse (0)."""
    from crisis import services
    from crisis.models import Report

    reports = Report.objects.filter(crisis=crisis).select_related("organisation").order_by("?")
    refused = 0
    for report in reports[:n]:
        raw, comments = services.values_by_key(report)
        checked = services.check(crisis.form, report.organisation, raw, comments, complete=True)
        refused += bool(checked.errors)
    return refused


def print_generated(generated: Generated) -> None:
    s = generated.seconds
    print(f"parties: {len(generated.parties)} (partnership and crisis in {s['partnership']:.1f} s)")
    print(f"values made in Python: {s['making']:.1f} s")
    print(f"reports:   {generated.reports:>9,} rows in {s['reports']:.1f} s")
    print(f"values:    {generated.values:>9,} rows in {s['values']:.1f} s")
    print(f"revisions: {generated.revisions:>9,} rows in {s['revisions']:.1f} s")
    print(f"figures rebuilt in {s['figures']:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kommuner", type=int, default=357)
    parser.add_argument("--hospitals", type=int, default=20)
    parser.add_argument("--weeks", type=int, default=104)
    args = parser.parse_args()
    with throwaway_database():
        from django.db import connection

        print(f"engine: {connection.vendor}")
        print(f"demo built in {build_demo():.1f} s")
        started = time.perf_counter()
        generated = generate(args.kommuner, args.hospitals, args.weeks)
        print_generated(generated)
        print(f"generated in {time.perf_counter() - started:.1f} s")
        refused = check_sample(generated.crisis)
        print(f"a sample of 40 reports checked against the form: {refused} refused")


if __name__ == "__main__":
    main()
