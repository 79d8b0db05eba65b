"""The representation pages use a fixed number of queries, whatever the
number of rounds, answers, seats or decisions."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from councils.models import Appointment
from councils.services import appoint, followup_from_decision
from representation import services
from representation.tests.conftest import (
    by_number,
    hf,
    hold,
    make_meeting,
    member_of,
    open_round,
    seat_of,
)

# A page for a logged-in, two-factor-verified secretariat member costs 9
# (session, user, OTP device, partnership, roles + memberships, and the
# session save: savepoint, update, release); for Hanne, who needs no second
# factor, the device query is replaced by the check of whether she needs one.
BASE_SARA = 9
BASE_HANNE = 9
PINNED = {
    # + the rounds asking Sara, with the constituency test and her answer as
    #   subqueries
    ("sara", "/hnt/intern/representasjon/innspill/"): BASE_SARA + 1,
    # + the meeting, its joint councils, the seats, the rounds with answer
    #   counts, the report-backs, the constituency sizes
    ("sara", "/hnt/intern/representasjon/mote/{up}/"): BASE_SARA + 6,
    # + the round with meeting, council, seat and case; the answers with
    #   authors and organisations; the agenda; the constituency size
    ("hanne", "/hnt/intern/representasjon/innspill/{round}/"): BASE_HANNE + 4,
    # + the meeting, the seat with person, party and region, the saved
    #   report-back, the joint councils, and the draft: items with cases and
    #   decisions, the decisions' follow-ups (the content type is cached; a
    #   seat on behalf of a party needs no query for its organisations)
    ("hanne", "/hnt/intern/representasjon/mote/{past}/tilbakemelding/{seat}/"): BASE_HANNE + 6,
    # + seats, sizes, upcoming meetings, open rounds, held meetings, their
    #   joint councils, report-backs, rounds and report-backs to her
    ("hanne", "/hnt/intern/representasjon/"): BASE_HANNE + 9,
    # + the council, its meetings, the current representing seats, the
    #   rounds with answer counts, the report-backs counted per meeting
    ("sara", "/hnt/intern/representasjon/rad/asu/"): BASE_SARA + 5,
}


def _setup(people: Any) -> dict[str, Any]:
    up = make_meeting(people, 20)
    past = make_meeting(people, -10)
    hold(people, past)
    input_round = open_round(people.hanne, up.meeting)
    services.save_answer(input_round, author=people.sara, text="Første svar")
    return {"up": up, "past": past, "round": input_round}


def _target(url: str, made: dict[str, Any], people: Any) -> str:
    return url.format(
        up=made["up"].meeting.pk,
        past=made["past"].meeting.pk,
        round=made["round"].pk,
        seat=seat_of(people.hanne).pk,
    )


def _grow(people: Any, made: dict[str, Any]) -> None:
    """More rounds asking Sara, more answers, seats and decisions' follow-ups."""
    up, past = made["up"], made["past"]
    for i in range(4):
        extra = make_meeting(people, 30 + i)
        services.save_answer(open_round(people.hanne, extra.meeting), author=people.sara, text="x")
    for i in range(5):
        services.save_answer(
            made["round"], author=member_of(hf(), f"Kollega {i}"), text=f"Svar {i}"
        )
    asu = up.meeting.council
    for i in range(4):
        person = member_of(by_number("5006"), f"Nytt medlem {i}")
        appoint(asu, person=person, role=Appointment.Role.MEMBER, on_behalf_of_organisation=hf())
    for case in past.cases.values():
        decision = past.meeting.treatments.get(case=case).decision
        followup_from_decision(
            decision,
            title=f"Oppfølging {case.number}",
            by=people.sara,
            responsible_organisation=hf(),
        )


@pytest.mark.parametrize(("who", "url"), list(PINNED))
def test_pages_pin_their_query_count(
    as_person: Any, people: Any, who: str, url: str, django_assert_num_queries: Any
) -> None:
    made = _setup(people)
    target = _target(url, made, people)
    client = as_person(who)
    assert client.get(target).status_code == 200
    with django_assert_num_queries(PINNED[(who, url)]):
        client.get(target)


@pytest.mark.parametrize(("who", "url"), list(PINNED))
def test_pages_do_not_grow_with_their_rows(as_person: Any, people: Any, who: str, url: str) -> None:
    made = _setup(people)
    target = _target(url, made, people)
    client = as_person(who)
    client.get(target)
    with CaptureQueriesContext(connection) as before:
        first = client.get(target)
    _grow(people, made)
    with CaptureQueriesContext(connection) as after:
        second = client.get(target)
    assert second.status_code == 200
    assert len(after) == len(before), [q["sql"] for q in after.captured_queries]
    assert len(second.content) > len(first.content)
