"""The demo's year of meetings looks the same whatever day it is built: held
meetings with published minutes, each council's latest held meeting waiting
for its minutes, the next meeting with its notice out and cases on it, and
planned meetings after it. Built with the clock fixed at the days where a
calendar year breaks."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from councils.demo import build_councils_demo
from councils.models import Appointment, Case, CaseCounter, Meeting
from followups.models import FollowUp

M = Meeting.Status
MOMENTS = [
    "2026-01-01T00:30:00+01:00",
    "2026-06-15T12:00:00+02:00",
    "2026-10-25T02:30:00+02:00",
    "2026-12-04T21:00:00+01:00",
    "2026-12-31T23:30:00+01:00",
    "2028-02-29T12:00:00+01:00",
]


def _rebuild(people: Any, moment: datetime.datetime) -> datetime.date:
    # Seats too: they start the year before the demo is built, and the
    # session's demo may have been built later than ``moment``.
    Meeting.objects.filter(council__partnership__slug="hnt").delete()
    Appointment.objects.filter(council__partnership__slug="hnt").delete()
    FollowUp.objects.filter(partnership__slug="hnt", origin="decision").delete()
    Case.objects.filter(partnership__slug="hnt").delete()
    CaseCounter.objects.filter(partnership__slug="hnt").delete()
    with time_machine.travel(moment, tick=False):
        build_councils_demo(vars(people))
        return timezone.localdate()


@pytest.mark.parametrize("moment", MOMENTS)
def test_the_demo_year_looks_the_same_on_any_day(people: Any, moment: str) -> None:
    today = _rebuild(people, datetime.datetime.fromisoformat(moment))
    meetings = list(
        Meeting.objects.filter(council__partnership__slug="hnt")
        .select_related("council")
        .prefetch_related("treatments")
        .order_by("starts_at")
    )
    assert len(meetings) == 15
    for meeting in meetings:
        local = timezone.localtime(meeting.starts_at)
        assert (local.weekday(), local.hour) == (3, 9), meeting
        past = local.date() < today
        assert (meeting.status in (M.HELD, M.PUBLISHED)) == past, meeting

    def cases(meeting: Meeting) -> list[Any]:
        return [t for t in meeting.treatments.all() if t.case_id]

    notice = [m for m in meetings if m.status == M.NOTICE_PUBLISHED]
    assert len(notice) == 1 and cases(notice[0])
    assert notice[0] == next(m for m in meetings if timezone.localdate(m.starts_at) >= today)
    planned = [m for m in meetings if m.status == M.PLANNED]
    assert planned and any(cases(m) for m in planned)
    for slug in ("asu", "psu"):
        held = [m for m in meetings if m.council.slug == slug and m.status in (M.HELD, M.PUBLISHED)]
        assert any(m.status == M.PUBLISHED for m in held), slug
        latest = held[-1]
        assert latest.status == M.HELD and cases(latest), slug
    # Case numbers follow the year of the case's first meeting.
    for case in Case.objects.filter(partnership__slug="hnt").prefetch_related(
        "treatments__meeting"
    ):
        first = min(t.meeting.starts_at for t in case.treatments.all())
        assert case.year == timezone.localtime(first).year, case


def test_a_later_run_keeps_the_schedule_and_moves_the_statuses_on(people: Any) -> None:
    start = datetime.datetime.fromisoformat("2026-12-04T21:00:00+01:00")
    _rebuild(people, start)
    before = dict(
        Meeting.objects.filter(council__partnership__slug="hnt").values_list("pk", "starts_at")
    )
    cases = Case.objects.filter(partnership__slug="hnt").count()
    with time_machine.travel(start + datetime.timedelta(days=10), tick=False):
        build_councils_demo(vars(people))
    after = Meeting.objects.filter(council__partnership__slug="hnt")
    assert dict(after.values_list("pk", "starts_at")) == before
    assert Case.objects.filter(partnership__slug="hnt").count() == cases
    # The meeting that had its notice out a week ahead has now been held.
    assert not after.filter(
        status=M.NOTICE_PUBLISHED, starts_at__lt=start + datetime.timedelta(days=10)
    ).exists()
