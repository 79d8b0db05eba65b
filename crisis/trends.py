"""Trends over the last periods up to a picture's period: per key indicator
for all the parties shown (with a series per item of a breakdown), one
indicator per region, the parties per level and the reports submitted.

Read from the figures kept on write (:mod:`crisis.figures`) and the
reports' levels: three queries, whatever the number of parties and periods.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from crisis import figures, levels, periods
from crisis.models import FormIndicator, Report
from crisis.picture import (
    LOWEST,
    SHARE,
    SUM,
    Picture,
    aggregate_label,
    aggregate_of,
    combine,
    percent,
    period_label,
    shown_groups,
)

# How many periods the trends cover, the chosen one included.
TREND_PERIODS = 12


@dataclass
class Series:
    name: str
    values: list[Decimal | None]


@dataclass
class Trend:
    """One figure per period, for one or more series (oldest period first)."""

    key: str
    title: str
    unit: str
    aggregate: str
    periods: list[datetime.date]
    labels: list[str]
    series: list[Series]
    subject: str = ""  # the indicator's name the title starts with


@dataclass
class LevelPoint:
    period_start: datetime.date
    label: str
    counts: dict[int, int]
    submitted: int
    expected: int

    @property
    def share(self) -> Decimal | None:
        return percent(Decimal(self.submitted), Decimal(self.expected))


@dataclass
class Trends:
    periods: list[datetime.date]
    labels: list[str]
    indicators: list[Trend]
    chosen: FormIndicator | None
    regions: Trend | None
    levels: list[LevelPoint]


def numeric_lines(picture: Picture) -> list[FormIndicator]:
    return [line for line in picture.key_lines if line.indicator.value_type != "text"]


def _ids(lines: list[FormIndicator]) -> set[int]:
    ids = {line.indicator.pk for line in lines}
    return ids | {line.indicator.relative_to_id for line in lines if line.indicator.relative_to_id}


def of(picture: Picture, *, indicator: str | None = None, regions: bool = True) -> Trends:
    """The trends of the picture's crisis up to its period; ``indicator``
    chooses the key indicator shown per region (default the first);
    ``regions=False`` leaves that one out (one query less)."""
    crisis = picture.crisis
    days = periods.periods(crisis, until=picture.start)[-TREND_PERIODS:] or [picture.start]
    labels = [period_label(crisis, day) for day in days]
    lines = numeric_lines(picture)
    chosen = next(
        (line for line in lines if line.indicator.code == indicator), lines[0] if lines else None
    )
    groups = shown_groups(picture)
    return Trends(
        periods=days,
        labels=labels,
        indicators=_indicators(picture, lines, days, labels, groups),
        chosen=chosen,
        regions=_regions(picture, chosen, days, labels) if chosen and regions else None,
        levels=_levels(picture, days, labels),
    )


def _indicators(
    picture: Picture,
    lines: list[FormIndicator],
    days: list[datetime.date],
    labels: list[str],
    groups: list[int] | None,
) -> list[Trend]:
    """Per key indicator and period, the parties shown combined; a breakdown
    gets a series per item beside the whole (one query)."""
    if not lines:
        return []
    found: dict[tuple[datetime.date, int], list[dict[str, Any]]] = defaultdict(list)
    for row in figures.combined(picture.crisis, days, _ids(lines), groups=groups):
        found[(row["period_start"], row["indicator_id"])].append(row)
    trends = []
    for line in lines:
        indicator = line.indicator
        kind = aggregate_of(indicator)
        base_id = indicator.relative_to_id

        def figure(
            day: datetime.date,
            item: str | None,
            kind: str = kind,
            own_id: int = indicator.pk,
            base_id: int | None = base_id,
        ) -> Decimal | None:
            parts = found.get((day, own_id), [])
            base = found.get((day, base_id), []) if base_id else []
            if item is not None:
                parts = [p for p in parts if p["item"] == item]
                base = [b for b in base if b["item"] == item]
            return combine(kind, parts, base)

        series = [Series(_("All parties"), [figure(day, None) for day in days])]
        if indicator.items and kind in (SUM, SHARE, LOWEST):
            for item in indicator.items:
                series.append(Series(item["name"], [figure(day, item["code"]) for day in days]))
        trends.append(
            Trend(
                key=indicator.code,
                title=f"{indicator.name} ({aggregate_label(kind)})",
                unit="%" if kind == SHARE else indicator.unit,
                aggregate=kind,
                periods=days,
                labels=labels,
                series=series,
                subject=indicator.name,
            )
        )
    return trends


def _regions(
    picture: Picture, line: FormIndicator, days: list[datetime.date], labels: list[str]
) -> Trend:
    """One indicator per region and period (one query grouped by period,
    group and indicator)."""
    indicator = line.indicator
    kind = aggregate_of(indicator)
    parts: dict[tuple[datetime.date, int, int], list[dict[str, Any]]] = defaultdict(list)
    for row in figures.combined(picture.crisis, days, _ids([line]), by_group=True):
        parts[(row["period_start"], row["group_key"], row["indicator_id"])].append(row)
    base_id = indicator.relative_to_id
    series = [
        Series(
            group.name,
            [
                combine(
                    kind,
                    parts.get((day, group.key, indicator.pk), []),
                    parts.get((day, group.key, base_id), []) if base_id else [],
                )
                for day in days
            ],
        )
        for group in picture.groups
    ]
    return Trend(
        key=f"{indicator.code}-region",
        title=_("%(indicator)s per region (%(how)s)")
        % {"indicator": indicator.name, "how": aggregate_label(kind)},
        unit="%" if kind == SHARE else indicator.unit,
        aggregate=kind,
        periods=days,
        labels=labels,
        series=series,
        subject=indicator.name,
    )


def _levels(picture: Picture, days: list[datetime.date], labels: list[str]) -> list[LevelPoint]:
    """Per period, how many of the parties shown are at each level that
    counts, and how many reported (one grouped query)."""
    ids = [p.organisation.pk for p in picture.parties]
    counts: dict[datetime.date, dict[int, int]] = defaultdict(dict)
    reports = Report.objects.filter(
        crisis=picture.crisis,
        status=Report.Status.SUBMITTED,
        period_start__gte=days[0],
        period_start__lte=days[-1],
    )
    if picture.region is not None or picture.group is not None:
        reports = reports.filter(organisation_id__in=ids)
    rows = (
        reports.annotate(counted=Coalesce("declared_level", "computed_level"))
        .values("period_start", "counted")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        counts[row["period_start"]][row["counted"] or 0] = row["n"]
    return [
        LevelPoint(
            period_start=day,
            label=label,
            counts={n: counts[day].get(n, 0) for n in levels.NUMBERS},
            submitted=sum(counts[day].values()),
            expected=len(ids),
        )
        for day, label in zip(days, labels, strict=True)
    ]
