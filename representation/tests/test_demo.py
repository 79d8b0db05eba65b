"""The demo (built once per test session) holds believable representation."""

from __future__ import annotations

from typing import Any

from representation.demo import build_representation_demo
from representation.models import InputAnswer, InputRound, ReportBack


def test_the_demo_has_rounds_answers_and_a_report_back(people: Any) -> None:
    rounds = InputRound.objects.filter(appointment__person=people.lena)
    reports = ReportBack.objects.filter(appointment__person=people.lena, reported_at__isnull=False)
    # Dates are relative to today: early in January nothing may be held yet.
    assert rounds.exists() or reports.exists()
    if rounds.exists():
        assert InputAnswer.objects.filter(round__in=rounds).count() >= 1


def test_the_demo_is_idempotent(people: Any) -> None:
    counts = (InputRound.objects.count(), InputAnswer.objects.count(), ReportBack.objects.count())
    build_representation_demo()
    after = (InputRound.objects.count(), InputAnswer.objects.count(), ReportBack.objects.count())
    assert after == counts
