"""Indicators whose figures Samspill holds itself: the deviations between the
parties and the crisis situation reports, per kommune and year.

They are computed when a page asks (never imported, never stale), as
unsaved :class:`IndicatorValue` rows, so the tables, the rule for small
numbers, the charts, the downloads and the annual report treat them as any
other indicator. One query per kind of source, whatever the number of
kommuner or years. In public, the deviation indicators are shown only when
the partnership publishes its deviation statistics
(``DeviationConfig.public_statistics``), as the deviation statistics page.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.db.models import Count, F
from django.db.models.functions import ExtractYear
from django.utils import timezone

from indicators.models import (
    DEVIATION_SOURCES,
    AreaKind,
    Indicator,
    IndicatorValue,
    SamspillSource,
)
from partnerships.models import Partnership

YEARS = 5


def _deviation_counts(
    partnership: Partnership, side: str, codes: set[str], first: int
) -> dict[tuple[str, int], int]:
    from deviations.models import Deviation

    number = f"{side}__municipality_number"
    rows = (
        Deviation.objects.filter(partnership=partnership, submitted_at__isnull=False)
        .exclude(status=Deviation.Status.DRAFT)
        .filter(**{f"{number}__in": codes})
        .annotate(in_year=ExtractYear("submitted_at"), kommune=F(number))
        .filter(in_year__gte=first)
        .values("kommune", "in_year")
        .annotate(n=Count("pk"))
    )
    return {(r["kommune"], r["in_year"]): r["n"] for r in rows}


def _report_counts(
    partnership: Partnership, codes: set[str], first: int
) -> dict[tuple[str, int], int]:
    from crisis.models import Report

    rows = (
        Report.objects.filter(
            crisis__partnership=partnership,
            submitted_at__isnull=False,
            organisation__municipality_number__in=codes,
        )
        .annotate(
            in_year=ExtractYear("submitted_at"), kommune=F("organisation__municipality_number")
        )
        .filter(in_year__gte=first)
        .values("kommune", "in_year")
        .annotate(n=Count("pk"))
    )
    return {(r["kommune"], r["in_year"]): r["n"] for r in rows}


def values(
    partnership: Partnership, indicators: Iterable[Indicator], kommuner: dict[str, str]
) -> dict[int, list[IndicatorValue]]:
    """The figures of each Samspill indicator in ``indicators`` for the
    kommuner (number → name), for the last :data:`YEARS` years to this one;
    a kommune with none in a year counts 0."""
    this_year = timezone.localdate().year
    first = this_year - YEARS + 1
    codes = set(kommuner)
    result: dict[int, list[IndicatorValue]] = {}
    for indicator in indicators:
        source = indicator.samspill_source
        if not source:
            continue
        if source == SamspillSource.CRISIS_REPORTS:
            counts = _report_counts(partnership, codes, first)
        else:
            side = (
                "reporting_organisation"
                if source == SamspillSource.DEVIATIONS_REPORTED
                else "receiving_organisation"
            )
            counts = _deviation_counts(partnership, side, codes, first)
        if not counts:
            result[indicator.pk] = []
            continue
        since = min(year for _number, year in counts)
        result[indicator.pk] = [
            IndicatorValue(
                partnership=partnership,
                indicator=indicator,
                area_kind=AreaKind.KOMMUNE,
                area_code=number,
                area_name=name,
                year=year,
                value=Decimal(counts.get((number, year), 0)),
                numerator=Decimal(counts.get((number, year), 0)),
                status="",
            )
            for number, name in kommuner.items()
            for year in range(since, this_year + 1)
        ]
    return result


def shown_indicators(
    partnership: Partnership, indicators: Sequence[Indicator], *, public: bool
) -> list[Indicator]:
    """``indicators`` without the deviation indicators where the public
    does not see the partnership's deviation statistics (one query, and
    only when there are such indicators)."""
    if not public or not any(i.samspill_source in DEVIATION_SOURCES for i in indicators):
        return list(indicators)
    from deviations.models import DeviationConfig

    published = DeviationConfig.objects.filter(
        partnership=partnership, public_statistics=True
    ).exists()
    if published:
        return list(indicators)
    return [i for i in indicators if i.samspill_source not in DEVIATION_SOURCES]
