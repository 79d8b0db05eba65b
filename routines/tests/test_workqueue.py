"""Reviews due or overdue in the work queue: the responsible person, the
owner party's coordinators and leaders, and the secretariat for a council's
routine; one query, however many routines."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partnerships import workqueue
from partnerships.access import PartnershipAccess
from partnerships.models import Partnership
from routines import services
from routines.models import Routine
from routines.tests.factory import draft, in_force, levanger, make

KIND = "routine_review"


def _queue(person: Any) -> workqueue.WorkQueue:
    access = PartnershipAccess.for_user(Partnership.objects.get(slug="hnt"), person)
    return workqueue.collect(access, person)


def _titles(person: Any) -> dict[str, workqueue.Line]:
    return {line.title: line for line in _queue(person).todo if line.kind == KIND}


def _due_in(routine: Routine, days: int) -> None:
    """In force so that the review (every 24 months) is ``days`` from today."""
    today = timezone.localdate()
    in_force(routine, "1", services.add_months(today + datetime.timedelta(days=days), -24))
    routine.refresh_from_db()
    # add_months keeps the day where the month has it: off by a day or two at most.
    assert abs((routine.next_review - today).days - days) <= 3  # type: ignore[operator]


def test_the_review_waits_for_the_right_people(hnt: Partnership, people: Any) -> None:
    party = make(hnt, "Test: Levangers gjennomgang", "test-lev", party=levanger())
    _due_in(party, -10)
    owned = make(hnt, "Test: ASUs gjennomgang", "test-asu", responsible=people.nils)
    _due_in(owned, 12)
    later = make(hnt, "Test: Senere gjennomgang", "test-senere", party=levanger())
    _due_in(later, 90)
    party_name, owned_name = str(party), str(owned)

    lena = _titles(people.lena)  # Levanger's coordinator
    assert party_name in lena and owned_name not in lena and str(later) not in lena
    assert lena[party_name].late is True
    assert lena[party_name].url == f"/hnt/intern/rutiner/{party.pk}/"
    nils = _titles(people.nils)  # responsible for ASU's routine
    assert owned_name in nils and party_name not in nils and nils[owned_name].late is False
    sara = _titles(people.sara)  # the secretariat: the council's routines
    assert owned_name in sara and party_name not in sara
    for key in ("hanne", "stine", "kai"):
        titles = _titles(getattr(people, key))
        assert party_name not in titles and owned_name not in titles, key


def test_a_routine_with_nothing_in_force_waits_for_nobody(hnt: Partnership, people: Any) -> None:
    routine = make(hnt, "Test: Bare utkast", "test-utkast", party=levanger())
    draft(routine, "1")
    Routine.objects.filter(pk=routine.pk).update(next_review=timezone.localdate())
    assert str(routine) not in _titles(people.lena)


def _count(person: Any) -> int:
    access = PartnershipAccess.for_user(Partnership.objects.get(slug="hnt"), person)
    with CaptureQueriesContext(connection) as queries:
        list(workqueue._SOURCES.items())  # discovered before counting
        from routines.workqueue import routine_reviews

        list(
            routine_reviews(workqueue.Context(access, person, timezone.localdate(), timezone.now()))
        )
    return len(queries)


def test_one_query_however_many_routines(hnt: Partnership, people: Any) -> None:
    before = {key: _count(getattr(people, key)) for key in ("lena", "sara", "stine")}
    assert before == {"lena": 1, "sara": 1, "stine": 1}
    for n in range(workqueue.LIMIT + 2):
        _due_in(make(hnt, f"Test: Mange {n}", f"test-mange-{n}", party=levanger()), n - 3)
    assert {key: _count(getattr(people, key)) for key in before} == before
    queue = _queue(people.lena)
    cut = [group for group in queue.more if group.kind == KIND]
    assert len([line for line in queue.todo if line.kind == KIND]) == workqueue.LIMIT
    assert cut and cut[0].more >= 2 and cut[0].more_url == "/hnt/intern/rutiner/"
