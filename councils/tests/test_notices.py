"""Council events e-mail the seats: links only, never case titles."""

from __future__ import annotations

import datetime
from typing import Any

from django.core import mail
from django.utils import timezone

from councils import services
from councils.models import Appointment, Case, Council, Meeting
from notifications.models import Notification

M = Meeting.Status
K = Notification.Kind


def _planned_meeting_with_exempt_case() -> tuple[Meeting, Case]:
    council = Council.objects.get(partnership__slug="hnt", slug="psu")
    meeting = services.plan_meeting(
        council, starts_at=timezone.now() + datetime.timedelta(days=30), title="Ekstramøte"
    )
    case = Case.objects.get(
        partnership__slug="hnt", title__startswith="Avtale om legevaktsamarbeid"
    )
    services.add_to_agenda(meeting, case, "decision")
    return meeting, case


def _seat_emails(meeting: Meeting) -> set[str]:
    return set(
        Appointment.objects.current()
        .filter(council=meeting.council)
        .values_list("person__email", flat=True)
    )


def test_publishing_the_notice_e_mails_every_seat_a_link(
    people: Any, django_capture_on_commit_callbacks: Any
) -> None:
    meeting, case = _planned_meeting_with_exempt_case()
    with django_capture_on_commit_callbacks(execute=True):
        services.change_meeting_status(meeting, M.NOTICE_PUBLISHED, meeting.version)
    recorded = Notification.objects.filter(
        kind=K.NOTICE_PUBLISHED, path__endswith=f"/moter/{meeting.pk}/"
    )
    assert set(recorded.values_list("user__email", flat=True)) == _seat_emails(meeting)
    assert mail.outbox
    for message in mail.outbox:
        assert f"/hnt/intern/rad/moter/{meeting.pk}/" in message.body
        assert case.title not in message.body and case.title not in message.subject


def test_changed_papers_after_the_notice_e_mail_the_seats(people: Any) -> None:
    meeting, case = _planned_meeting_with_exempt_case()
    services.update_case(case, {"assessment": "Ny vurdering"}, case.version)
    assert not Notification.objects.filter(kind=K.PAPERS_CHANGED).exists()  # not out yet
    meeting = services.change_meeting_status(meeting, M.NOTICE_PUBLISHED, meeting.version)
    case.refresh_from_db()
    services.update_case(case, {"assessment": "Enda en vurdering"}, case.version)
    changed = Notification.objects.filter(kind=K.PAPERS_CHANGED)
    assert set(changed.values_list("user__email", flat=True)) == _seat_emails(meeting)
    headline = changed.first().headline  # type: ignore[union-attr]
    assert case.number in headline and case.title not in headline


def test_drafted_minutes_ask_the_seats_to_approve(people: Any) -> None:
    from councils.tests.test_minutes import _held_meeting, _record_everything

    meeting = _held_meeting()
    _record_everything(meeting, people.sara)
    services.change_meeting_status(meeting, M.MINUTES_DRAFTED, meeting.version)
    asked = Notification.objects.filter(kind=K.MINUTES_FOR_APPROVAL)
    assert asked.exists()
    assert set(asked.values_list("path", flat=True)) == {
        f"/hnt/intern/rad/moter/{meeting.pk}/protokoll/"
    }
