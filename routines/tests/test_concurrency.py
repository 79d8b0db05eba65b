"""Routines at the same moment, on PostgreSQL: two people putting two drafts
in force at once leave exactly one version in force, and two reviews
recorded at once both count without losing the review date."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection

from partnerships.models import Partnership
from routines import services
from routines.models import Routine, RoutineReview, RoutineVersion
from routines.tests.factory import draft, in_force, make
from samspill.demo import build_all
from tests.test_concurrency import _race

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="locking behaviour needs PostgreSQL"
    ),
]
D = datetime.date
Status = RoutineVersion.Status


def _routine() -> Routine:
    return make(Partnership.objects.get(slug="hnt"), "Samtidig: rutine", "samtidig-rutine")


def test_two_drafts_put_in_force_at_once_leave_one_in_force(transactional_db: Any) -> None:
    build_all()
    routine = _routine()
    in_force(routine, "2024", D(2024, 1, 1))
    a, b = draft(routine, "A"), draft(routine, "B")

    def put(version: RoutineVersion, day: D) -> Any:
        def action() -> Any:
            return services.put_in_force(version, version.version, day)

        return action

    results = _race(put(a, D(2026, 2, 1)), put(b, D(2026, 3, 1)))
    assert all(isinstance(r, (RoutineVersion, Exception)) for r in results)
    assert RoutineVersion.objects.filter(routine=routine, status=Status.IN_FORCE).count() == 1
    current = RoutineVersion.objects.get(routine=routine, status=Status.IN_FORCE)
    routine.refresh_from_db()
    assert routine.next_review == services.add_months(current.in_force_from, 24)  # type: ignore[arg-type]
    # Whoever came second saw the first one's version and replaced it, or
    # was refused for its date: nothing is left half done.
    replaced = RoutineVersion.objects.filter(routine=routine, status=Status.REPLACED)
    assert all(v.in_force_to is not None for v in replaced)


def test_the_same_draft_put_in_force_twice_at_once_is_once(transactional_db: Any) -> None:
    build_all()
    routine = _routine()
    version = draft(routine, "A")

    def put() -> Any:
        return services.put_in_force(version, 0, D(2026, 2, 1))

    results = _race(put, put)
    assert len([r for r in results if isinstance(r, RoutineVersion)]) == 1, results
    assert len([r for r in results if isinstance(r, Exception)]) == 1, results
    assert RoutineVersion.objects.get(pk=version.pk).version == 1


def test_two_reviews_at_once_are_both_recorded(transactional_db: Any) -> None:
    people = build_all()
    routine = _routine()
    in_force(routine, "2024", D(2024, 1, 1))

    def review(next_review: D) -> Any:
        def action() -> Any:
            return services.record_review(
                routine,
                reviewed_on=D(2026, 1, 10),
                outcome=RoutineReview.Outcome.UNCHANGED,
                next_review=next_review,
                by=people["sara"],
                today=D(2026, 1, 10),
            )

        return action

    results = _race(review(D(2027, 1, 10)), review(D(2028, 1, 10)))
    assert all(isinstance(r, RoutineReview) for r in results), results
    routine.refresh_from_db()
    last = RoutineReview.objects.filter(routine=routine).order_by("-pk").first()
    assert last is not None and routine.next_review == last.next_review
