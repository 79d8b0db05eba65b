"""A meeting that is moved shows up moved in every feed: the same event
(UID), at its new time and place, with a higher SEQUENCE, so calendar
programs replace it instead of adding a second one (RFC 5545, 3.8.7.4)."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from calendars.tests.conftest import council, events, fetch, personal_url, uid
from councils import services as council_services
from councils.models import Appointment, Meeting

OSLO = ZoneInfo(settings.TIME_ZONE)
# Far from any date the demo or the test clocks use.
START = datetime.datetime(2031, 3, 6, 9, 0, tzinfo=OSLO)
MOVED = datetime.datetime(2031, 3, 13, 10, 30, tzinfo=OSLO)


def _move(meeting: Meeting, by: Any) -> Meeting:
    return council_services.update_meeting(
        meeting,
        {
            "starts_at": MOVED,
            "ends_at": MOVED + datetime.timedelta(hours=2),
            "location": "Levanger",
        },
        by=by,
        version=meeting.version,
    )


@pytest.mark.parametrize("feed", ["public", "personal"])
def test_a_moved_meeting_is_the_same_event_at_its_new_time(people: Any, feed: str) -> None:
    psu = council("psu")
    meeting = council_services.plan_meeting(
        psu, starts_at=START, ends_at=START + datetime.timedelta(hours=3), location="Steinkjer"
    )
    meeting = council_services.change_meeting_status(
        meeting, Meeting.Status.NOTICE_PUBLISHED, meeting.version
    )
    if feed == "public":
        url = "/hnt/helsefellesskap/kalender/psu.ics"
    else:
        seat = Appointment.objects.current().filter(council=psu).select_related("person").first()
        assert seat is not None
        url = personal_url(seat.person)
    before = events(fetch(url))[uid(meeting)]
    assert before.decoded("dtstart") == START

    _move(meeting, people.sara)

    after = events(fetch(url))
    assert uid(meeting) in after  # the same event, not a second one
    moved = after[uid(meeting)]
    assert moved.decoded("dtstart") == MOVED
    assert moved.decoded("dtend") == MOVED + datetime.timedelta(hours=2)
    assert str(moved["location"]).startswith("Levanger")
    assert moved.sequence > before.sequence


def test_an_unchanged_save_leaves_the_sequence_alone(people: Any) -> None:
    meeting = council_services.plan_meeting(council("asu"), starts_at=START, location="Steinkjer")
    url = "/hnt/helsefellesskap/kalender/asu.ics"
    before = events(fetch(url))[uid(meeting)].sequence
    council_services.update_meeting(
        meeting, {"location": "Steinkjer"}, by=people.sara, version=meeting.version
    )
    assert events(fetch(url))[uid(meeting)].sequence == before
