"""Deviation statistics as pure query functions.

Every figure is aggregated in the database, so the number of queries does
not grow with the number of deviations. Drafts never count. The functions
take a queryset of deviations the caller may see
(``access.visible_deviations``) and return plain rows: labels and numbers,
never free text.

Two ways to the same rows:

- ``trend``, ``by_category`` … ``summary``: one breakdown, one query
  (``values().annotate(Count)``, ``Trunc*``; two for the region), for the
  pages that want one or two of them (the learning loop, the quarterly
  report's trend).
- ``compute``: every figure of the statistics page from one query that
  reads the rows once (``count_all``, :mod:`deviations.grouping`), then the
  names of what it counted. With 200,000 deviations one query per breakdown
  read them eleven times. The tests hold the two ways to the same rows.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connections
from django.db.models import (
    Avg,
    BigIntegerField,
    Case,
    CharField,
    Count,
    DateField,
    DurationField,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import TruncMonth, TruncQuarter, TruncYear
from django.utils import formats, timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from agreements.models import Clause
from core import disclosure
from deviations.grouping import grouped
from deviations.models import SECTION_6_2_POINTS, Deviation, DeviationCategory, Guideline
from partnerships.models import Organisation, Participation
from routines.models import Routine

MONTH, QUARTER, YEAR = "month", "quarter", "year"
PERIODS = (MONTH, QUARTER, YEAR)
TRUNC = {MONTH: TruncMonth, QUARTER: TruncQuarter, YEAR: TruncYear}
DEFAULT_MONTHS = 24

KOMMUNE_HF, HF_KOMMUNE, KOMMUNE_KOMMUNE, OTHER = (
    "kommune_hf",
    "hf_kommune",
    "kommune_kommune",
    "other",
)


def direction_labels() -> dict[str, str]:
    return {
        KOMMUNE_HF: _("Municipality → hospital trust"),
        HF_KOMMUNE: _("Hospital trust → municipality"),
        KOMMUNE_KOMMUNE: _("Municipality → municipality"),
        OTHER: _("Other"),
    }


@dataclass(frozen=True)
class Row:
    """One bar of a chart and one line of its table."""

    key: str
    label: str
    count: int


@dataclass
class Summary:
    total: int
    answered: int
    answered_in_time: int
    mean_days_to_answer: float | None
    open_overdue: int

    @property
    def share_in_time(self) -> float | None:
        """Share of the answered deviations answered by the deadline (0–100)."""
        if not self.answered:
            return None
        return 100.0 * self.answered_in_time / self.answered


@dataclass
class Statistics:
    period: str
    start: datetime.date
    end: datetime.date
    summary: Summary | None
    trend: list[Row] = field(default_factory=list)
    breakdowns: dict[str, list[Row]] = field(default_factory=dict)


# --- Scope and periods -------------------------------------------------------------


def default_range(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """The last 24 months: from the first of the month 23 months back to today."""
    day = today or timezone.localdate()
    month = day.year * 12 + day.month - 1 - (DEFAULT_MONTHS - 1)
    return datetime.date(month // 12, month % 12 + 1, 1), day


def start_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def in_range(
    deviations: QuerySet[Deviation], start: datetime.date, end: datetime.date
) -> QuerySet[Deviation]:
    """Submitted deviations (never drafts) submitted from ``start`` to ``end``
    inclusive, in the local time zone."""
    return deviations.exclude(status=Deviation.Status.DRAFT).filter(
        submitted_at__gte=start_of_day(start),
        submitted_at__lt=start_of_day(end + datetime.timedelta(days=1)),
    )


def period_start(day: datetime.date, period: str) -> datetime.date:
    if period == YEAR:
        return datetime.date(day.year, 1, 1)
    if period == QUARTER:
        return datetime.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return datetime.date(day.year, day.month, 1)


def next_period(day: datetime.date, period: str) -> datetime.date:
    if period == YEAR:
        return datetime.date(day.year + 1, 1, 1)
    months = 3 if period == QUARTER else 1
    month = day.year * 12 + day.month - 1 + months
    return datetime.date(month // 12, month % 12 + 1, 1)


def period_label(day: datetime.date, period: str) -> str:
    """The period as a reader says it: "januar 2025", "1. kvartal 2025"."""
    if period == YEAR:
        return str(day.year)
    if period == QUARTER:
        return _("%(year)d Q%(quarter)d") % {"year": day.year, "quarter": (day.month - 1) // 3 + 1}
    return formats.date_format(day, "YEAR_MONTH_FORMAT")


def periods_between(start: datetime.date, end: datetime.date, period: str) -> list[datetime.date]:
    """The first day of every period from the one holding ``start`` to the
    one holding ``end`` (no queries)."""
    result = []
    day = period_start(start, period)
    while day <= end:
        result.append(day)
        day = next_period(day, period)
    return result


def _as_date(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value  # type: ignore[no-any-return]


# --- Rows from counts (shared by the one-query functions and ``compute``) ----------


def _category_rows(groups: Iterable[tuple[Any, Any, int]]) -> list[Row]:
    """(code, name, count) in the order shown."""
    return [Row(str(code), f"{code} {name}", n) for code, name, n in groups]


def _guideline_rows(groups: Iterable[tuple[Any, Any, int]]) -> list[Row]:
    """(number, name, count) in the order shown; number None: none given."""
    return [
        Row(
            str(number or ""),
            f"{number} {name}" if number is not None else _("No guideline given"),
            n,
        )
        for number, name, n in groups
    ]


def _clause_rows(groups: Iterable[tuple[Any, Any, Any, Any, Any, int]]) -> list[Row]:
    """(agreement, clause key, guideline number, clause number, heading,
    count) in the order shown: the same clause across the guideline's
    versions counted together (its stable key within the agreement), under
    the label of its first row."""
    rows: dict[str, list[Any]] = {}
    for agreement_id, clause_key, guideline_number, number, heading, n in groups:
        key = f"{agreement_id}:{clause_key}" if clause_key else ""
        label = (
            f"{guideline_number or ''} · {number} {heading}".strip(" ·")
            if key
            else str(_("No clause given"))
        )
        if key in rows:
            rows[key][2] += n
        else:
            rows[key] = [key, label, n]
    return [Row(key, label, n) for key, label, n in rows.values()]


def _routine_rows(groups: Iterable[tuple[Any, Any, Any, int]]) -> list[Row]:
    """(routine id, number, title, count) in the order shown."""
    return [
        Row(
            str(routine_id or ""),
            f"{number} {title}".strip() if routine_id is not None else _("No routine given"),
            n,
        )
        for routine_id, number, title, n in groups
    ]


def _section_point_rows(groups: Iterable[tuple[Any, int]]) -> list[Row]:
    names = dict(SECTION_6_2_POINTS)
    return [
        Row(str(point or ""), str(names.get(point, _("No point given"))), n) for point, n in groups
    ]


def _consequence_rows(counts: dict[Any, int]) -> list[Row]:
    return [
        Row(value, str(label), counts.get(value, 0))
        for value, label in Deviation.Consequence.choices
    ]


def _direction(reporter_kind: str, receiver_kind: str) -> str:
    """``services.direction`` from the two parties' kinds."""
    kommune = Organisation.Kind.KOMMUNE
    if reporter_kind == kommune and receiver_kind == kommune:
        return KOMMUNE_KOMMUNE
    if reporter_kind == kommune:
        return KOMMUNE_HF
    if receiver_kind == kommune:
        return HF_KOMMUNE
    return OTHER


def _direction_rows(counts: dict[str, int]) -> list[Row]:
    labels = direction_labels()
    # The three directions always (0 when none); "other" only when it occurs.
    return [
        Row(key, labels[key], counts.get(key, 0))
        for key in (KOMMUNE_HF, HF_KOMMUNE, KOMMUNE_KOMMUNE, OTHER)
        if key != OTHER or counts.get(OTHER)
    ]


def _region_rows(per_party: dict[tuple[int, int], int]) -> list[Row]:
    """Counts per (partnership, reporting party) summed per region of the
    party (one query, none without counts)."""
    regions = regions_of(per_party)
    totals: dict[str | None, int] = {}
    for pair, n in per_party.items():
        region = regions.get(pair)
        totals[region] = totals.get(region, 0) + n
    return [
        Row(region or "", region or _("No region"), n)
        for region, n in sorted(totals.items(), key=lambda item: (item[0] is None, item[0] or ""))
    ]


def _mean_days(mean: Any) -> float | None:
    if isinstance(mean, datetime.timedelta):
        return mean.total_seconds() / 86400
    if mean is not None:  # microseconds on some backends
        return float(mean) / 1_000_000 / 86400
    return None


# --- Breakdowns (one query each) ---------------------------------------------------


def trend(
    deviations: QuerySet[Deviation], period: str, start: datetime.date, end: datetime.date
) -> list[Row]:
    """Count per month, quarter or year, with empty periods as 0 (one query)."""
    counts = {
        period_start(_as_date(row["bucket"]), period): row["n"]
        for row in deviations.annotate(bucket=TRUNC[period]("submitted_at"))
        .values("bucket")
        .annotate(n=Count("id"))
        .order_by("bucket")
    }
    return [
        Row(day.isoformat(), period_label(day, period), counts.get(day, 0))
        for day in periods_between(start, end, period)
    ]


def _grouped(deviations: QuerySet[Deviation], *fields: str) -> list[tuple[Any, ...]]:
    """(*fields, count) per group, ordered by the fields."""
    return [
        (*(r[f] for f in fields), r["n"])
        for r in deviations.values(*fields).annotate(n=Count("id")).order_by(*fields)
    ]


def by_category(deviations: QuerySet[Deviation]) -> list[Row]:
    return _category_rows(
        (code, name, n)
        for _position, code, name, n in _grouped(
            deviations, "category__position", "category__code", "category__name"
        )
    )


def by_guideline(deviations: QuerySet[Deviation]) -> list[Row]:
    return _guideline_rows(_grouped(deviations, "guideline__number", "guideline__name"))


def by_clause(deviations: QuerySet[Deviation]) -> list[Row]:
    """Per clause of a guideline, the same clause across the guideline's
    versions counted together (its stable key within the agreement)."""
    return _clause_rows(
        _grouped(
            deviations,
            "clause__agreement_version__agreement_id",
            "clause__key",
            "guideline__number",
            "clause__number",
            "clause__heading",
        )
    )


def by_routine(deviations: QuerySet[Deviation]) -> list[Row]:
    return _routine_rows(
        (routine_id, number, title, n)
        for number, title, routine_id, n in _grouped(
            deviations, "routine__number", "routine__title", "routine_id"
        )
    )


def by_section_point(deviations: QuerySet[Deviation]) -> list[Row]:
    return _section_point_rows(_grouped(deviations, "section_point"))


def by_reporting_party(deviations: QuerySet[Deviation]) -> list[Row]:
    return [
        Row(str(pk), name, n)
        for name, pk, n in _grouped(
            deviations, "reporting_organisation__name", "reporting_organisation_id"
        )
    ]


def by_receiving_party(deviations: QuerySet[Deviation]) -> list[Row]:
    return [
        Row(str(pk), name, n)
        for name, pk, n in _grouped(
            deviations, "receiving_organisation__name", "receiving_organisation_id"
        )
    ]


def direction_expression() -> Case:
    """``services.direction`` in SQL: kommune → HF, HF → kommune, kommune → kommune."""
    kommune = Organisation.Kind.KOMMUNE
    reporter = Q(reporting_organisation__kind=kommune)
    receiver = Q(receiving_organisation__kind=kommune)
    return Case(
        When(reporter & receiver, then=Value(KOMMUNE_KOMMUNE)),
        When(reporter, then=Value(KOMMUNE_HF)),
        When(receiver, then=Value(HF_KOMMUNE)),
        default=Value(OTHER),
        output_field=CharField(),
    )


def by_direction(deviations: QuerySet[Deviation]) -> list[Row]:
    return _direction_rows(
        {
            r["direction"]: r["n"]
            for r in deviations.annotate(direction=direction_expression())
            .values("direction")
            .annotate(n=Count("id"))
        }
    )


def regions_of(pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], str | None]:
    """(partnership, organisation) → the name of the organisation's region in
    that partnership, from its current participation (one query)."""
    pairs = set(pairs)
    if not pairs:
        return {}
    result: dict[tuple[int, int], str | None] = {}
    rows = (
        Participation.objects.current()
        .filter(
            partnership_id__in={p for p, _o in pairs},
            organisation_id__in={o for _p, o in pairs},
        )
        .order_by("valid_from")
        .values_list("partnership_id", "organisation_id", "region__name")
    )
    for partnership_id, organisation_id, region in rows:
        result[(partnership_id, organisation_id)] = region
    return result


def by_region(deviations: QuerySet[Deviation]) -> list[Row]:
    """By the reporting party's region: counted per reporting party in the
    database, then summed per region (two queries; a correlated subquery per
    row was twenty times slower on PostgreSQL with 200,000 deviations)."""
    return _region_rows(
        {
            (r["partnership_id"], r["reporting_organisation_id"]): r["n"]
            for r in deviations.values("partnership_id", "reporting_organisation_id").annotate(
                n=Count("id")
            )
        }
    )


def by_consequence(deviations: QuerySet[Deviation]) -> list[Row]:
    return _consequence_rows({value: n for value, n in _grouped(deviations, "consequence")})


def summary(deviations: QuerySet[Deviation], today: datetime.date | None = None) -> Summary:
    """Totals, time to answer (mean days from submitted to first answer) and
    answers within the deadline, in one query."""
    day = today or timezone.localdate()
    answered = Q(first_answered_at__isnull=False)
    figures = deviations.aggregate(
        total=Count("id"),
        answered=Count("id", filter=answered),
        in_time=Count(
            "id",
            filter=answered & Q(first_answered_at__date__lte=F("response_deadline")),
        ),
        mean=Avg(
            ExpressionWrapper(
                F("first_answered_at") - F("submitted_at"), output_field=DurationField()
            ),
            filter=answered,
        ),
        overdue=Count(
            "id",
            filter=Q(status__in=Deviation.OPEN_STATUSES, response_deadline__lt=day),
        ),
    )
    return Summary(
        total=figures["total"],
        answered=figures["answered"],
        answered_in_time=figures["in_time"],
        mean_days_to_answer=_mean_days(figures["mean"]),
        open_overdue=figures["overdue"],
    )


BREAKDOWNS = (
    "category",
    "guideline",
    "clause",
    "routine",
    "section_point",
    "reporting_party",
    "receiving_party",
    "direction",
    "region",
    "consequence",
)
BREAKDOWN_FUNCTIONS = {
    "category": by_category,
    "guideline": by_guideline,
    "clause": by_clause,
    "routine": by_routine,
    "section_point": by_section_point,
    "reporting_party": by_reporting_party,
    "receiving_party": by_receiving_party,
    "direction": by_direction,
    "region": by_region,
    "consequence": by_consequence,
}


# --- All figures from one reading of the rows -------------------------------------

ZERO, ONE = Value(0), Value(1)
# The columns each breakdown is counted by (``DETAILS``) or needs the
# parties for (``BY_PARTIES``).
DETAILS = {
    "category": ("category_id",),
    "guideline": ("guideline_id",),
    "clause": ("clause_id", "guideline_id"),
    "routine": ("routine_id",),
    "section_point": ("section_point",),
    "consequence": ("consequence",),
}
BY_PARTIES = frozenset({"reporting_party", "receiving_party", "direction", "region"})
PARTIES = ("partnership_id", "reporting_organisation_id", "receiving_organisation_id")


class MicrosecondsBetween(Func):
    """Whole microseconds from ``start`` to ``end`` as an integer in SQL.
    Django's duration arithmetic calls Python for every row on SQLite; here
    SQLite counts whole seconds with ``julianday`` (exact once rounded: its
    date functions work in milliseconds) and adds the digits after the
    point as stored."""

    output_field = BigIntegerField()
    arity = 2

    def _sides(self, compiler: Any) -> tuple[str, tuple[Any, ...], str, tuple[Any, ...]]:
        (end, end_params), (start, start_params) = (
            compiler.compile(e) for e in self.get_source_expressions()
        )
        return end, tuple(end_params), start, tuple(start_params)

    def as_postgresql(
        self, compiler: Any, connection: Any, **extra_context: Any
    ) -> tuple[str, tuple[Any, ...]]:
        end, end_params, start, start_params = self._sides(compiler)
        sql = f"ROUND(DATE_PART('epoch', {end} - {start}) * 1000000)::bigint"
        return sql, (*end_params, *start_params)

    def as_sqlite(
        self, compiler: Any, connection: Any, **extra_context: Any
    ) -> tuple[str, tuple[Any, ...]]:
        end, end_params, start, start_params = self._sides(compiler)
        sql = (
            f"CAST(ROUND((julianday(substr({end}, 1, 19)) - julianday(substr({start}, 1, 19)))"
            f" * 86400) AS INTEGER) * 1000000 + (substr({end}, 21) - substr({start}, 21))"
        )
        return sql, (*end_params, *start_params, *end_params, *start_params)


def period_index(bounds: list[datetime.datetime], low: int = 0, high: int | None = None) -> Case:
    """The index of the period ``submitted_at`` falls in, given the first
    instant of every period after the first: a binary search in SQL (five
    comparisons for two years of months), exact in any time zone because the
    instants are the periods' starts in the current one."""
    high = len(bounds) if high is None else high
    if low == high:
        return Value(low)  # type: ignore[return-value]
    middle = (low + high + 1) // 2
    return Case(
        When(submitted_at__lt=bounds[middle - 1], then=period_index(bounds, low, middle - 1)),
        default=period_index(bounds, middle, high),
        output_field=IntegerField(),
    )


def answered_in_time(vendor: str) -> Case:
    """1 when the first answer came on or before the deadline day (local
    time), as ``first_answered_at__date__lte=F("response_deadline")``. On
    SQLite that date is computed in Python for every row; since the local
    day starts less than 24 hours from midnight UTC, an answer before the
    deadline day in UTC is in time and one from two days after it is late,
    and only those in between are asked."""
    whens = [When(first_answered_at__isnull=True, then=ZERO)]
    if vendor == "sqlite":
        two_days_after = Func(
            F("response_deadline"), Value("+2 days"), function="date", output_field=DateField()
        )
        whens += [
            When(first_answered_at__lt=F("response_deadline"), then=ONE),
            When(first_answered_at__gte=two_days_after, then=ZERO),
        ]
    whens.append(When(first_answered_at__date__lte=F("response_deadline"), then=ONE))
    return Case(*whens, default=ZERO)


@dataclass
class Counts:
    """What one reading of the rows gives: counts per period, per detail
    column and per (partnership, reporter, receiver), and the summary."""

    database: str
    per_period: dict[int, int]
    details: dict[str, dict[Any, int]]
    per_parties: dict[tuple[int, int, int], int]
    summary: Summary | None

    def column(self, name: str) -> dict[Any, int]:
        return self.details.get(name, {})

    def in_database_order(self, counts: dict[Any, int], ordered: Iterable[Any]) -> list[Any]:
        """The keys of ``counts`` as ``ORDER BY`` put them before: in the order
        of ``ordered`` (looked up ordered in the database, for its
        collation), None first or last as the database sorts NULL."""
        keys = [key for key in ordered if key in counts]
        if None in counts:
            last = connections[self.database].features.nulls_order_largest
            keys = [*keys, None] if last else [None, *keys]
        return keys

    @cached_property
    def guidelines(self) -> dict[int, tuple[int, str]]:
        """Number and name of the guidelines counted, in ``number, name``
        order (one query)."""
        ids = {g for g in self.column("guideline_id") if g is not None}
        ids |= {g for _c, g in self.column("clause_id") if g is not None}
        if not ids:
            return {}
        return {
            pk: (number, name)
            for pk, number, name in Guideline.objects.filter(pk__in=ids)
            .order_by("number", "name")
            .values_list("pk", "number", "name")
        }

    @cached_property
    def organisations(self) -> dict[int, tuple[str, str]]:
        """Name and kind of the parties counted, in ``name, id`` order (one query)."""
        ids = {r for _p, r, _v in self.per_parties} | {v for _p, _r, v in self.per_parties}
        if not ids:
            return {}
        return {
            pk: (name, kind)
            for pk, name, kind in Organisation.objects.filter(pk__in=ids)
            .order_by("name", "pk")
            .values_list("pk", "name", "kind")
        }


def count_all(
    scoped: QuerySet[Deviation],
    bounds: list[datetime.datetime],
    breakdowns: Iterable[str],
    *,
    with_summary: bool,
    today: datetime.date | None = None,
) -> Counts:
    """Count ``scoped`` per period, per column of the breakdowns and per
    parties, and its summary, in one query that reads the rows once
    (:mod:`deviations.grouping`)."""
    vendor = connections[scoped.db].vendor
    day = today or timezone.localdate()
    annotated = scoped.annotate(stat_period=period_index(bounds))
    per_period_keys = ["stat_period"]
    if with_summary:
        annotated = annotated.annotate(
            stat_answered=Case(When(first_answered_at__isnull=False, then=ONE), default=ZERO),
            stat_in_time=answered_in_time(vendor),
            stat_overdue=Case(
                When(status__in=Deviation.OPEN_STATUSES, response_deadline__lt=day, then=ONE),
                default=ZERO,
            ),
            stat_microseconds=MicrosecondsBetween(F("first_answered_at"), F("submitted_at")),
        )
        per_period_keys += ["stat_answered", "stat_in_time", "stat_overdue"]
    breakdowns = set(breakdowns)
    detail_columns = tuple(
        dict.fromkeys(c for name in DETAILS if name in breakdowns for c in DETAILS[name])
    )
    key_sets: dict[str, tuple[str, ...]] = {"period": tuple(per_period_keys)}
    if detail_columns:
        key_sets["details"] = detail_columns
    if breakdowns & BY_PARTIES:
        key_sets["parties"] = PARTIES
    groups = grouped(
        annotated,  # type: ignore[arg-type]
        key_sets,
        total="stat_microseconds" if with_summary else None,
    )

    per_period: dict[int, int] = {}
    total = answered = in_time = overdue = microseconds = 0
    for row in groups["period"]:
        index, n = row[0], row[-2]
        per_period[index] = per_period.get(index, 0) + n
        if with_summary:
            _index, is_answered, is_in_time, is_overdue, n, summed = row
            total += n
            answered += n if is_answered else 0
            in_time += n if is_in_time else 0
            overdue += n if is_overdue else 0
            microseconds += int(summed or 0)
    details: dict[str, dict[Any, int]] = {}
    for row in groups.get("details", []):
        values, n = dict(zip(detail_columns, row, strict=False)), row[-2]
        for name in DETAILS:
            if name not in breakdowns:
                continue
            columns = DETAILS[name]
            key = values[columns[0]] if len(columns) == 1 else tuple(values[c] for c in columns)
            counts = details.setdefault(columns[0], {})
            counts[key] = counts.get(key, 0) + n
    per_parties = {(p, r, v): n for p, r, v, n, _summed in groups.get("parties", [])}
    return Counts(
        database=scoped.db,
        per_period=per_period,
        details=details,
        per_parties=per_parties,
        summary=Summary(
            total=total,
            answered=answered,
            answered_in_time=in_time,
            mean_days_to_answer=microseconds / answered / 1_000_000 / 86400 if answered else None,
            open_overdue=overdue,
        )
        if with_summary
        else None,
    )


def _category_from(counts: Counts) -> list[Row]:
    per_category = counts.column("category_id")
    if not per_category:
        return []
    merged: dict[tuple[Any, ...], int] = {}
    for pk, position, code, name in (
        DeviationCategory.objects.filter(pk__in=per_category)
        .order_by("position", "code", "name")
        .values_list("pk", "position", "code", "name")
    ):
        merged[(position, code, name)] = merged.get((position, code, name), 0) + per_category[pk]
    return _category_rows((code, name, n) for (_position, code, name), n in merged.items())


def _guideline_from(counts: Counts) -> list[Row]:
    per_guideline = counts.column("guideline_id")
    guidelines = counts.guidelines
    return _guideline_rows(
        (*(guidelines[pk] if pk is not None else (None, None)), per_guideline[pk])
        for pk in counts.in_database_order(per_guideline, guidelines)
    )


def _clause_from(counts: Counts) -> list[Row]:
    """Ordered as ``by_clause``: by agreement and clause key, then the
    deviation's guideline number, then clause number and heading."""
    per_pair = counts.column("clause_id")
    clause_ids = {c for c, _g in per_pair if c is not None}
    clauses = (
        list(
            Clause.objects.filter(pk__in=clause_ids)
            .order_by("agreement_version__agreement_id", "key", "number", "heading")
            .values_list("pk", "agreement_version__agreement_id", "key", "number", "heading")
        )
        if clause_ids
        else []
    )
    # A clause's place: that of the first clause with its agreement and key
    # (the database's order, for its collation), then its own.
    first: dict[tuple[Any, Any], int] = {}
    place = {}
    for rank, (pk, agreement_id, key, _number, _heading) in enumerate(clauses):
        place[pk] = (first.setdefault((agreement_id, key), rank), rank)
    labels = {
        pk: (agreement_id, key, number, heading)
        for pk, agreement_id, key, number, heading in clauses
    }
    numbers = {pk: number for pk, (number, _name) in counts.guidelines.items()}
    nulls_last = connections[counts.database].features.nulls_order_largest
    edge = float("inf") if nulls_last else float("-inf")

    def order(pair: tuple[Any, Any]) -> tuple[Any, ...]:
        clause_id, guideline_id = pair
        number = numbers.get(guideline_id)
        group, rank = place[clause_id] if clause_id is not None else (edge, 0)
        return (group, number is None if nulls_last else number is not None, number or 0, rank)

    return _clause_rows(
        (
            *(labels[c][:2] if c is not None else (None, None)),
            numbers.get(g),
            *(labels[c][2:] if c is not None else (None, None)),
            per_pair[(c, g)],
        )
        for c, g in sorted(per_pair, key=order)
    )


def _routine_from(counts: Counts) -> list[Row]:
    per_routine = counts.column("routine_id")
    ids = [pk for pk in per_routine if pk is not None]
    routines = (
        {
            pk: (number, title)
            for pk, number, title in Routine.objects.filter(pk__in=ids)
            .order_by("number", "title", "pk")
            .values_list("pk", "number", "title")
        }
        if ids
        else {}
    )
    return _routine_rows(
        (pk, *(routines[pk] if pk is not None else (None, None)), per_routine[pk])
        for pk in counts.in_database_order(per_routine, routines)
    )


def _section_point_from(counts: Counts) -> list[Row]:
    per_point = counts.column("section_point")
    points = sorted(p for p in per_point if p is not None)
    return _section_point_rows(
        (p, per_point[p]) for p in counts.in_database_order(per_point, points)
    )


def _party_from(counts: Counts, side: int) -> list[Row]:
    per_party: dict[int, int] = {}
    for parties, n in counts.per_parties.items():
        per_party[parties[side]] = per_party.get(parties[side], 0) + n
    organisations = counts.organisations
    return [
        Row(str(pk), organisations[pk][0], per_party[pk]) for pk in organisations if pk in per_party
    ]


def _direction_from(counts: Counts) -> list[Row]:
    kinds = {pk: kind for pk, (_name, kind) in counts.organisations.items()}
    per_direction: dict[str, int] = {}
    for (_p, reporter, receiver), n in counts.per_parties.items():
        key = _direction(kinds[reporter], kinds[receiver])
        per_direction[key] = per_direction.get(key, 0) + n
    return _direction_rows(per_direction)


def _region_from(counts: Counts) -> list[Row]:
    per_party: dict[tuple[int, int], int] = {}
    for (partnership_id, reporter, _receiver), n in counts.per_parties.items():
        key = (partnership_id, reporter)
        per_party[key] = per_party.get(key, 0) + n
    return _region_rows(per_party)


ROWS_FROM_COUNTS = {
    "category": _category_from,
    "guideline": _guideline_from,
    "clause": _clause_from,
    "routine": _routine_from,
    "section_point": _section_point_from,
    "reporting_party": lambda counts: _party_from(counts, 1),
    "receiving_party": lambda counts: _party_from(counts, 2),
    "direction": _direction_from,
    "region": _region_from,
    "consequence": lambda counts: _consequence_rows(counts.column("consequence")),
}


def compute(
    deviations: QuerySet[Deviation],
    *,
    period: str = MONTH,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    breakdowns: Iterable[str] = BREAKDOWNS,
    with_summary: bool = True,
) -> Statistics:
    """All the figures of the statistics page, the same as the functions
    above give one by one, from one query that reads the rows once
    (:func:`count_all`), then at most one query each for the names of the
    categories, guidelines, clauses, routines and parties counted and one
    for the regions: at most 7 queries, fewer when a breakdown has nothing
    to name. ``start``/``end`` default to the last 24 months."""
    if start is None or end is None:
        default_start, default_end = default_range()
        start, end = start or default_start, end or default_end
    breakdowns = tuple(breakdowns)
    periods = periods_between(start, end, period)
    counts = count_all(
        in_range(deviations, start, end),
        [start_of_day(day) for day in periods[1:]],
        breakdowns,
        with_summary=with_summary,
    )
    return Statistics(
        period=period,
        start=start,
        end=end,
        summary=counts.summary,
        trend=[
            Row(day.isoformat(), period_label(day, period), counts.per_period.get(index, 0))
            for index, day in enumerate(periods)
        ],
        breakdowns={name: ROWS_FROM_COUNTS[name](counts) for name in breakdowns},
    )


# --- Public statistics: suppression ------------------------------------------------


def public_figure(count: int) -> str:
    """A count as published, by the application's one rule for small numbers
    (:mod:`core.disclosure`): 0 as 0, 1–4 as "<5", everything else rounded
    to the nearest 5. Because no exact figure is published, a suppressed
    count cannot be recovered by subtracting the others from a total, not
    even from the total of another table that covers the same deviations."""
    return disclosure.rounded_count(count)
