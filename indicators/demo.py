"""Five years of invented indicator values ("Demotall") for HNT's 19
kommuner and the country, near the magnitudes the sources publish: close
enough to look right, never the official figures. Each product's values
come in one demo import, marked as demo, whose file is the values as CSV,
so the pages show their provenance as for a real import.

Rates follow from invented counts over the population, so the small
kommuner (Leka, Røyrvik, Osen) have counts of 1–4 that the public pages
hide. Deterministic: the same figures every time.
"""

from __future__ import annotations

import csv
import hashlib
import io
import random
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from indicators import catalogue
from indicators.models import AreaKind, ImportBatch, ImportProfile, Indicator, IndicatorValue
from partnerships.demo import HNT_REGIONS, STOLAV_REGIONS
from partnerships.models import Partnership

YEARS = 5
COUNTRY_POPULATION = 5_550_000
DEMO_NOTE = "Demotall"

# Shares of the population by age (a rural kommune has more elderly people).
AGE_SHARES = {"befolkning-0-17": 0.21, "befolkning-67-79": 0.135, "befolkning-80": 0.052}


@dataclass
class Demo:
    indicator: str
    value: Decimal | None
    numerator: Decimal | None = None
    denominator: Decimal | None = None


def _d(number: float, places: int = 1) -> Decimal:
    return Decimal(str(round(number, places)))


@dataclass
class Level:
    """A kommune's own level of each measure, kept from year to year."""

    stays: float  # per 1,000 inhabitants
    days_per_stay: float
    readmitted: float
    young: float  # acute admissions per person 0–79
    old: float  # per person 80+
    places: float  # per 1,000 inhabitants
    occupancy: float


def _level(rng: random.Random) -> Level:
    return Level(
        stays=rng.uniform(7, 15),
        days_per_stay=rng.uniform(0.8, 3.5),
        readmitted=rng.uniform(0.12, 0.17),
        young=rng.uniform(0.065, 0.085),
        old=rng.uniform(0.3, 0.4),
        places=rng.uniform(0.10, 0.16),
        occupancy=rng.uniform(0.5, 0.7),
    )


def _kommune_figures(
    rng: random.Random, level: Level, inhabitants: int, year_index: int, rural: float
) -> Iterator[Demo]:
    people = round(inhabitants * (1 - 0.004 * (YEARS - 1 - year_index)))

    def vary(x: float) -> float:  # this year's figure near the kommune's level
        return x * rng.uniform(0.9, 1.1)

    yield Demo("befolkning", Decimal(people))
    ages = {}
    for code, share in AGE_SHARES.items():
        extra = rural if code != "befolkning-0-17" else -rural
        ages[code] = round(people * share * (1 + extra) * (1 + 0.01 * year_index))
        yield Demo(code, Decimal(ages[code]))
    stays = round(people * vary(level.stays) / 1000)
    yield Demo("utskrivningsklare", _d(stays * 1000 / people), Decimal(stays), Decimal(people))
    days = round(stays * vary(level.days_per_stay))
    yield Demo("overliggedogn", _d(days * 1000 / people), Decimal(days), Decimal(people))
    elderly = ages["befolkning-67-79"] + ages["befolkning-80"]
    discharges = round(elderly * rng.uniform(0.3, 0.4))
    readmissions = round(discharges * vary(level.readmitted))
    yield Demo(
        "reinnleggelser-67",
        _d(100 * readmissions / discharges) if discharges else None,
        Decimal(readmissions),
        Decimal(discharges),
    )
    young = people - ages["befolkning-80"]
    admissions = round(young * vary(level.young))
    yield Demo(
        "akuttinnleggelser-0-79",
        _d(admissions * 1000 / young),
        Decimal(admissions),
        Decimal(young),
    )
    oldest = ages["befolkning-80"]
    admissions = round(oldest * vary(level.old))
    yield Demo(
        "akuttinnleggelser-80",
        _d(admissions * 1000 / oldest) if oldest else None,
        Decimal(admissions),
        Decimal(oldest),
    )
    # KAD: a share of a joint unit.
    places = round(people * level.places / 1000, 1)
    yield Demo("kad-plasser", _d(places))
    bed_days = round(places * 365 * vary(level.occupancy))
    capacity = round(places * 365)
    yield Demo(
        "kad-belegg",
        _d(100 * bed_days / capacity) if capacity else None,
        Decimal(bed_days),
        Decimal(capacity),
    )


def _country_figures(year_index: int) -> Iterator[Demo]:
    people = round(COUNTRY_POPULATION * (1 - 0.006 * (YEARS - 1 - year_index)))
    yield Demo("befolkning", Decimal(people))
    for code, share in AGE_SHARES.items():
        yield Demo(code, Decimal(round(people * share)))
    drift = 1 - 0.02 * (YEARS - 1 - year_index)
    yield Demo("utskrivningsklare", _d(10.8 * drift))
    yield Demo("overliggedogn", _d(27.5 * drift))
    yield Demo("reinnleggelser-67", _d(14.6 + 0.1 * year_index))
    yield Demo("akuttinnleggelser-0-79", _d(74.2 - 0.4 * year_index))
    yield Demo("akuttinnleggelser-80", _d(352.0 - 2 * year_index))
    yield Demo("kad-plasser", _d(688.0))
    yield Demo("kad-belegg", _d(58.0 + year_index))


def _as_csv(rows: list[IndicatorValue], codes: dict[int, str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(["indikator", "område", "kode", "år", "verdi", "teller", "nevner"])
    for v in rows:
        writer.writerow(
            [
                codes[v.indicator_id],
                v.area_name,
                v.area_code,
                v.year,
                v.value,
                "" if v.numerator is None else v.numerator,
                "" if v.denominator is None else v.denominator,
            ]
        )
    return ("# " + DEMO_NOTE + "\n" + buffer.getvalue()).encode()


def build_indicators_demo() -> int:
    """Build HNT's and St. Olav's demo values (St. Olav's for the national
    comparison); return how many were stored (none for a partnership that
    already has values)."""
    stored = 0
    for slug, regions, seed in (("hnt", HNT_REGIONS, 2024), ("stolav", STOLAV_REGIONS, 2025)):
        partnership = Partnership.objects.filter(slug=slug).first()
        if partnership is None or IndicatorValue.objects.filter(partnership=partnership).exists():
            continue
        stored += _build_for(partnership, regions, seed)
    return stored


def _build_for(
    hnt: Partnership, regions: list[tuple[str, str, list[tuple[str, str, int]]]], seed: int
) -> int:
    catalogue.sync()
    indicators = {i.code: i for i in Indicator.objects.all()}
    profiles = list(ImportProfile.objects.all())
    if not profiles:
        return 0
    today = timezone.localdate()
    last_year = today.year - 1
    rng = random.Random(seed)
    values: list[IndicatorValue] = []

    def add(demo: Demo, kind: str, code: str, name: str, year: int) -> None:
        values.append(
            IndicatorValue(
                partnership=hnt,
                indicator=indicators[demo.indicator],
                area_kind=kind,
                area_code=code,
                area_name=name,
                year=year,
                value=demo.value,
                numerator=demo.numerator,
                denominator=demo.denominator,
                status="" if demo.value is not None else "missing",
            )
        )

    for _region, _area, kommuner in regions:
        for name, number, inhabitants in kommuner:
            rural = 0.25 if inhabitants < 3000 else 0.0
            level = _level(rng)
            for index in range(YEARS):
                for demo in _kommune_figures(rng, level, inhabitants, index, rural):
                    add(demo, AreaKind.KOMMUNE, number, name, last_year - YEARS + 1 + index)
    for index in range(YEARS):
        for demo in _country_figures(index):
            add(demo, AreaKind.COUNTRY, "0", "Hele landet", last_year - YEARS + 1 + index)

    # One demo import per product, holding the values of its indicators.
    by_profile: dict[int, list[IndicatorValue]] = {}
    for value in values:
        profile = _profile_for(value.indicator.code, profiles)
        by_profile.setdefault(profile.pk, []).append(value)
    codes = {i.pk: i.code for i in indicators.values()}
    with transaction.atomic():
        for profile in profiles:
            rows = by_profile.get(profile.pk)
            if not rows:
                continue
            content = _as_csv(rows, codes)
            batch = ImportBatch.objects.create(
                partnership=hnt,
                profile=profile,
                status=ImportBatch.Status.APPLIED,
                file_name=f"demotall-{profile.product}.csv",
                sha256=hashlib.sha256(content).hexdigest(),
                content=content,
                retrieved_on=today.replace(month=6, day=1) if today.month > 6 else today,
                applied=timezone.now(),
                new_values=len(rows),
                is_demo=True,
            )
            for row in rows:
                row.batch = batch
        IndicatorValue.objects.bulk_create(values, batch_size=500)
    return len(values)


def _profile_for(code: str, profiles: list[ImportProfile]) -> ImportProfile:
    """The product that brings ``code`` (the first whose mapping names it)."""
    for profile in profiles:
        series = profile.mapping.get("series", [])
        if any(s.get("indicator") == code for s in series):
            return profile
    return profiles[0]
