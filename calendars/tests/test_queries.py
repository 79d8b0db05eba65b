"""The feeds and pages use a fixed number of queries, whatever the number of
meetings, seats or councils."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from calendars import services
from calendars.tests.conftest import council, events
from councils import services as council_services
from councils.models import Appointment, Council
from partnerships.models import Partnership

PINNED_ANONYMOUS = {
    # partnership by slug, the councils
    "/hnt/helsefellesskap/kalender/": 2,
    # partnership by slug, the council, its meetings
    "/hnt/helsefellesskap/kalender/asu.ics": 3,
    # the link with its person, the meetings with council and partnership
    # joined (seats and joint meetings as subqueries); the day of use is
    # written on the first fetch of the day only
    "{feed}": 2,
}

# A logged-in, two-factor-verified secretariat member: session, user, OTP
# device, the person's link, and the session save that moves the idle timeout
# on (savepoint, update, release inside the test's transaction).
PINNED_SARA = {"/kalender/": 7}


def _grow(people: Any) -> None:
    """More meetings in Lena's councils (ASU's own and joint ones), another
    seat for her, and more councils."""
    hnt = Partnership.objects.get(slug="hnt")
    asu, psu = council("asu"), council("psu")
    start = timezone.now() + datetime.timedelta(days=30)
    for i in range(12):
        when = start + datetime.timedelta(days=3 * i)
        council_services.plan_meeting(asu, starts_at=when, title=f"Ekstra {i}")
        council_services.plan_meeting(psu, starts_at=when, joint_with=[asu])
    Appointment.objects.create(council=council("fagrad-eldre"), person=people.lena, role="deputy")
    for i in range(5):
        Council.objects.create(
            partnership=hnt, slug=f"nettverk-{i}", kind="network", name=f"Nettverk {i}"
        )


@pytest.mark.parametrize("url", list(PINNED_ANONYMOUS))
def test_feeds_pin_their_query_count(people: Any, url: str, django_assert_num_queries: Any) -> None:
    target = url.format(feed=f"/kalender/{services.create_token(people.lena)}.ics")
    client = Client()
    assert client.get(target).status_code == 200
    with django_assert_num_queries(PINNED_ANONYMOUS[url]):
        client.get(target)


@pytest.mark.parametrize("url", list(PINNED_ANONYMOUS))
def test_feeds_do_not_grow_with_meetings(people: Any, url: str) -> None:
    target = url.format(feed=f"/kalender/{services.create_token(people.lena)}.ics")
    client = Client()
    client.get(target)
    with CaptureQueriesContext(connection) as before:
        first = client.get(target)
    _grow(people)
    with CaptureQueriesContext(connection) as after:
        second = client.get(target)
    assert second.status_code == 200
    assert len(after) == len(before), [q["sql"] for q in after.captured_queries]
    # The growth reached the answer.
    assert len(second.content) > len(first.content)
    if url.endswith(".ics") or url == "{feed}":
        assert len(events(second)) > len(events(first))


@pytest.mark.parametrize("url", list(PINNED_SARA))
def test_the_management_page_pins_its_query_count(
    as_person: Any, people: Any, url: str, django_assert_num_queries: Any
) -> None:
    services.create_token(people.sara)
    client = as_person("sara")
    assert client.get(url).status_code == 200
    with django_assert_num_queries(PINNED_SARA[url]):
        client.get(url)
