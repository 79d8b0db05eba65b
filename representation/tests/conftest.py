"""Meetings, seats and rounds the representation tests share, made through
the real services. Dates are relative to today, so the tests hold any day."""

from __future__ import annotations

import datetime
import uuid
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.models import User
from councils import services as council_services
from councils.models import Appointment, Council, Meeting
from partnerships.models import Membership, Organisation
from representation import services
from representation.models import InputRound

ZONE = ZoneInfo(settings.TIME_ZONE)


def asu() -> Council:
    return Council.objects.get(partnership__slug="hnt", slug="asu")


def seat_of(person: Any, council: Council | None = None) -> Appointment:
    return Appointment.objects.current().get(council=council or asu(), person=person)


def at(days: int) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return datetime.datetime(day.year, day.month, day.day, 9, 0, tzinfo=ZONE)


def make_meeting(people: Any, days: int, council: Council | None = None) -> SimpleNamespace:
    """A meeting ``days`` from today with a public, a partnership-internal, a
    council-internal and an exempt case on its agenda."""
    council = council or asu()
    meeting = council_services.plan_meeting(council, starts_at=at(days), title=f"Testmøte {days}")
    cases = {}
    variants: list[tuple[str, str, dict[str, Any]]] = [
        ("public", "public", {}),
        ("internal", "partnership", {}),
        ("council", "council", {}),
        (
            "restricted",
            "restricted",
            {"public_title": "Forhandlinger (unntatt)", "legal_basis": "offentleglova § 23"},
        ),
    ]
    for key, visibility, extra in variants:
        case, _created = council_services.create_case(
            council=council,
            title=f"Sak {key} {days} HEMMELIG-TITTEL"
            if key in ("council", "restricted")
            else f"Sak {key} {days}",
            by=people.sara,
            visibility=visibility,
            proposed_decision=f"Forslag {key}",
            **extra,
        )
        council_services.add_to_agenda(meeting, case, "decision")
        cases[key] = case
    return SimpleNamespace(meeting=meeting, cases=cases)


def hold(people: Any, made: SimpleNamespace) -> Meeting:
    """Hold the meeting and decide every case with a text that must not leak
    from internal ones."""
    meeting = made.meeting
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.HELD)
    meeting.refresh_from_db()
    for key, case in made.cases.items():
        item = meeting.treatments.select_related("case", "meeting").get(case=case)
        council_services.record_decision(
            item,
            adopted_as_recommended=False,
            adopted_text=f"VEDTAKSTEKST-{key.upper()}",
            by=people.sara,
        )
    return meeting


def open_round(person: Any, meeting: Meeting, **kwargs: Any) -> InputRound:
    values: dict[str, Any] = {
        "meeting": meeting,
        "deadline": services.meeting_day(meeting) - datetime.timedelta(days=1),
        "message": "Hva mener dere om sakene?",
        "by": person,
        **kwargs,
    }
    if "appointment" not in values:
        values["appointment"] = seat_of(person)
    return services.open_input_round(**values)


def member_of(organisation: Organisation, name: str) -> User:
    user = User.objects.create_user(
        email=f"{uuid.uuid4().hex[:8]}@test.example", full_name=name, password="x"
    )
    Membership.objects.create(user=user, organisation=organisation, role="member")
    return user


def by_number(number: str) -> Organisation:
    return Organisation.objects.get(municipality_number=number)


def hf() -> Organisation:
    return Organisation.objects.get(name="Helse Nord-Trøndelag HF")


@pytest.fixture
def upcoming(people: Any) -> SimpleNamespace:
    return make_meeting(people, 20)


@pytest.fixture
def past(people: Any) -> SimpleNamespace:
    made = make_meeting(people, -10)
    hold(people, made)
    return made
