"""The demo partnership's two years of deviations: built once (idempotent),
believable (both directions, 15–30 a month, consistent times and statuses),
and free of identity numbers (bulk inserts skip the pre_save guard, so the
texts are checked here)."""

from __future__ import annotations

import datetime
import time
from collections import Counter
from typing import Any

import pytest
import time_machine
from django.db.models import F, Q
from django.utils import timezone

from core.identity_numbers import find_identity_numbers
from core.tests.report import report_figure
from core.workdays import deadline_after, is_working_day
from deviations import services
from deviations.demo import GUIDELINES, build_deviations_demo
from deviations.models import (
    Deviation,
    DeviationCategory,
    DeviationConfig,
    DeviationCounter,
    DeviationMessage,
    Guideline,
    PartyReporting,
)
from partnerships.models import Organisation

S = Deviation.Status


def _hnt(hnt: Any) -> Any:
    return Deviation.objects.filter(partnership=hnt)


def test_the_demo_is_built_once(hnt: Any) -> None:
    before = (
        _hnt(hnt).count(),
        DeviationMessage.objects.count(),
        DeviationCategory.objects.filter(partnership=hnt).count(),
        Guideline.objects.filter(partnership=hnt).count(),
        list(DeviationCounter.objects.filter(partnership=hnt).values_list("year", "last")),
    )
    assert before[0] > 400
    assert build_deviations_demo() == 0
    after = (
        _hnt(hnt).count(),
        DeviationMessage.objects.count(),
        DeviationCategory.objects.filter(partnership=hnt).count(),
        Guideline.objects.filter(partnership=hnt).count(),
        list(DeviationCounter.objects.filter(partnership=hnt).values_list("year", "last")),
    )
    assert after == before


def test_it_is_the_same_data_on_every_run_and_takes_little_time(hnt: Any) -> None:
    now = timezone.now()
    first = list(_hnt(hnt).values_list("description", "consequence", "status"))
    _hnt(hnt).delete()
    DeviationCounter.objects.filter(partnership=hnt).delete()
    started = time.perf_counter()
    added = build_deviations_demo(now)
    elapsed = time.perf_counter() - started
    report_figure("deviations demo: rows / seconds", f"{added} / {elapsed:.2f}")
    again = list(_hnt(hnt).values_list("description", "consequence", "status"))
    _hnt(hnt).delete()
    DeviationCounter.objects.filter(partnership=hnt).delete()
    assert build_deviations_demo(now) == added
    assert list(_hnt(hnt).values_list("description", "consequence", "status")) == again
    # The session's demo was built with another "now", but the same seed.
    assert len(first) == len(again)


def test_configuration(hnt: Any) -> None:
    assert list(
        DeviationCategory.objects.filter(partnership=hnt).values_list("code", flat=True)
    ) == ["A", "B", "C", "D", "E"]
    assert [
        (g.number, g.name) for g in Guideline.objects.filter(partnership=hnt).order_by("number")
    ] == GUIDELINES
    assert DeviationConfig.objects.filter(partnership=hnt).exists()
    # Verdal lets all members report; the other parties keep the default.
    assert list(
        PartyReporting.objects.filter(partnership=hnt, members_may_report=True).values_list(
            "organisation__name", flat=True
        )
    ) == ["Verdal kommune"]


def test_both_directions_and_between_kommuner(hnt: Any) -> None:
    rows = _hnt(hnt).select_related("reporting_organisation", "receiving_organisation")
    directions = Counter(services.direction(d) for d in rows)
    total = sum(directions.values())
    assert set(directions) == {"kommune_hf", "hf_kommune", "kommune_kommune"}
    assert directions["kommune_hf"] > directions["hf_kommune"] > directions["kommune_kommune"]
    assert directions["kommune_kommune"] >= 0.02 * total
    assert len({d.reporting_organisation_id for d in rows}) > 15


@pytest.mark.parametrize(
    "moment",
    [
        "2026-12-04T12:00:00+01:00",  # early in a month: the named parties' month
        "2026-12-31T23:30:00+01:00",  # New Year's Eve
        "2027-01-01T00:05:00+01:00",  # just after midnight on the first
        "2028-02-29T12:00:00+01:00",  # a leap day
        "2026-10-25T02:30:00+02:00",  # the first 02:30 of the autumn clock change
    ],
)
def test_two_years_of_15_to_30_a_month(hnt: Any, moment: str) -> None:
    now = datetime.datetime.fromisoformat(moment)
    _hnt(hnt).delete()
    DeviationCounter.objects.filter(partnership=hnt).delete()
    with time_machine.travel(now, tick=False):
        assert build_deviations_demo() > 400
        today = timezone.localdate()
    submitted = [timezone.localtime(d) for d in _hnt(hnt).values_list("submitted_at", flat=True)]
    assert max(submitted) <= now
    per_month = Counter((d.year, d.month) for d in submitted)
    current = (today.year, today.month)
    full = {month: n for month, n in per_month.items() if month != current}
    assert len(full) == 24
    assert all(15 <= n <= 30 for n in full.values()), full
    # Seasonal: the winter months have more than the spring.
    winter = sum(n for (_y, m), n in full.items() if m in (1, 2))
    spring = sum(n for (_y, m), n in full.items() if m in (4, 5))
    assert winter > spring
    assert min(submitted) < now - datetime.timedelta(days=700)


def test_times_and_statuses_are_consistent(hnt: Any) -> None:
    now = timezone.now()
    rows = list(_hnt(hnt))
    statuses = Counter(d.status for d in rows)
    assert S.DRAFT not in statuses
    assert statuses[S.CLOSED] > 0.7 * len(rows)
    for status in (S.SUBMITTED, S.RECEIVED, S.IN_PROGRESS, S.ANSWERED):
        assert statuses[status] > 0, status
    for d in rows:
        assert d.submitted_at is not None and d.occurred_at <= d.submitted_at <= now
        assert d.number and d.year == timezone.localtime(d.submitted_at).year
        # 21 days, moved off a weekend or public holiday to the next working day.
        assert d.response_deadline == deadline_after(timezone.localtime(d.submitted_at).date(), 21)
        assert is_working_day(d.response_deadline)
        if d.status == S.SUBMITTED:
            assert d.received_at is None and d.answered_at is None
        else:
            assert d.received_at is not None and d.submitted_at <= d.received_at <= now
        if d.status in (S.ANSWERED, S.CLOSED):
            assert d.answered_at is not None and d.first_answered_at is not None
            assert d.received_at <= d.first_answered_at <= d.answered_at <= now  # type: ignore[operator]
            assert d.answer_cause and d.answer_measures
        else:
            assert d.answered_at is None and not d.answer_cause
        if d.status == S.CLOSED:
            assert d.closed_at is not None and d.answered_at <= d.closed_at <= now  # type: ignore[operator]
        else:
            assert d.closed_at is None
    answered = [d for d in rows if d.first_answered_at]
    in_time = sum(
        1
        for d in answered
        if timezone.localtime(d.first_answered_at).date() <= d.response_deadline  # type: ignore[arg-type,operator]
    )
    assert 0.55 < in_time / len(answered) < 0.95
    overdue = [d for d in rows if d.is_overdue()]
    assert 2 <= len(overdue) <= 25


def test_new_reports_continue_the_numbering(hnt: Any) -> None:
    year = timezone.localdate().year
    highest = max(_hnt(hnt).filter(year=year).values_list("sequence", flat=True))
    assert DeviationCounter.objects.get(partnership=hnt, year=year).last == highest
    assert _hnt(hnt).filter(year=year, sequence__gt=0).count() == highest


def test_the_named_parties_have_work_to_do(hnt: Any, people: Any) -> None:
    levanger = Organisation.objects.get(municipality_number="5037")
    hf = Organisation.objects.get(name="Helse Nord-Trøndelag HF")
    open_ = _hnt(hnt).filter(status__in=Deviation.OPEN_STATUSES)
    assert open_.filter(reporting_organisation=levanger).count() >= 2
    assert open_.filter(receiving_organisation=levanger).count() >= 2
    assert open_.filter(receiving_organisation=hf).count() >= 5
    assert _hnt(hnt).filter(status=S.ANSWERED, reporting_organisation=levanger).exists()
    today = timezone.localdate()
    assert open_.filter(receiving_organisation=hf, response_deadline__lt=today).exists()
    assert open_.filter(receiving_organisation=levanger, response_deadline__lt=today).exists()
    assert _hnt(hnt).filter(reported_by=people.lena).exists()


def test_some_have_a_dialogue_between_the_two_parties(hnt: Any) -> None:
    messages = DeviationMessage.objects.filter(deviation__partnership=hnt)
    assert messages.count() >= 20
    assert not messages.exclude(
        Q(organisation=F("deviation__reporting_organisation"))
        | Q(organisation=F("deviation__receiving_organisation"))
    ).exists()
    assert not messages.filter(created__lt=F("deviation__submitted_at")).exists()


def test_no_identity_numbers_and_no_names_in_any_text(hnt: Any, people: Any) -> None:
    fields = [
        "description",
        "immediate_measures",
        "suggested_improvement",
        "answer_cause",
        "answer_measures",
        "receiving_unit",
        "assigned_unit",
        "external_reference",
    ]
    texts = [t for row in _hnt(hnt).values_list(*fields) for t in row]
    texts += list(
        DeviationMessage.objects.filter(deviation__partnership=hnt).values_list("text", flat=True)
    )
    assert not [t for t in texts if find_identity_numbers(t)]
    first_names = {"Sara", "Ada", "Lena", "Nils", "Hanne", "Stine", "Siri", "Tor", "Petter"}
    assert not [t for t in texts if set(t.replace(",", " ").split()) & first_names]
    # Varied: many different descriptions.
    assert len(set(_hnt(hnt).values_list("description", flat=True))) > 100
