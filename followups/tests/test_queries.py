"""The follow-up pages use a fixed number of queries, whatever the number of
follow-ups, log entries or history entries."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from followups import services
from followups.models import FollowUp
from followups.tests.conftest import levanger, make_followup, namsos
from partnerships.models import Contact

# Every page for a logged-in, two-factor-verified secretariat member costs:
#   session, user, OTP device (django-otp), partnership by slug,
#   partnership roles + memberships of the person (PartnershipAccess),
#   and the session save that moves the idle timeout on (savepoint, update,
#   release inside the test's transaction)  = 9
BASE = 9
PINNED = {
    # + parties (filter), origin groups (filter), count (pagination),
    #   one page of follow-ups with party and person joined and the newest
    #   log entry as subqueries
    "/hnt/intern/oppfolging/": BASE + 4,
    # the same with every filter set
    "/hnt/intern/oppfolging/?status=all&origin=decision&group=ASU&organisation={org}&overdue=on": (
        BASE + 4
    ),
    # + the follow-up with party, person and creator, its log with authors,
    #   its audit history, and the names the history refers to: partnership,
    #   party, responsible person, creator, source type (one query per foreign
    #   key of the model, not per entry)
    "/hnt/intern/oppfolging/{pk}/": BASE + 8,
    # + the follow-up, parties and people for the form's choices
    "/hnt/intern/oppfolging/{pk}/rediger/": BASE + 3,
    # + parties and people for the form's choices
    "/hnt/intern/oppfolging/ny/": BASE + 2,
}


def _followup(people: Any) -> FollowUp:
    """One overdue follow-up with every foreign key set, so it matches every
    filter and its history names every kind of related record."""
    followup = make_followup(
        people,
        deadline=timezone.localdate() - datetime.timedelta(days=1),
        responsible_person=people.lena,
        source=Contact.objects.get(organisation=levanger()),
        source_url="/hnt/intern/",
    )
    services.add_log_entry(followup, by=people.lena, text="Startet", progress=10)
    return followup


def _target(url: str, followup: FollowUp) -> str:
    return url.format(pk=followup.pk, org=levanger().pk)


def _grow(people: Any, followup: FollowUp) -> None:
    """Twenty more follow-ups with log entries, and more log and history on
    the first one."""
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    for i in range(20):
        other = make_followup(
            people,
            title=f"Tiltak {i}",
            origin_group=["ASU", "PSU", "Fagråd rehabilitering"][i % 3],
            responsible_organisation=[levanger(), namsos()][i % 2],
            responsible_person=[people.lena, people.nils][i % 2],
            deadline=yesterday,
        )
        for n in range(3):
            services.add_log_entry(other, by=people.sara, text=f"Notat {n}", progress=10 * n)
    for n in range(5):
        services.add_log_entry(followup, by=people.lena, text=f"Notat {n}", progress=20 + n)
    services.update_followup(
        followup,
        {"responsible_person": people.nils, "responsible_organisation": namsos()},
        expected_version=followup.version,
    )


@pytest.mark.parametrize("url", list(PINNED))
def test_followup_pages_pin_their_query_count(
    as_person: Any, people: Any, url: str, django_assert_num_queries: Any
) -> None:
    target = _target(url, _followup(people))
    client = as_person("sara")
    assert client.get(target).status_code == 200
    with django_assert_num_queries(PINNED[url]):
        client.get(target)


@pytest.mark.parametrize("url", list(PINNED))
def test_followup_pages_do_not_grow_with_their_rows(as_person: Any, people: Any, url: str) -> None:
    followup = _followup(people)
    target = _target(url, followup)
    client = as_person("sara")
    client.get(target)
    with CaptureQueriesContext(connection) as before:
        first = client.get(target)
    _grow(people, followup)
    with CaptureQueriesContext(connection) as after:
        second = client.get(target)
    assert second.status_code == 200
    assert len(after) == len(before), [q["sql"] for q in after.captured_queries]
    if "ny/" not in url and "rediger/" not in url:
        # The page really shows more than before: the growth reached it.
        assert len(second.content) > len(first.content)
