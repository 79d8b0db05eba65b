"""``statistics.compute`` reads the rows once and folds every figure from
that one query; these tests hold it to the one-query-per-breakdown
functions (same rows, labels and order) and to a count in plain Python over
the deviations the person may see, on varied data: every party, drafts,
another partnership, clauses and routines or none, times next to the local
midnight at the start of a month and on the days the clocks change, answers
on either side of the deadline's last minute, microseconds.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agreements.models import Clause
from deviations import services, statistics
from deviations.access import handling_organisation_ids, visible_deviations
from deviations.models import Deviation, DeviationCategory, Guideline
from partnerships.access import PartnershipAccess
from partnerships.models import Organisation, Participation, Partnership
from routines.models import Routine

START, END = datetime.date(2024, 12, 1), datetime.date(2025, 6, 30)
S = Deviation.Status


def local(day: str, hour: int, minute: int = 0, micro: int = 0) -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime.combine(
            datetime.date.fromisoformat(day), datetime.time(hour, minute, 0, micro)
        )
    )


# Submitted next to the edges that matter: the first and last minute of a
# local month (22:00/23:00 UTC the day before), the nights the clocks change.
EDGES = [
    local("2024-11-30", 23, 59, 999_999),  # outside the range, by a microsecond
    local("2024-12-01", 0, 0),
    local("2024-12-31", 23, 30),
    local("2025-01-01", 0, 30),
    local("2025-03-30", 1, 30),  # before the clocks go forward
    local("2025-03-30", 3, 30),
    local("2025-03-31", 23, 59, 999_999),
    local("2025-06-30", 23, 59, 999_999),
    local("2025-07-01", 0, 0),  # outside the range
]


def build(hnt: Partnership, seed: int = 13) -> None:
    """About 150 deviations of HNT with varied fields, drafts among them, and
    some in the other partnership (written directly: the statistics only
    read the stored fields)."""
    rng = random.Random(seed)
    Deviation.objects.all().delete()
    services.ensure_categories(hnt)
    parties = services.parties(hnt)
    # The named people's parties often, every other party now and then.
    named = [o for o in parties if o.municipality_number in {"5037", "5007", "5035"}]
    named += [o for o in parties if o.kind == Organisation.Kind.HELSEFORETAK]
    pool = named * 8 + parties
    categories = list(DeviationCategory.objects.filter(partnership=hnt))
    guidelines = [*Guideline.objects.filter(partnership=hnt), None]
    clauses = [*Clause.objects.filter(agreement_version__agreement__partnership=hnt)[:6], None]
    routines = [*Routine.objects.filter(partnership=hnt), None]
    assert len(parties) > 3 and len(clauses) > 2 and len(routines) > 2
    statuses = [S.DRAFT, S.SUBMITTED, S.RECEIVED, S.IN_PROGRESS, S.ANSWERED, S.CLOSED]
    rows = []
    for i in range(150):
        reporter, receiver = rng.sample(pool, 2)
        while receiver == reporter:
            receiver = rng.choice(pool)
        status = rng.choice(statuses)
        submitted = (
            EDGES[i]
            if i < len(EDGES)
            else local("2024-11-20", 12)
            + datetime.timedelta(
                seconds=rng.randrange(240 * 86400), microseconds=rng.randrange(10**6)
            )
        )
        deadline = timezone.localtime(submitted).date() + datetime.timedelta(
            days=rng.choice([1, 14, 21])
        )
        answered = None
        if status in (S.ANSWERED, S.CLOSED) or (status == S.IN_PROGRESS and i % 3 == 0):
            # Often on the deadline's last local minutes or the next day's first.
            answered = rng.choice(
                [
                    local(deadline.isoformat(), 23, 59, 999_999),
                    local(deadline.isoformat(), 0, 0) + datetime.timedelta(days=1),
                    local(deadline.isoformat(), 22, 30),
                    submitted
                    + datetime.timedelta(days=rng.randrange(1, 40), seconds=rng.randrange(86400)),
                ]
            )
        rows.append(
            Deviation(
                partnership=hnt,
                reporting_organisation=reporter,
                receiving_organisation=receiver,
                receiving_unit="Avdeling",
                occurred_at=submitted - datetime.timedelta(hours=3),
                category=rng.choice(categories),
                guideline=rng.choice(guidelines),
                clause=rng.choice(clauses),
                routine=rng.choice(routines),
                section_point=rng.choice([None, 1, 3, 5, 13]),
                description="Generert.",
                consequence=rng.choice(Deviation.Consequence.values),
                status=status,
                created=submitted,
                submitted_at=None if status == S.DRAFT else submitted,
                first_answered_at=answered,
                answered_at=answered,
                response_deadline=None if i % 17 == 0 else deadline,
            )
        )
    stolav = Partnership.objects.get(slug="stolav")
    services.ensure_categories(stolav)
    others = services.parties(stolav)
    for i in range(10):
        rows.append(
            Deviation(
                partnership=stolav,
                reporting_organisation=others[0],
                receiving_organisation=others[1],
                receiving_unit="Avdeling",
                occurred_at=local("2025-02-01", 9),
                category=DeviationCategory.objects.filter(partnership=stolav).first(),
                description="Generert.",
                status=S.SUBMITTED,
                created=local("2025-02-01", 10),
                submitted_at=local("2025-02-01", 10) + datetime.timedelta(days=i),
                response_deadline=datetime.date(2025, 2, 20),
            )
        )
    Deviation.objects.bulk_create(rows)


def reference(seen: Any, period: str, start: datetime.date, end: datetime.date) -> dict[str, Any]:
    """The figures counted in Python, deviation by deviation."""
    low, high = (
        statistics.start_of_day(start),
        statistics.start_of_day(end + datetime.timedelta(days=1)),
    )
    rows = [
        d
        for d in seen.select_related(
            "reporting_organisation",
            "receiving_organisation",
            "category",
            "guideline",
            "clause__agreement_version",
        )
        if d.status != S.DRAFT and d.submitted_at is not None and low <= d.submitted_at < high
    ]
    regions = {
        p.organisation_id: p.region.name if p.region else ""
        for p in Participation.objects.current()
        .filter(partnership__slug="hnt")
        .select_related("region")
        .order_by("valid_from")
    }
    answered = [d for d in rows if d.first_answered_at is not None]
    days = [(d.first_answered_at - d.submitted_at).total_seconds() / 86400 for d in answered]
    per_period = Counter(
        statistics.period_start(timezone.localtime(d.submitted_at).date(), period).isoformat()
        for d in rows
    )
    direction = Counter(services.direction(d) for d in rows)
    return {
        "summary": (
            len(rows),
            len(answered),
            sum(
                1
                for d in answered
                if d.response_deadline is not None
                and timezone.localtime(d.first_answered_at).date() <= d.response_deadline
            ),
            sum(days) / len(days) if days else None,
            sum(
                1
                for d in rows
                if d.status in Deviation.OPEN_STATUSES
                and d.response_deadline is not None
                and d.response_deadline < timezone.localdate()
            ),
        ),
        "trend": {
            day.isoformat(): per_period.get(day.isoformat(), 0)
            for day in statistics.periods_between(start, end, period)
        },
        "category": Counter(d.category.code for d in rows),
        "guideline": Counter(str(d.guideline.number) if d.guideline else "" for d in rows),
        "clause": Counter(
            f"{d.clause.agreement_version.agreement_id}:{d.clause.key}" if d.clause else ""
            for d in rows
        ),
        "routine": Counter(str(d.routine_id or "") for d in rows),
        "section_point": Counter(str(d.section_point or "") for d in rows),
        "reporting_party": Counter(str(d.reporting_organisation_id) for d in rows),
        "receiving_party": Counter(str(d.receiving_organisation_id) for d in rows),
        "direction": {
            key: direction.get(key, 0)
            for key in ("kommune_hf", "hf_kommune", "kommune_kommune", "other")
            if key != "other" or direction.get(key)
        },
        "region": Counter(regions.get(d.reporting_organisation_id, "") for d in rows),
        "consequence": {
            v: sum(1 for d in rows if d.consequence == v) for v in Deviation.Consequence.values
        },
    }


def seen_by(people: SimpleNamespace, hnt: Partnership, key: str) -> Any:
    """What the statistics page counts for this person (``_seen``)."""
    access = PartnershipAccess.for_user(hnt, getattr(people, key))
    return visible_deviations(access, handling_organisation_ids(access), authored=False)


@pytest.fixture
def varied(people: SimpleNamespace, hnt: Partnership) -> None:
    build(hnt)


def assert_agrees(
    seen: Any, period: str, start: datetime.date, end: datetime.date
) -> statistics.Statistics:
    figures = statistics.compute(seen, period=period, start=start, end=end)
    expected = reference(seen, period, start, end)
    scoped = statistics.in_range(seen, start, end)
    # The same rows, labels and order as one query per breakdown ...
    assert figures.trend == statistics.trend(scoped, period, start, end)
    for name, function in statistics.BREAKDOWN_FUNCTIONS.items():
        assert figures.breakdowns[name] == function(scoped), name
    # ... and the same counts as in Python, deviation by deviation.
    assert {r.key: r.count for r in figures.trend} == expected["trend"]
    for name in statistics.BREAKDOWNS:
        assert {r.key: r.count for r in figures.breakdowns[name]} == dict(expected[name]), name
    summary = figures.summary
    assert summary is not None
    old = statistics.summary(scoped)
    assert (summary.total, summary.answered, summary.answered_in_time, summary.open_overdue) == (
        old.total,
        old.answered,
        old.answered_in_time,
        old.open_overdue,
    )
    total, answered, in_time, mean, overdue = expected["summary"]
    assert (summary.total, summary.answered, summary.answered_in_time, summary.open_overdue) == (
        total,
        answered,
        in_time,
        overdue,
    )
    if mean is None:
        assert summary.mean_days_to_answer is None and old.mean_days_to_answer is None
    else:
        assert summary.mean_days_to_answer == pytest.approx(mean, rel=1e-12)
        # The one-query mean comes back as a timedelta: whole microseconds.
        assert summary.mean_days_to_answer == pytest.approx(
            old.mean_days_to_answer, abs=1e-6 / 86400
        )
    return figures


@pytest.mark.parametrize("key", ["sara", "lena", "nils", "hanne", "siri"])
@pytest.mark.parametrize("period", ["month", "quarter", "year"])
def test_it_agrees_with_one_query_per_figure_and_with_python_for_each_viewer(
    varied: None, people: SimpleNamespace, hnt: Partnership, key: str, period: str
) -> None:
    figures = assert_agrees(seen_by(people, hnt, key), period, START, END)
    assert figures.summary is not None and figures.summary.total > 20


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (datetime.date(2025, 3, 30), datetime.date(2025, 3, 31)),  # the clocks go forward
        (datetime.date(2025, 1, 1), datetime.date(2025, 1, 1)),
        (datetime.date(2024, 12, 15), datetime.date(2025, 2, 14)),
        (datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)),  # nothing in it
    ],
)
def test_it_agrees_on_any_range(
    varied: None,
    people: SimpleNamespace,
    hnt: Partnership,
    start: datetime.date,
    end: datetime.date,
) -> None:
    assert_agrees(Deviation.objects.filter(partnership=hnt), "month", start, end)


def test_a_coordinator_never_counts_what_they_may_not_see(
    varied: None, people: SimpleNamespace, hnt: Partnership
) -> None:
    namsos = Organisation.objects.get(municipality_number="5007")
    figures = statistics.compute(seen_by(people, hnt, "nils"), start=START, end=END)
    everything = statistics.compute(Deviation.objects.filter(partnership=hnt), start=START, end=END)
    theirs = statistics.in_range(Deviation.objects.filter(partnership=hnt), START, END).filter(
        reporting_organisation=namsos
    ) | statistics.in_range(Deviation.objects.filter(partnership=hnt), START, END).filter(
        receiving_organisation=namsos
    )
    assert figures.summary is not None and everything.summary is not None
    assert 0 < figures.summary.total == theirs.count() < everything.summary.total
    # Every other party appears only as the other side of a Namsos deviation.
    reporters = {r.key: r.count for r in figures.breakdowns["reporting_party"]}
    receivers = {r.key: r.count for r in figures.breakdowns["receiving_party"]}
    assert (
        reporters.get(str(namsos.pk), 0) + receivers.get(str(namsos.pk), 0) == figures.summary.total
    )
    assert sum(r.count for r in figures.trend) == figures.summary.total


def test_the_public_figures_agree(varied: None, hnt: Partnership) -> None:
    deviations = Deviation.objects.filter(partnership=hnt)
    breakdowns = ("category", "direction", "region")
    figures = statistics.compute(
        deviations,
        period="quarter",
        start=START,
        end=END,
        breakdowns=breakdowns,
        with_summary=False,
    )
    scoped = statistics.in_range(deviations, START, END)
    assert figures.summary is None
    assert figures.trend == statistics.trend(scoped, "quarter", START, END)
    assert figures.breakdowns == {
        name: statistics.BREAKDOWN_FUNCTIONS[name](scoped) for name in breakdowns
    }


def test_it_reads_the_rows_once_and_names_what_it_counted(varied: None, hnt: Partnership) -> None:
    with CaptureQueriesContext(connection) as queries:
        statistics.compute(Deviation.objects.filter(partnership=hnt), start=START, end=END)
    # One count of everything, then the categories, guidelines, clauses,
    # routines, parties and regions by name.
    assert len(queries) == 7
    assert sum('"deviations_deviation"' in q["sql"] for q in queries.captured_queries) == 1


def test_nothing_to_see_costs_no_query(people: SimpleNamespace, hnt: Partnership) -> None:
    with CaptureQueriesContext(connection) as queries:
        figures = statistics.compute(Deviation.objects.none(), start=START, end=END)
    assert len(queries) == 0
    assert figures.summary == statistics.Summary(0, 0, 0, None, 0)
    assert [r.count for r in figures.trend] == [0] * 7
    assert figures.breakdowns["category"] == [] and figures.breakdowns["region"] == []


@pytest.mark.parametrize(
    ("answered", "in_time"),
    [
        (local("2025-03-10", 23, 59, 999_999), True),
        (local("2025-03-11", 0, 0), False),
        (local("2025-03-09", 0, 0), True),
        (local("2025-03-12", 1, 0), False),
    ],
)
def test_an_answer_in_the_deadlines_last_minute_is_in_time(
    people: SimpleNamespace, hnt: Partnership, answered: datetime.datetime, in_time: bool
) -> None:
    build(hnt)
    one = Deviation.objects.filter(partnership=hnt).exclude(status=S.DRAFT).first()
    assert one is not None
    Deviation.objects.filter(pk=one.pk).update(
        submitted_at=local("2025-03-01", 12, 0, 1),
        first_answered_at=answered,
        response_deadline=datetime.date(2025, 3, 10),
    )
    summary = statistics.compute(
        Deviation.objects.filter(pk=one.pk),
        start=datetime.date(2025, 3, 1),
        end=datetime.date(2025, 3, 1),
    ).summary
    assert summary is not None and summary.answered == 1
    assert summary.answered_in_time == (1 if in_time else 0)
    assert summary.mean_days_to_answer == pytest.approx(
        (answered - local("2025-03-01", 12, 0, 1)).total_seconds() / 86400, rel=1e-15
    )
