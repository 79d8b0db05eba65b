"""Review reminders: links only, once when the review comes due and once
when it is overdue, per review date; nobody twice."""

from __future__ import annotations

import datetime
import io
from typing import Any

from django.core.management import call_command
from django.utils import timezone

from notifications.models import Notification
from partnerships.models import Partnership
from routines import services
from routines.models import Routine, RoutineReview
from routines.tests.factory import in_force, levanger, make

KIND = Notification.Kind.ROUTINE_REVIEW
DAY = datetime.timedelta(days=1)


def _due_in(routine: Routine, days: int) -> datetime.date:
    """In force so that its review (every 24 months) falls ``days`` from
    today; the review date."""
    start = services.add_months(timezone.localdate() + datetime.timedelta(days=days), -24)
    in_force(routine, "1", start, text="<p>Hemmelig rutinetekst som ikke sendes.</p>")
    routine.refresh_from_db()
    assert routine.next_review is not None
    return routine.next_review


def _told(routine: Routine) -> dict[str, list[str]]:
    """Who was told about the routine: e-mail → headlines."""
    found: dict[str, list[str]] = {}
    for n in Notification.objects.filter(
        kind=KIND, path=f"/hnt/intern/rutiner/{routine.pk}/"
    ).select_related("user"):
        found.setdefault(n.user.email, []).append(n.headline)
    return found


def test_a_review_coming_due_is_reminded_once_and_again_once_overdue(
    hnt: Partnership, people: Any
) -> None:
    routine = make(hnt, "Test: Påminnelse", "test-paminnelse", party=levanger(),
                   responsible=people.nils)  # fmt: skip
    due = _due_in(routine, 20)
    today = timezone.localdate()
    assert services.send_reminders(today - datetime.timedelta(days=20)) >= 0  # not yet due
    assert _told(routine) == {}
    services.send_reminders(today)
    told = _told(routine)
    # The responsible person and Levanger's coordinator; nobody else.
    assert set(told) == {people.nils.email, people.lena.email}
    headline = told[people.lena.email][0]
    assert "Test: Påminnelse" in headline and "Hemmelig" not in headline
    Notification.objects.filter(kind=KIND).update(sent_at=timezone.now())  # e-mailed
    # The same day again, and the days after until it is due: nobody again.
    for day in (today, today + DAY, due):
        services.send_reminders(day)
    assert sum(len(v) for v in _told(routine).values()) == 2
    # Overdue: once more, then no more.
    services.send_reminders(due + DAY)
    assert sum(len(v) for v in _told(routine).values()) == 4
    Notification.objects.filter(kind=KIND).update(sent_at=timezone.now())
    services.send_reminders(due + 8 * DAY)
    assert sum(len(v) for v in _told(routine).values()) == 4


def test_a_review_first_seen_overdue_is_reminded_once(hnt: Partnership, people: Any) -> None:
    routine = make(hnt, "Test: Forsinket", "test-forsinket")  # ASU's, nobody responsible
    _due_in(routine, -5)
    today = timezone.localdate()
    services.send_reminders(today)
    told = _told(routine)
    # A council's routine: those who manage routines (secretariat, administrator).
    assert set(told) == {people.sara.email, people.ada.email}
    Notification.objects.filter(kind=KIND).update(sent_at=timezone.now())
    services.send_reminders(today + DAY)
    assert sum(len(v) for v in _told(routine).values()) == 2


def test_a_recorded_review_starts_a_new_period(hnt: Partnership, people: Any) -> None:
    routine = make(hnt, "Test: Ny periode", "test-ny-periode", responsible=people.nils)
    _due_in(routine, -5)
    today = timezone.localdate()
    services.send_reminders(today)
    Notification.objects.filter(kind=KIND).update(sent_at=timezone.now())
    services.record_review(
        routine,
        reviewed_on=today,
        outcome=RoutineReview.Outcome.UNCHANGED,
        next_review=today + datetime.timedelta(days=10),
        by=people.nils,
    )
    services.send_reminders(today)
    headlines = _told(routine)[people.nils.email]
    assert len(headlines) == 2


def test_the_command_runs_daily_without_repeating(hnt: Partnership, people: Any) -> None:
    routine = make(hnt, "Test: Kommando", "test-kommando", responsible=people.nils)
    _due_in(routine, 3)
    out = io.StringIO()
    call_command("send_routine_reminders", stdout=out)
    assert "Reminded about" in out.getvalue()
    call_command("send_routine_reminders", stdout=out)
    assert out.getvalue().splitlines()[-1].startswith("Reminded about 0 routine(s)")
    assert people.nils.email in _told(routine)
