"""The picture of one period of a crisis, built once for everyone who shows
it: the situational dashboard, the coordination group's agenda papers, the
period's PDF, the API and the exports.

``build(crisis, start)`` is the one entry point. It gives every party that
reports in the crisis with its group (region, hospital area), its deadline
and whether it is late, its submitted report of the period and its latest
report before it, and the levels that count (:mod:`crisis.levels` decides
them); the groups with their levels and counts; the partnership's computed
and declared level now and in the previous period, with the action card of
the level that counts; and, from the figures kept on write
(:mod:`crisis.figures`), each key indicator for all parties now and in the
previous period. Drafts never count.

With ``values=True`` it also loads the shown parties' values (of the period
and of the report each is compared with) and the indicator levels they
reach: the party table, the papers and the API need them; the top of the
dashboard does not. With ``region_id`` the parties shown are that region's
kommuner and every party outside the regions; with ``group_key`` only the
parties of that group; the partnership's levels always count every party.

Its query count does not grow with parties or periods: the crisis's regions,
the participations, the parties, the regions with their areas, the form's
lines, the period's reports, the earlier reports' levels, the declared
levels, the action card and the figures (10); with values, their values and
rule versions (2 more).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import Any, NamedTuple

from django.utils import timezone
from django.utils.translation import gettext as _

from crisis import figures, levels, periods, services
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
from crisis.numbers import tidy
from partnerships.models import Organisation, Region

T = Indicator.ValueType
# What the picture reads of a period's report.
REPORT_FIELDS = (
    "id",
    "version",
    "crisis_id",
    "organisation_id",
    "period_start",
    "status",
    "no_change",
    "submitted_at",
    "computed_level",
    "rule_version",
    "declared_level",
    "declared_reason",
    "figure_group",
)
# How many periods back a party's previous report is looked for.
LOOKBACK = 4
ONE = Decimal(1)

# How the parties' values of an indicator are combined for all of them.
SUM = "sum"  # counts: the sum over parties (and items)
SHARE = "share"  # occupied of capacity: the summed values in per cent of the summed base
LOWEST = "lowest"  # lower is worse (days of equipment): the lowest value
COUNT_YES = "count_yes"  # yes/no: how many parties answered yes
COUNT_HIGH = "count_high"  # good/challenging/critical: how many at challenging or worse
MEAN = "mean"  # percentages: the mean over parties
TENTH = Decimal("0.1")


def aggregate_of(indicator: Indicator) -> str:
    """How the parties' values of an indicator are combined."""
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


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    """``part`` in whole per cent of ``whole``; ``None`` without a base."""
    if not whole:
        return None
    return (part * 100 / whole).quantize(ONE, rounding=ROUND_HALF_UP)


def combine(kind: str, parts: list[dict[str, Any]], base: list[dict[str, Any]]) -> Decimal | None:
    """One figure for all the parties from figure rows (total, lowest, n,
    high, yes) of an indicator, and of its base for a share."""
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


def period_label(crisis: Crisis, start: datetime.date) -> str:
    """A short name of a period: the ISO week for weekly forms, else the date."""
    if periods.length(crisis.form).days == 7:
        return _("Week %(week)d") % {"week": start.isocalendar().week}
    return start.strftime("%d.%m.")


# --- What the picture holds ------------------------------------------------------------


class Earlier(NamedTuple):
    """A party's latest submitted report before the period."""

    pk: int
    period_start: datetime.date
    level: int | None
    rule_version: int | None


@dataclass
class Party:
    organisation: Organisation
    group_key: int
    region_id: int | None
    region_name: str
    own: bool
    deadline: datetime.datetime
    late: bool
    report: Report | None
    earlier: Earlier | None
    # With values: (code, item) → number, code → text, code → level reached.
    numbers: dict[tuple[str, str], Decimal | None] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    levels: dict[str, int] = field(default_factory=dict)
    thresholds: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    earlier_numbers: dict[tuple[str, str], Decimal | None] | None = None
    earlier_levels: dict[str, int] = field(default_factory=dict)

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
    def level(self) -> int | None:
        """The level that counts this period."""
        if self.report is None:
            return None
        return levels.counting(self.report.declared_level, self.report.computed_level)

    @property
    def earlier_level(self) -> int | None:
        return self.earlier.level if self.earlier else None

    @property
    def change(self) -> str:
        """How the level that counts moved since the party's previous report."""
        return levels.direction(self.earlier_level, self.level)

    @property
    def status(self) -> str:
        """ "submitted", "late" (past the deadline, not submitted) or "missing"."""
        if self.report is not None:
            return "submitted"
        return "late" if self.late else "missing"


@dataclass
class Group:
    """A region's kommuner, or (key 0) the parties outside the regions. Its
    figures are worked out once, when first read (the page reads each
    several times), so read them only after the picture is built."""

    key: int
    name: str
    area_name: str
    parties: list[Party] = field(default_factory=list)

    @cached_property
    def submitted(self) -> int:
        return sum(1 for p in self.parties if p.report is not None)

    @cached_property
    def late(self) -> int:
        return sum(1 for p in self.parties if p.report is None and p.late)

    @cached_property
    def level(self) -> int | None:
        return levels.partnership_level(p.level for p in self.parties)

    @cached_property
    def earlier_level(self) -> int | None:
        return levels.partnership_level(p.earlier_level for p in self.parties)

    @cached_property
    def counts(self) -> dict[int, int]:
        found = {n: 0 for n in levels.NUMBERS}
        for party in self.parties:
            if party.level:
                found[party.level] += 1
        return found

    @cached_property
    def worse(self) -> int:
        """How many of its parties went up a level since their previous report."""
        return sum(1 for p in self.parties if p.change == "up")


@dataclass
class Total:
    """A key indicator for all the parties shown, now and in the previous period."""

    line: FormIndicator
    aggregate: str
    now: Decimal | None
    before: Decimal | None

    @property
    def indicator(self) -> Indicator:
        return self.line.indicator

    @property
    def unit(self) -> str:
        return "%" if self.aggregate == SHARE else self.indicator.unit

    @property
    def how(self) -> str:
        """How the parties' values are combined (sum, lowest, …)."""
        return aggregate_label(self.aggregate)

    @property
    def change(self) -> Decimal | None:
        if self.now is None or self.before is None:
            return None
        return tidy(self.now - self.before)

    @property
    def direction(self) -> str:
        if self.now is None or self.before is None:
            return ""
        return "up" if self.now > self.before else "down" if self.now < self.before else "same"


@dataclass
class Picture:
    crisis: Crisis
    start: datetime.date
    previous_start: datetime.date
    label: str
    region: Group | None
    # The one group asked for (``group_key``), whose parties alone are shown.
    group: Group | None
    lines: list[FormIndicator]
    groups: list[Group]
    # Every party of the crisis, and those shown (of the region asked for).
    everyone: list[Party]
    parties: list[Party]
    computed_level: int | None
    earlier_computed_level: int | None
    declared: PartnershipLevel | None
    earlier_declared: PartnershipLevel | None
    action_card: ActionCard | None
    totals: list[Total]
    with_values: bool

    @property
    def level(self) -> int | None:
        """The partnership level that counts: declared over computed."""
        return self.declared.level if self.declared else self.computed_level

    @property
    def earlier_level(self) -> int | None:
        if self.earlier_declared:
            return self.earlier_declared.level
        return self.earlier_computed_level

    @property
    def level_change(self) -> str:
        return levels.direction(self.earlier_level, self.level)

    @cached_property
    def region_level(self) -> int | None:
        """The highest level among the parties shown (a region and the hospitals)."""
        return levels.partnership_level(p.level for p in self.parties)

    @property
    def expected(self) -> int:
        return len(self.parties)

    @property
    def submitted(self) -> int:
        return sum(1 for p in self.parties if p.report is not None)

    @property
    def share(self) -> Decimal | None:
        return percent(Decimal(self.submitted), Decimal(self.expected))

    @cached_property
    def late(self) -> list[Party]:
        return [p for p in self.parties if p.report is None and p.late]

    @cached_property
    def not_reported(self) -> list[Party]:
        """Parties without a submitted report: the late ones first."""
        rows = [p for p in self.parties if p.report is None]
        return sorted(rows, key=lambda p: (not p.late, p.organisation.name))

    @cached_property
    def worst(self) -> list[Party]:
        """The shown parties at the highest level reached, if it is 2 or more."""
        top = self.region_level
        if not top or top < 2:
            return []
        return [p for p in self.parties if p.level == top]

    @cached_property
    def changed(self) -> list[Party]:
        """Shown parties whose level moved since their previous report: up first."""
        moved = [p for p in self.parties if p.change in ("up", "down")]
        return sorted(moved, key=lambda p: (p.change != "up", -(p.level or 0), p.organisation.name))

    @property
    def key_lines(self) -> list[FormIndicator]:
        return [line for line in self.lines if line.key]

    @property
    def text_indicators(self) -> list[Indicator]:
        return [line.indicator for line in self.lines if line.indicator.value_type == T.TEXT]

    @property
    def regions(self) -> list[Group]:
        return [g for g in self.groups if g.key != figures.OUTSIDE]


# --- Building it ------------------------------------------------------------------------


def _form_lines(crisis: Crisis) -> list[FormIndicator]:
    return list(
        crisis.form.lines.filter(indicator__active=True)
        .select_related("indicator__relative_to")
        .order_by("position", "pk")
    )


def _parties(crisis: Crisis) -> list[tuple[Organisation, int | None, str, str, int, int]]:
    """The parties that report in the crisis (:func:`services.reporting_participations`
    decides) with (region id, region name, area name, area position, region
    position), by name (four queries: the crisis's regions, the
    participations, the parties, the partnership's regions with their areas;
    no model object made twice)."""
    rows = list(
        services.reporting_participations(crisis)
        .order_by("pk")
        .values_list("organisation_id", "region_id")
    )
    organisations = {
        o.pk: o
        for o in Organisation.objects.filter(pk__in={org for org, _region in rows}).only(
            "id", "name", "kind", "municipality_number", "organisation_number"
        )
    }
    regions = {
        r.pk: r
        for r in Region.objects.filter(partnership_id=crisis.partnership_id).select_related(
            "hospital_area"
        )
    }
    seen: dict[int, tuple[Organisation, int | None, str, str, int, int]] = {}
    for organisation_id, region_id in rows:
        region = regions.get(region_id) if region_id else None
        if organisation_id in seen and region is None:
            continue  # a second participation without a region adds nothing
        area = region.hospital_area if region is not None else None
        seen[organisation_id] = (
            organisations[organisation_id],
            region.pk if region is not None else None,
            region.name if region is not None else "",
            area.name if area is not None else "",
            area.position if area is not None else 0,
            region.position if region is not None else 0,
        )
    return sorted(seen.values(), key=lambda row: row[0].name)


def build(
    crisis: Crisis,
    start: datetime.date,
    *,
    region_id: int | None = None,
    group_key: int | None = None,
    values: bool = False,
    viewer_own: frozenset[int] = frozenset(),
    now: datetime.datetime | None = None,
) -> Picture:
    """The picture of ``crisis`` for the period starting ``start`` (see the
    module's docstring)."""
    moment = now or timezone.now()
    form = crisis.form
    previous_start = periods.previous(form, start)
    lines = _form_lines(crisis)

    window_start = start - periods.length(form) * LOOKBACK
    current: dict[int, Report] = {
        r.organisation_id: r
        for r in Report.objects.filter(
            crisis=crisis, status=Report.Status.SUBMITTED, period_start=start
        ).only(*REPORT_FIELDS)
    }
    earlier: dict[int, Earlier] = {}
    previous_levels: list[int | None] = []
    for pk, organisation_id, day, computed, declared_level, version in (
        Report.objects.filter(
            crisis=crisis,
            status=Report.Status.SUBMITTED,
            period_start__gte=window_start,
            period_start__lt=start,
        )
        .order_by("period_start")
        .values_list(
            "pk",
            "organisation_id",
            "period_start",
            "computed_level",
            "declared_level",
            "rule_version",
        )
    ):
        level = levels.counting(declared_level, computed)
        earlier[organisation_id] = Earlier(pk, day, level, version)  # the latest wins
        if day == previous_start:
            previous_levels.append(level)

    groups: dict[int, Group] = {}
    order: dict[int, tuple[int, int, str]] = {}
    everyone: list[Party] = []
    for organisation, region_key, region_name, area_name, area_at, region_at in _parties(crisis):
        key = figures.group_of(organisation, region_key)
        deadline = periods.deadline(form, organisation, start)
        report = current.get(organisation.pk)
        party = Party(
            organisation=organisation,
            group_key=key,
            region_id=region_key,
            region_name=region_name,
            own=organisation.pk in viewer_own,
            deadline=deadline,
            late=report is None and deadline < moment,
            report=report,
            earlier=earlier.get(organisation.pk),
        )
        everyone.append(party)
        if key not in groups:
            name = region_name if key != figures.OUTSIDE else _("Hospitals and other parties")
            groups[key] = Group(key, name, area_name if key != figures.OUTSIDE else "")
            order[key] = (1, 0, "") if key == figures.OUTSIDE else (0, area_at, f"{region_at:05d}")
        groups[key].parties.append(party)
    ordered = sorted(groups.values(), key=lambda g: (*order[g.key], g.name))

    region = groups.get(region_id) if region_id and region_id != figures.OUTSIDE else None
    group = groups.get(group_key) if group_key is not None else None
    if group is not None:
        shown = list(group.parties)
    elif region is not None:
        shown = [p for p in everyone if p.group_key in (region.key, figures.OUTSIDE)]
    else:
        shown = list(everyone)
    # Worst first: the parties under most pressure lead, then by name.
    shown.sort(key=lambda p: (-(p.level or 0), p.organisation.name))

    declared: dict[datetime.date, PartnershipLevel] = {
        d.period_start: d
        for d in PartnershipLevel.objects.filter(
            crisis=crisis, period_start__in=[start, previous_start]
        ).select_related("by")
    }
    computed = levels.partnership_level(p.level for p in everyone)
    counting = declared[start].level if start in declared else computed
    card = (
        ActionCard.objects.filter(partnership_id=crisis.partnership_id, level=counting).first()
        if counting
        else None
    )

    picture = Picture(
        crisis=crisis,
        start=start,
        previous_start=previous_start,
        label=period_label(crisis, start),
        region=region,
        group=group,
        lines=lines,
        groups=ordered,
        everyone=everyone,
        parties=shown,
        computed_level=computed,
        earlier_computed_level=levels.partnership_level(previous_levels),
        declared=declared.get(start),
        earlier_declared=declared.get(previous_start),
        action_card=card,
        totals=[],
        with_values=values,
    )
    picture.totals = _totals(picture)
    if values:
        _load_values(picture)
    return picture


def shown_groups(picture: Picture) -> list[int] | None:
    """The groups whose figures the picture's totals and trends add up
    (``None``: every group)."""
    if picture.group is not None:
        return [picture.group.key]
    if picture.region is not None:
        return [picture.region.key, figures.OUTSIDE]
    return None


def _totals(picture: Picture) -> list[Total]:
    """Each key numeric indicator for the shown parties, now and before (one query)."""
    key_lines = [line for line in picture.key_lines if line.indicator.value_type != T.TEXT]
    if not key_lines:
        return []
    ids = {line.indicator.pk for line in key_lines}
    ids |= {line.indicator.relative_to_id for line in key_lines if line.indicator.relative_to_id}
    groups = shown_groups(picture)
    rows = figures.combined(
        picture.crisis, [picture.start, picture.previous_start], ids, groups=groups
    )
    found: dict[tuple[datetime.date, int], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        found[(row["period_start"], row["indicator_id"])].append(row)
    totals = []
    for line in key_lines:
        kind = aggregate_of(line.indicator)
        base = line.indicator.relative_to_id

        def figure(day: datetime.date, line: FormIndicator = line, base: int | None = base) -> Any:
            return combine(
                aggregate_of(line.indicator),
                found.get((day, line.indicator.pk), []),
                found.get((day, base), []) if base else [],
            )

        totals.append(Total(line, kind, figure(picture.start), figure(picture.previous_start)))
    return totals


def _load_values(picture: Picture) -> None:
    """The shown parties' values of the period and of their previous
    report, and the indicator levels reached (two queries)."""
    by_id = {line.indicator.pk: line.indicator for line in picture.lines}
    reports = [p.report.pk for p in picture.parties if p.report is not None]
    earlier = [p.earlier.pk for p in picture.parties if p.report is not None and p.earlier]
    numbers: dict[int, dict[tuple[str, str], Decimal | None]] = defaultdict(dict)
    texts: dict[int, dict[str, str]] = defaultdict(dict)
    for report_id, indicator_id, item, number, text in Value.objects.filter(
        report_id__in=reports + earlier
    ).values_list("report_id", "indicator_id", "item", "number", "text"):
        indicator = by_id.get(indicator_id)
        if indicator is None:
            continue
        if indicator.value_type == T.TEXT:
            if text:
                texts[report_id][indicator.code] = text
        else:
            numbers[report_id][(indicator.code, item)] = number
    versions = {p.report.rule_version for p in picture.parties if p.report}
    versions |= {p.earlier.rule_version for p in picture.parties if p.report and p.earlier}
    rules = {
        rule.version: rule.thresholds
        for rule in LevelRule.objects.filter(
            partnership_id=picture.crisis.partnership_id,
            version__in=[v for v in versions if v is not None],
        )
    }
    for party in picture.parties:
        if party.report is None:
            continue
        party.thresholds = rules.get(party.report.rule_version or 0, {})
        party.numbers = numbers.get(party.report.pk, {})
        party.texts = texts.get(party.report.pk, {})
        party.levels = levels.indicator_levels(party.numbers, party.thresholds)
        if party.earlier is not None:
            party.earlier_numbers = numbers.get(party.earlier.pk, {})
            party.earlier_levels = levels.indicator_levels(
                party.earlier_numbers, rules.get(party.earlier.rule_version or 0, {})
            )
