"""An indicator's figures as the pages show them: the partnership's kommuner
by region, each region, hospital area and the partnership as a whole, and
the country, per year; with the rule for small numbers applied in public.

A region's figure is computed from its kommuner's:

* a count is their sum;
* a rate or share is the sum of the numerators over the sum of the
  denominators, where every kommune has both; otherwise the mean of the
  kommuner's figures weighted by their denominators;
* a standardised rate is always that weighted mean (a rate standardised for
  age and sex cannot be summed; the weighted mean is the usual estimate).

When a kommune's figure is missing or suppressed at the source, the region's
cannot be computed and shows as such. A fixed number of queries, whatever
the number of kommuner or years.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _

from core import disclosure
from indicators import own
from indicators.models import (
    AreaKind,
    Computation,
    DailyRate,
    ImportBatch,
    Indicator,
    IndicatorValue,
    ValueStatus,
)
from partnerships.models import Partnership
from portal.services import Structure, partnership_structure

YEARS_SHOWN = 5
POPULATION = "befolkning"

# What a figure that is not a number shows as, and why.
HIDDEN = "hidden"  # by the rule for small numbers (public views only)
NOT_COMPUTABLE = "not_computable"  # a member's figure is missing


@dataclass
class Figure:
    value: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    status: str = ValueStatus.MISSING
    # Internal views: a figure the public does not see.
    small: bool = False
    batch_id: int | None = None

    @property
    def shown(self) -> bool:
        return self.status == ValueStatus.FIGURE and self.value is not None

    def hide(self) -> None:
        self.value = self.numerator = self.denominator = None
        self.status = HIDDEN


@dataclass
class Row:
    kind: str  # an AreaKind, or "region" / "partnership"
    label: str
    code: str = ""
    figures: list[Figure] = field(default_factory=list)
    is_total: bool = False
    cost: Decimal | None = None  # at the national daily rate of the table's rate year

    @property
    def latest(self) -> Figure:
        return self.figures[-1] if self.figures else Figure()


@dataclass
class IndicatorTable:
    indicator: Indicator
    years: list[int]
    rows: list[Row]
    public: bool
    batches: list[ImportBatch]
    daily_rate: DailyRate | None = None

    @property
    def is_demo(self) -> bool:
        return any(b.is_demo for b in self.batches)

    @property
    def partnership_row(self) -> Row | None:
        return next((r for r in self.rows if r.kind == "partnership"), None)

    @property
    def country_row(self) -> Row | None:
        return next((r for r in self.rows if r.kind == AreaKind.COUNTRY), None)

    @property
    def kommune_rows(self) -> list[Row]:
        return [r for r in self.rows if r.kind == AreaKind.KOMMUNE]


def rounded(value: Decimal, decimals: int) -> Decimal:
    """A figure to the indicator's decimals, halves up, as statistics are
    published (the same on the page, in the chart and in the files)."""
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def _figure(value: IndicatorValue | None) -> Figure:
    if value is None:
        return Figure()
    return Figure(
        value=value.value,
        numerator=value.numerator,
        denominator=value.denominator,
        status=value.status,
        batch_id=value.batch_id,
    )


def aggregate(indicator: Indicator, members: Sequence[Figure]) -> Figure:
    """A region's (or any group's) figure from its members' (module doc)."""
    if not members:
        return Figure()
    if any(not m.shown for m in members):
        return Figure(status=NOT_COMPUTABLE)
    values = [m.value for m in members if m.value is not None]
    if indicator.computation == Computation.COUNT:
        return Figure(value=sum(values, Decimal(0)), status=ValueStatus.FIGURE)
    numerators = [m.numerator for m in members]
    denominators = [m.denominator for m in members]
    if None in denominators:
        return Figure(status=NOT_COMPUTABLE)
    total_denominator = sum((d for d in denominators if d is not None), Decimal(0))
    if total_denominator == 0:
        return Figure(status=NOT_COMPUTABLE)
    total_numerator = (
        None if None in numerators else sum((n for n in numerators if n is not None), Decimal(0))
    )
    if indicator.computation != Computation.STANDARDISED_RATE and total_numerator is not None:
        value = total_numerator * indicator.scale / total_denominator
    else:
        weighted = sum(
            (m.value * m.denominator for m in members if m.value is not None and m.denominator),
            Decimal(0),
        )
        value = weighted / total_denominator
    return Figure(
        value=value,
        numerator=total_numerator,
        denominator=total_denominator,
        status=ValueStatus.FIGURE,
    )


def _disclosure_cell(
    indicator: Indicator, figure: Figure, inhabitants: Decimal | None
) -> disclosure.Cell | None:
    if not figure.shown:
        return None
    if indicator.computation == Computation.COUNT:
        return disclosure.Cell(count=figure.value)
    if figure.numerator is not None:
        return disclosure.Cell(count=figure.numerator)
    implied = disclosure.implied_count(figure.value, figure.denominator, indicator.scale)
    if implied is not None:
        return disclosure.Cell(count=implied)
    return disclosure.Cell(
        upper_bound=disclosure.implied_count(figure.value, inhabitants, indicator.scale)
    )


def _apply_rule(
    indicator: Indicator,
    rows: list[Row],
    groups: list[tuple[int, list[int]]],
    inhabitants: dict[int, Decimal | None],
    *,
    public: bool,
) -> None:
    """Hide (public) or mark (internal) what the rule for small numbers
    covers, year by year; ``groups`` pair a total row's index with its
    members' indexes."""
    limit = indicator.suppress_below
    if limit <= 1:
        return
    years = len(rows[0].figures) if rows else 0
    for y in range(years):
        cells: dict[Any, disclosure.Cell] = {}
        for index, row in enumerate(rows):
            if row.kind == AreaKind.COUNTRY:
                continue
            cell = _disclosure_cell(indicator, row.figures[y], inhabitants.get(index))
            if cell is not None:
                cells[index] = cell
        for index in disclosure.hidden(cells, groups, limit):
            figure = rows[index].figures[y]
            if public:
                figure.hide()
            else:
                figure.small = True


@dataclass
class Loaded:
    """What the tables of some indicators need, in three queries."""

    values: dict[int, list[IndicatorValue]]
    batches: dict[int, ImportBatch]
    rates: dict[int, DailyRate]


def load(partnership: Partnership, indicators: Sequence[Indicator], structure: Structure) -> Loaded:
    kommune_codes = {
        p.organisation.municipality_number
        for _area, regions in structure.areas
        for rv in regions
        for p in rv.participations
    }
    values: dict[int, list[IndicatorValue]] = {i.pk: [] for i in indicators}
    for value in IndicatorValue.objects.filter(
        partnership=partnership,
        indicator__in=list(indicators),
        area_kind__in=[AreaKind.KOMMUNE, AreaKind.COUNTRY],
    ):
        if value.area_kind == AreaKind.COUNTRY or value.area_code in kommune_codes:
            values[value.indicator_id].append(value)
    computed = [i for i in indicators if i.samspill_source]
    if computed:
        names = {
            p.organisation.municipality_number: p.organisation.name
            for _area, regions in structure.areas
            for rv in regions
            for p in rv.participations
        }
        values.update(own.values(partnership, computed, names))
    batch_ids = {v.batch_id for vs in values.values() for v in vs}
    batches = {
        b.pk: b
        for b in ImportBatch.objects.filter(pk__in=batch_ids)
        .select_related("profile")
        .defer("content")
    }
    rates = {}
    if any(i.priced_per_unit for i in indicators):
        rates = {r.year: r for r in DailyRate.objects.all()}
    return Loaded(values=values, batches=batches, rates=rates)


def indicator_table(
    partnership: Partnership,
    indicator: Indicator,
    *,
    public: bool,
    structure: Structure | None = None,
    loaded: Loaded | None = None,
    years: int = YEARS_SHOWN,
) -> IndicatorTable:
    """The table of one indicator (module doc): four queries for the
    structure unless given, then three unless ``loaded`` is given."""
    structure = structure or partnership_structure(partnership)
    loaded = loaded or load(partnership, [indicator], structure)
    values = loaded.values.get(indicator.pk, [])
    shown_years = sorted({v.year for v in values})[-years:]
    by_key = {(v.area_kind, v.area_code, v.year): v for v in values}
    batch_ids = {v.batch_id for v in values if v.year in shown_years}
    batches = sorted(
        (loaded.batches[b] for b in batch_ids if b in loaded.batches),
        key=lambda b: b.retrieved_on,
        reverse=True,
    )
    # The cost column: the latest year shown that has a national rate.
    rate = None
    if indicator.priced_per_unit:
        priced = [y for y in shown_years if y in loaded.rates]
        rate = loaded.rates[priced[-1]] if priced else None
    span = range(len(shown_years))

    rows: list[Row] = []
    inhabitants: dict[int, Decimal | None] = {}
    groups: list[tuple[int, list[int]]] = []
    kommuner_of: dict[int, list[int]] = {}  # a total row's kommune rows

    def add(row: Row) -> int:
        rows.append(row)
        return len(rows) - 1

    def totals(members: list[int]) -> list[Figure]:
        return [aggregate(indicator, [rows[m].figures[y] for m in members]) for y in span]

    region_totals: list[int] = []
    several_areas = len(structure.areas) > 1
    for area, regions in structure.areas:
        area_regions: list[int] = []
        for rv in regions:
            members = []
            for p in rv.participations:
                code = p.organisation.municipality_number
                index = add(
                    Row(
                        kind=AreaKind.KOMMUNE,
                        label=p.organisation.name,
                        code=code,
                        figures=[
                            _figure(by_key.get((AreaKind.KOMMUNE, code, y))) for y in shown_years
                        ],
                    )
                )
                people = getattr(p, "inhabitants", None)
                inhabitants[index] = Decimal(people) if people else None
                members.append(index)
            if not members:
                continue
            total = add(
                Row(
                    kind="region",
                    label=_("Total %(name)s") % {"name": rv.region.name},
                    code=f"R-{rv.region.pk}",
                    figures=totals(members),
                    is_total=True,
                )
            )
            kommuner_of[total] = members
            groups.append((total, members))
            area_regions.append(total)
        region_totals += area_regions
        if area is not None and area_regions and several_areas:
            members = [k for t in area_regions for k in kommuner_of[t]]
            index = add(
                Row(
                    kind=AreaKind.HOSPITAL_AREA,
                    label=_("Hospital area %(name)s") % {"name": area.name},
                    code=f"H-{area.pk}",
                    figures=totals(members),
                    is_total=True,
                )
            )
            groups.append((index, area_regions))
    kommune_indexes = [i for i, r in enumerate(rows) if r.kind == AreaKind.KOMMUNE]
    if kommune_indexes:
        index = add(
            Row(
                kind="partnership",
                label=_("The partnership"),
                code=f"P-{partnership.slug}",
                figures=totals(kommune_indexes),
                is_total=True,
            )
        )
        groups.append((index, region_totals))
    country = [by_key.get((AreaKind.COUNTRY, "0", y)) for y in shown_years]
    if any(country):
        add(
            Row(
                kind=AreaKind.COUNTRY,
                label=_("Norway"),
                code="0",
                figures=[_figure(v) for v in country],
                is_total=True,
            )
        )
    _apply_rule(indicator, rows, groups, inhabitants, public=public)
    if rate is not None:
        at = shown_years.index(rate.year)
        for row in rows:
            figure = row.figures[at]
            if row.kind != AreaKind.COUNTRY and figure.shown and figure.numerator is not None:
                row.cost = figure.numerator * rate.amount
    return IndicatorTable(
        indicator=indicator,
        years=shown_years,
        rows=rows,
        public=public,
        batches=batches,
        daily_rate=rate,
    )


def kommune_overview(
    partnership: Partnership,
    municipality_number: str,
    indicators: Sequence[Indicator],
    *,
    public: bool,
    structure: Structure | None = None,
) -> list[tuple[IndicatorTable, Row | None]]:
    """Every indicator for one kommune: the indicator's whole table (the rule
    for small numbers needs the region around the kommune) and the
    kommune's row in it. Three queries beyond the structure."""
    structure = structure or partnership_structure(partnership)
    loaded = load(partnership, indicators, structure)
    result = []
    for indicator in indicators:
        table = indicator_table(
            partnership, indicator, public=public, structure=structure, loaded=loaded
        )
        row = next((r for r in table.kommune_rows if r.code == municipality_number), None)
        result.append((table, row))
    return result
