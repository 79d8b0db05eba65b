"""The demo's routines: built with the rest of the demo, labelled, one review
overdue on the day it is built, and built once."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from routines.demo import build_routines_demo
from routines.models import Routine, RoutineReview, RoutineVersion

Status = RoutineVersion.Status


def test_the_demo_has_believable_routines(hnt: Any, people: Any) -> None:
    routines = {r.slug: r for r in Routine.objects.filter(partnership=hnt)}
    assert len(routines) == 5
    discharge = routines["utskrivning"]
    assert discharge.agreement.slug == "retningslinje-1" and discharge.clause_key == "utskrivning"
    assert discharge.owner_council is not None and discharge.responsible == people.sara
    versions = list(discharge.versions.order_by("in_force_from"))
    assert [v.status for v in versions] == [Status.REPLACED, Status.IN_FORCE]
    assert versions[1].previous == versions[0]
    assert versions[0].in_force_to is not None
    assert versions[0].in_force_to < versions[1].in_force_from  # type: ignore[operator]
    # One owned by a party, kept by its coordinator.
    local = routines["utskrivningsklare-levanger"]
    assert local.owner_party is not None and local.owner_party.name == "Levanger kommune"
    assert local.responsible == people.lena
    # Every routine has a version in force, its text labelled as demo data.
    for routine in routines.values():
        current = routine.versions.get(status=Status.IN_FORCE)
        assert "demodata" in current.text
    # A review found one in need of a revision; its draft waits.
    admission = routines["innleggelse"]
    assert admission.reviews.get().outcome == RoutineReview.Outcome.NEEDS_REVISION
    assert admission.versions.filter(status=Status.DRAFT).exists()


def test_one_review_is_overdue_on_the_day_the_demo_is_built(hnt: Any, people: Any) -> None:
    # The session's clock may have run past midnight since the build; the
    # demo's overdue review is months old, so "today" is safe.
    today = timezone.localdate()
    overdue = [r.slug for r in Routine.objects.filter(partnership=hnt) if r.is_overdue(today)]
    assert overdue == ["innleggelse"]


def test_the_demo_is_built_once(hnt: Any, people: Any) -> None:
    before = Routine.objects.count(), RoutineVersion.objects.count()
    assert build_routines_demo(vars(people)) == 0
    assert (Routine.objects.count(), RoutineVersion.objects.count()) == before
