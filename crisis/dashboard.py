"""The shared situational picture of a crisis for one period, computed live
from the submitted reports (drafts never count), so a submit shows at once.

:func:`picture` is what the dashboard page shows and what the API and the
coordination module may reuse: one row per party with its key indicators
(value, level reached, change since its previous report), its computed,
declared and counting level and whether it is late; who has not reported;
the partnership level computed and declared with the action card of the
level that counts; trends per key indicator, per region and per level; the
week's special challenges and needs (every text indicator of the form).

Its query count does not grow with parties or periods: parties, their
regions, the form's lines, the reports of the period and a few before it,
their values, the rule versions, completeness, two grouped trend queries, one
for the levels per period, the declared partnership level and the action
cards (13 in all).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Min, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from crisis import periods, services
from crisis.models import (
    ActionCard,
    Crisis,
    FormIndicator,
    Indicator,
    LevelRule,
    PartnershipLevel,
    Report,
    Value,
)
from partnerships.models import Organisation, Participation

T = Indicator.ValueType
# How many periods the trends cover, the chosen one included.
TREND_PERIODS = 12
# How many periods back a party's previous report is looked for.
LOOKBACK = 4

# How a trend combines the parties' values of an indicator in one period.
SUM = "sum"  # counts: the sum over parties (and items)
SHARE = "share"  # occupied of capacity: the summed values in per cent of the summed base
LOWEST = "lowest"  # lower is worse (days of equipment): the lowest value
COUNT_YES = "count_yes"  # yes/no: how many parties answered yes
COUNT_HIGH = "count_high"  # good/challenging/critical: how many at challenging or worse
MEAN = "mean"  # percentages: the mean over parties

ONE = Decimal(1)
TENTH = Decimal("0.1")


def aggregate_of(indicator: Indicator) -> str:
    """How the parties' values of an indicator are combined in a trend."""
    if indicator.relative_to_id:
        return SHARE
    if indicator.lower_is_worse:
        return LOWEST
    if indicator.value_type == T.BOOLEAN:
        return COUNT_YES
    if indicator.value_type == T.LEVEL:
        return COUNT_HIGH
    if indicator.value_type == T.PERCENT:
        return MEAN
    return SUM


def aggregate_label(kind: str) -> str:
    return {
        SUM: _("sum over the parties"),
        SHARE: _("per cent of capacity, all parties together"),
        LOWEST: _("lowest value of any party"),
        COUNT_YES: _("number of parties answering yes"),
        COUNT_HIGH: _("number of parties at challenging or critical"),
        MEAN: _("mean over the parties"),
    }[kind]


def tidy(number: Decimal | None) -> Decimal | None:
    """A stored number without trailing zeros (90.000 → 90)."""
    if number is None:
        return None
    if number == number.to_integral_value():
        return number.quantize(ONE)
    return number.normalize()


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    """``part`` in whole per cent of ``whole``; ``None`` without a base."""
    if not whole:
        return None
    return (part * 100 / whole).quantize(ONE, rounding=ROUND_HALF_UP)


def period_label(crisis: Crisis, start: datetime.date) -> str:
    """A short name of a period: the ISO week for weekly forms, else the date."""
    if periods.length(crisis.form).days == 7:
        return _("Week %(week)d") % {"week": start.isocalendar().week}
    return start.strftime("%d.%m.")


# --- What the picture holds ------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A key indicator of the form (a column of the parties' table)."""

    indicator: Indicator
    applies_to: str
    aggregate: str

    @property
    def code(self) -> str:
        return self.indicator.code

    @property
    def name(self) -> str:
        return self.indicator.name

    @property
    def unit(self) -> str:
        return "%" if self.aggregate == SHARE else self.indicator.unit

    @property
    def is_numeric(self) -> bool:
        return self.indicator.value_type != T.TEXT


@dataclass
class Cell:
    """One party's value of one key indicator in the period.

    ``number`` is what is shown and compared: the value; the lowest item for
    lower-is-worse breakdowns (``item_name`` says which); occupancy in per
    cent of capacity for shares; the sum over items for other breakdowns;
    1–3 for good/challenging/critical; 1/0 for yes/no."""

    applies: bool = True
    number: Decimal | None = None
    word: str = ""
    text: str = ""
    item_name: str = ""
    unit: str = ""
    is_percent: bool = False
    level: int | None = None
    previous: Decimal | None = None
    change: Decimal | None = None
    # "up", "down", "same", or "" when there is no earlier figure.
    direction: str = ""
    # Whether the change is for the worse (None: the indicator has no thresholds).
    worse: bool | None = None

    @property
    def has_value(self) -> bool:
        return self.number is not None or bool(self.text)


@dataclass
class PartyRow:
    organisation: Organisation
    region_id: int | None
    region_name: str
    own: bool
    deadline: datetime.datetime
    late: bool
    report: Report | None
    previous_start: datetime.date | None
    cells: list[Cell]

    @property
    def submitted(self) -> bool:
        return self.report is not None

    @property
    def computed_level(self) -> int | None:
        return self.report.computed_level if self.report else None

    @property
    def declared_level(self) -> int | None:
        return self.report.declared_level if self.report else None

    @property
    def declared_reason(self) -> str:
        return self.report.declared_reason if self.report else ""

    @property
    def level(self) -> int | None:
        """The level that counts: declared where someone declared one."""
        return self.report.level if self.report else None

    @property
    def rule_version(self) -> int | None:
        return self.report.rule_version if self.report else None

    @property
    def no_change(self) -> bool:
        return bool(self.report and self.report.no_change)

    @property
    def status(self) -> str:
        """ "submitted", "late" (past the deadline, not submitted) or "missing"."""
        if self.report is not None:
            return "submitted"
        return "late" if self.late else "missing"


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
class PartyTexts:
    organisation: Organisation
    entries: list[tuple[str, str]]


@dataclass
class RegionChoice:
    id: int
    name: str


@dataclass
class Picture:
    crisis: Crisis
    period_start: datetime.date
    previous_start: datetime.date
    label: str
    region: RegionChoice | None
    regions: list[RegionChoice]
    columns: list[Column]
    rows: list[PartyRow]
    expected: int
    submitted: int
    computed_level: int | None
    region_level: int | None
    declared: PartnershipLevel | None
    action_card: ActionCard | None
    trends: list[Trend]
    trend_indicator: Column | None
    region_trend: Trend | None
    level_trend: list[LevelPoint]
    texts: list[PartyTexts]
    text_indicators: list[Indicator] = field(default_factory=list)

    @property
    def level(self) -> int | None:
        """The partnership level that counts: declared over computed."""
        return self.declared.level if self.declared else self.computed_level

    @property
    def share(self) -> Decimal | None:
        """Submitted of expected reports, in whole per cent."""
        return percent(Decimal(self.submitted), Decimal(self.expected))

    @property
    def not_reported(self) -> list[PartyRow]:
        """Parties without a submitted report: the late ones first."""
        rows = [row for row in self.rows if row.report is None]
        return sorted(rows, key=lambda row: (not row.late, row.organisation.name))

    @property
    def late(self) -> list[PartyRow]:
        return [row for row in self.rows if row.report is None and row.late]


# --- Computing it ---------------------------------------------------------------------


def _measure(
    indicator: Indicator,
    numbers: Mapping[tuple[str, str], Decimal | None],
) -> tuple[Decimal | None, str]:
    """(the number a cell shows, the item it comes from) for one report."""
    own = [
        (item, number)
        for (code, item), number in numbers.items()
        if code == indicator.code and number is not None
    ]
    if not own:
        return None, ""
    if indicator.relative_to_id and indicator.relative_to is not None:
        base_code = indicator.relative_to.code
        base = sum(
            (n for (code, _item), n in numbers.items() if code == base_code and n is not None),
            Decimal(0),
        )
        return percent(sum((n for _item, n in own), Decimal(0)), base), ""
    if indicator.items and indicator.lower_is_worse:
        item, number = min(own, key=lambda pair: pair[1])
        return number, item
    if indicator.items:
        return sum((n for _item, n in own), Decimal(0)), ""
    return own[0][1], ""


def _word(indicator: Indicator, number: Decimal | None) -> str:
    if number is None:
        return ""
    if indicator.value_type == T.LEVEL:
        return {1: _("Good"), 2: _("Challenging"), 3: _("Critical")}.get(int(number), "")
    if indicator.value_type == T.BOOLEAN:
        return _("Yes") if number else _("No")
    return ""


def _cell(
    column: Column,
    numbers: Mapping[tuple[str, str], Decimal | None],
    texts: Mapping[str, str],
    levels: Mapping[str, int],
    previous: Mapping[tuple[str, str], Decimal | None] | None,
    thresholds: Mapping[str, Any],
) -> Cell:
    indicator = column.indicator
    number, item = _measure(indicator, numbers)
    names = {i["code"]: i["name"] for i in indicator.items}
    cell = Cell(
        number=tidy(number),
        word=_word(indicator, number),
        text=texts.get(indicator.code, ""),
        item_name=names.get(item, item),
        unit=column.unit,
        is_percent=column.aggregate == SHARE,
        level=levels.get(indicator.code) if indicator.code in thresholds else None,
    )
    if previous is not None and number is not None:
        before, _item = _measure(indicator, previous)
        if before is not None:
            cell.previous = tidy(before)
            cell.change = tidy(number - before)
            cell.direction = "up" if number > before else "down" if number < before else "same"
            if indicator.code in thresholds and cell.direction != "same":
                cell.worse = (cell.direction == "down") == bool(indicator.lower_is_worse)
    return cell


def _combine(kind: str, parts: list[dict[str, Any]], base: list[dict[str, Any]]) -> Decimal | None:
    """One trend figure from grouped rows (total, lowest, n, high, yes)."""
    if not parts:
        return None
    if kind == SHARE:
        whole = sum((b["total"] or Decimal(0) for b in base), Decimal(0))
        return percent(sum((p["total"] or Decimal(0) for p in parts), Decimal(0)), whole)
    if kind == LOWEST:
        found = [p["lowest"] for p in parts if p["lowest"] is not None]
        return tidy(min(found)) if found else None
    if kind == COUNT_YES:
        return Decimal(sum(p["yes"] for p in parts))
    if kind == COUNT_HIGH:
        return Decimal(sum(p["high"] for p in parts))
    total = sum((p["total"] or Decimal(0) for p in parts), Decimal(0))
    if kind == MEAN:
        n = sum(p["n"] for p in parts)
        return (total / n).quantize(TENTH, rounding=ROUND_HALF_UP) if n else None
    return tidy(total)


AGGREGATES: dict[str, Any] = {
    "total": Sum("number"),
    "lowest": Min("number"),
    "n": Count("id"),
    "high": Count("id", filter=Q(number__gte=2)),
    "yes": Count("id", filter=Q(number__gt=0)),
}


def _parties(
    crisis: Crisis,
) -> tuple[list[Organisation], dict[int, tuple[int | None, str]], list[RegionChoice]]:
    """The parties, each one's region (id, name), and the regions among them."""
    parties = services.parties_of(crisis)
    regions: dict[int, tuple[int | None, str]] = {}
    choices: dict[int, RegionChoice] = {}
    rows = (
        Participation.objects.current()
        .filter(
            partnership_id=crisis.partnership_id,
            role=Participation.Role.PARTY,
            organisation_id__in=[p.pk for p in parties],
        )
        .select_related("region")
        .order_by("region__position", "region__name")
    )
    for participation in rows:
        region = participation.region
        if region is None:
            regions.setdefault(participation.organisation_id, (None, ""))
            continue
        regions[participation.organisation_id] = (region.pk, region.name)
        choices.setdefault(region.pk, RegionChoice(region.pk, region.name))
    return parties, regions, list(choices.values())


def picture(
    crisis: Crisis,
    period_start: datetime.date,
    *,
    region_id: int | None = None,
    viewer_own: frozenset[int] = frozenset(),
    indicator: str | None = None,
    now: datetime.datetime | None = None,
) -> Picture:
    """The shared picture of ``crisis`` for the period starting
    ``period_start``; with ``region_id`` only that region's kommuner (the
    hospital and other parties outside regions stay). ``viewer_own`` marks the
    viewer's own parties; ``indicator`` chooses the key indicator whose trend
    is shown per region (default: the first numeric one). Partnership levels
    always count every party."""
    moment = now or timezone.now()
    form = crisis.form
    previous_start = periods.previous(form, period_start)

    parties, region_of, regions = _parties(crisis)
    region = next((r for r in regions if r.id == region_id), None)
    shown = [
        p
        for p in parties
        if region is None
        or p.kind != Organisation.Kind.KOMMUNE
        or region_of.get(p.pk, (None, ""))[0] == region.id
    ]
    shown_ids = [p.pk for p in shown]

    lines = services.form_lines(form)
    key_lines = [line for line in lines if line.key]
    columns = [
        Column(line.indicator, line.applies_to, aggregate_of(line.indicator)) for line in key_lines
    ]
    numeric = [c for c in columns if c.is_numeric]
    text_indicators = [line.indicator for line in lines if line.indicator.value_type == T.TEXT]
    by_id = {line.indicator.pk: line.indicator for line in lines}

    # The period's reports and a few before it, every party's (levels count all).
    window_start = period_start - periods.length(form) * LOOKBACK
    reports = list(
        Report.objects.filter(
            crisis=crisis,
            status=Report.Status.SUBMITTED,
            period_start__gte=window_start,
            period_start__lte=period_start,
        ).order_by("period_start")
    )
    current: dict[int, Report] = {}
    earlier: dict[int, Report] = {}
    for found in reports:
        if found.period_start == period_start:
            current[found.organisation_id] = found
        else:
            earlier[found.organisation_id] = found  # the latest wins
    # Values of the shown parties' reports, and of the report each is compared with.
    wanted = [current[pk].pk for pk in shown_ids if pk in current]
    wanted += [earlier[pk].pk for pk in shown_ids if pk in current and pk in earlier]
    numbers: dict[int, dict[tuple[str, str], Decimal | None]] = defaultdict(dict)
    texts: dict[int, dict[str, str]] = defaultdict(dict)
    for report_id, indicator_id, item, number, text in Value.objects.filter(
        report_id__in=wanted
    ).values_list("report_id", "indicator_id", "item", "number", "text"):
        known = by_id.get(indicator_id)
        if known is None:
            continue
        numbers[report_id][(known.code, item)] = number
        if text:
            texts[report_id][known.code] = text

    versions = {r.rule_version for r in current.values() if r.rule_version is not None}
    rules = {
        rule.version: rule.thresholds
        for rule in LevelRule.objects.filter(
            partnership_id=crisis.partnership_id, version__in=versions
        )
    }

    state = services.completeness(crisis, period_start, parties=shown, now=moment)
    late_ids = {o.pk for o in state.late}
    rows: list[PartyRow] = []
    for party in shown:
        report = current.get(party.pk)
        before = earlier.get(party.pk)
        thresholds: Mapping[str, Any] = (
            rules.get(report.rule_version, {}) if report and report.rule_version else {}
        )
        cells: list[Cell] = []
        if report is not None:
            mine = numbers.get(report.pk, {})
            levels = services.indicator_levels(mine, thresholds)
            for column in columns:
                if not services.applies(_line(column), party):
                    cells.append(Cell(applies=False))
                    continue
                cells.append(
                    _cell(
                        column,
                        mine,
                        texts.get(report.pk, {}),
                        levels,
                        numbers.get(before.pk, {}) if before else None,
                        thresholds,
                    )
                )
        else:
            cells = [Cell(applies=services.applies(_line(c), party)) for c in columns]
        region_key, region_name = region_of.get(party.pk, (None, ""))
        rows.append(
            PartyRow(
                organisation=party,
                region_id=region_key,
                region_name=region_name,
                own=party.pk in viewer_own,
                deadline=periods.deadline(form, party, period_start),
                late=party.pk in late_ids,
                report=report,
                previous_start=before.period_start if (report and before) else None,
                cells=cells,
            )
        )

    party_ids = {p.pk for p in parties}
    computed = services.computed_partnership_level(
        r.level for r in current.values() if r.organisation_id in party_ids
    )
    region_level = (
        services.computed_partnership_level(row.level for row in rows) if region else None
    )
    declared = (
        PartnershipLevel.objects.filter(crisis=crisis, period_start=period_start)
        .select_related("by")
        .first()
    )
    counting = declared.level if declared else computed
    cards = {c.level: c for c in ActionCard.objects.filter(partnership_id=crisis.partnership_id)}
    card = cards.get(counting) if counting else None

    # Trends over the last periods up to the chosen one.
    trend_periods = periods.periods(crisis, until=period_start)[-TREND_PERIODS:]
    labels = [period_label(crisis, p) for p in trend_periods]
    trend_start = trend_periods[0] if trend_periods else period_start
    chosen = next((c for c in numeric if c.code == indicator), numeric[0] if numeric else None)
    trends = _trends(crisis, numeric, shown_ids, trend_start, period_start, trend_periods, labels)
    region_trend = (
        _region_trend(
            crisis,
            chosen,
            parties,
            region_of,
            regions,
            trend_start,
            period_start,
            trend_periods,
            labels,
        )
        if chosen
        else None
    )
    level_trend = _level_trend(crisis, shown_ids, trend_start, period_start, trend_periods, labels)

    # Worst first: the parties under most pressure lead the table (those
    # without a level last), then by name.
    rows.sort(key=lambda row: (-(row.level or 0), row.organisation.name))

    party_texts = []
    for row in rows:
        if row.report is None:
            continue
        mine_texts = texts.get(row.report.pk, {})
        entries = [(i.name, mine_texts[i.code]) for i in text_indicators if mine_texts.get(i.code)]
        if entries:
            party_texts.append(PartyTexts(row.organisation, entries))

    return Picture(
        crisis=crisis,
        period_start=period_start,
        previous_start=previous_start,
        label=period_label(crisis, period_start),
        region=region,
        regions=regions,
        columns=columns,
        rows=rows,
        expected=len(state.expected),
        submitted=len(state.submitted),
        computed_level=computed,
        region_level=region_level,
        declared=declared,
        action_card=card,
        trends=trends,
        trend_indicator=chosen,
        region_trend=region_trend,
        level_trend=level_trend,
        texts=party_texts,
        text_indicators=text_indicators,
    )


def _line(column: Column) -> FormIndicator:
    """A form line carrying only who fills it, for ``services.applies``."""
    return FormIndicator(applies_to=column.applies_to)


def _grouped(
    crisis: Crisis,
    indicator_ids: Iterable[int],
    organisation_ids: list[int],
    start: datetime.date,
    end: datetime.date,
    by: tuple[str, ...],
) -> list[dict[str, Any]]:
    """The submitted values grouped by period and ``by`` (one query)."""
    return list(
        Value.objects.filter(
            report__crisis=crisis,
            report__status=Report.Status.SUBMITTED,
            report__period_start__gte=start,
            report__period_start__lte=end,
            report__organisation_id__in=organisation_ids,
            indicator_id__in=list(indicator_ids),
        )
        .values("report__period_start", *by)
        .annotate(**AGGREGATES)
        .order_by()
    )


def _with_bases(columns: Iterable[Column]) -> set[int]:
    ids: set[int] = set()
    for column in columns:
        ids.add(column.indicator.pk)
        if column.indicator.relative_to_id:
            ids.add(column.indicator.relative_to_id)
    return ids


def _trends(
    crisis: Crisis,
    columns: list[Column],
    organisation_ids: list[int],
    start: datetime.date,
    end: datetime.date,
    trend_periods: list[datetime.date],
    labels: list[str],
) -> list[Trend]:
    """Per key numeric indicator and period, the parties combined (one
    query grouped by period, indicator and item); a breakdown gets a series
    per item beside the whole."""
    if not columns:
        return []
    rows = _grouped(
        crisis, _with_bases(columns), organisation_ids, start, end, ("indicator_id", "item")
    )
    found: dict[tuple[datetime.date, int], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        found[(row["report__period_start"], row["indicator_id"])].append(row)
    trends = []
    for column in columns:
        indicator = column.indicator
        base_id = indicator.relative_to_id

        def figure(
            day: datetime.date,
            item: str | None,
            column: Column = column,
            base_id: int | None = base_id,
        ) -> Decimal | None:
            parts = found.get((day, column.indicator.pk), [])
            base = found.get((day, base_id), []) if base_id else []
            if item is not None:
                parts = [p for p in parts if p["item"] == item]
                base = [b for b in base if b["item"] == item]
            return _combine(column.aggregate, parts, base)

        series = [Series(_("All parties"), [figure(day, None) for day in trend_periods])]
        if indicator.items and column.aggregate in (SUM, SHARE, LOWEST):
            for item in indicator.items:
                series.append(
                    Series(item["name"], [figure(day, item["code"]) for day in trend_periods])
                )
        trends.append(
            Trend(
                key=indicator.code,
                title=f"{indicator.name} ({aggregate_label(column.aggregate)})",
                unit=column.unit,
                aggregate=column.aggregate,
                periods=trend_periods,
                labels=labels,
                series=series,
                subject=indicator.name,
            )
        )
    return trends


def _region_trend(
    crisis: Crisis,
    column: Column,
    parties: list[Organisation],
    region_of: Mapping[int, tuple[int | None, str]],
    regions: list[RegionChoice],
    start: datetime.date,
    end: datetime.date,
    trend_periods: list[datetime.date],
    labels: list[str],
) -> Trend:
    """One indicator per region and period (one query grouped by period,
    party and indicator; the parties are put in their regions here)."""
    rows = _grouped(
        crisis,
        _with_bases([column]),
        [p.pk for p in parties],
        start,
        end,
        ("report__organisation_id", "indicator_id"),
    )
    parts: dict[tuple[datetime.date, int | None, int], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        region_key = region_of.get(row["report__organisation_id"], (None, ""))[0]
        parts[(row["report__period_start"], region_key, row["indicator_id"])].append(row)
    groups: list[tuple[int | None, str]] = [(r.id, r.name) for r in regions]
    if any(region_of.get(p.pk, (None, ""))[0] is None for p in parties):
        groups.append((None, _("Outside the regions (hospitals)")))
    base_id = column.indicator.relative_to_id
    series = [
        Series(
            name,
            [
                _combine(
                    column.aggregate,
                    parts.get((day, key, column.indicator.pk), []),
                    parts.get((day, key, base_id), []) if base_id else [],
                )
                for day in trend_periods
            ],
        )
        for key, name in groups
    ]
    return Trend(
        key=f"{column.code}-region",
        title=_("%(indicator)s per region (%(how)s)")
        % {"indicator": column.name, "how": aggregate_label(column.aggregate)},
        unit=column.unit,
        aggregate=column.aggregate,
        periods=trend_periods,
        labels=labels,
        series=series,
        subject=column.name,
    )


def _level_trend(
    crisis: Crisis,
    organisation_ids: list[int],
    start: datetime.date,
    end: datetime.date,
    trend_periods: list[datetime.date],
    labels: list[str],
) -> list[LevelPoint]:
    """Per period, how many parties are at each level that counts, and how
    many reported (one grouped query)."""
    counts: dict[datetime.date, dict[int, int]] = defaultdict(dict)
    rows = (
        Report.objects.filter(
            crisis=crisis,
            status=Report.Status.SUBMITTED,
            period_start__gte=start,
            period_start__lte=end,
            organisation_id__in=organisation_ids,
        )
        .annotate(counted=Coalesce("declared_level", "computed_level"))
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
            counts={level: counts[day].get(level, 0) for level in (1, 2, 3, 4)},
            submitted=sum(counts[day].values()),
            expected=len(organisation_ids),
        )
        for day, label in zip(trend_periods, labels, strict=True)
    ]
