"""E-mail notices about meetings and papers, through :mod:`notifications`.

The headline names only the meeting (council and date, which are public) and
at most a case number: never a case title, which may be exempt from public
access. The link goes to the internal meeting page, where each person sees
what they may see.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from councils.models import Appointment, Case, Meeting
from notifications.models import Notification
from notifications.services import notify

K = Notification.Kind
# Meetings whose papers are out but not yet dealt with.
PAPERS_OUT = (Meeting.Status.NOTICE_PUBLISHED,)


def seat_holders(meeting: Meeting) -> list[User]:
    """Who is told when the notice is published (for the confirmation)."""
    return _seat_holders(meeting)


def _seat_holders(meeting: Meeting) -> list[User]:
    """Everyone with a seat in the meeting's council(s) on the day (one query)."""
    councils = [meeting.council_id, *meeting.joint_with.values_list("pk", flat=True)]
    seats = (
        Appointment.objects.current(timezone.localtime(meeting.starts_at).date())
        .filter(council_id__in=councils, person__is_active=True)
        .select_related("person")
    )
    people = {seat.person_id: seat.person for seat in seats}
    return list(people.values())


def _path(meeting: Meeting) -> str:
    return reverse("councils:meeting", args=[meeting.council.partnership.slug, meeting.pk])


def notify_notice_published(meeting: Meeting) -> int:
    """Tell the seats that the notice and papers are out."""
    return notify(
        K.NOTICE_PUBLISHED,
        _seat_holders(meeting),
        partnership=meeting.council.partnership,
        headline=str(meeting),
        path=_path(meeting),
    )


def notify_meeting_changed(meeting: Meeting) -> int:
    """Tell the seats that a meeting whose notice is out has changed (time,
    place or details): the notice they have is out of date. The headline
    gives the council and the new time, both public."""
    when = timezone.localtime(meeting.starts_at)
    return notify(
        K.MEETING_CHANGED,
        _seat_holders(meeting),
        partnership=meeting.council.partnership,
        headline=_("%(council)s %(when)s: the meeting was changed")
        % {"council": meeting.council, "when": f"{when:%d.%m.%Y %H:%M}"},
        path=_path(meeting),
    )


def notify_minutes_for_approval(meeting: Meeting) -> int:
    """Tell the seats that drafted minutes await approval."""
    return notify(
        K.MINUTES_FOR_APPROVAL,
        _seat_holders(meeting),
        partnership=meeting.council.partnership,
        headline=str(meeting),
        path=reverse("councils:minutes", args=[meeting.council.partnership.slug, meeting.pk]),
    )


def notify_papers_changed(case: Case) -> int:
    """Tell the seats of each meeting with this case on a published agenda."""
    meetings = Meeting.objects.filter(treatments__case=case, status__in=PAPERS_OUT).select_related(
        "council__partnership"
    )
    sent = 0
    for meeting in meetings:
        sent += notify(
            K.PAPERS_CHANGED,
            _seat_holders(meeting),
            partnership=meeting.council.partnership,
            headline=_("%(meeting)s, case %(number)s")
            % {"meeting": meeting, "number": case.number},
            path=_path(meeting),
        )
    return sent
