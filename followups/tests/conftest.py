"""Follow-ups the tests share, made through the public service."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from followups.models import FollowUp
from followups.services import create_followup
from partnerships.models import Organisation, Partnership


def levanger() -> Organisation:
    return Organisation.objects.get(municipality_number="5037")


def namsos() -> Organisation:
    return Organisation.objects.get(municipality_number="5007")


def make_followup(people: Any, **overrides: Any) -> FollowUp:
    values: dict[str, Any] = {
        "partnership": Partnership.objects.get(slug="hnt"),
        "title": "Felles rutine for utskrivning",
        "by": people.sara,
        "origin": FollowUp.Origin.DECISION,
        "origin_group": "ASU",
        "source_label": "ASU · møte 12.03.2026 · sak 26/004",
        "responsible_organisation": levanger(),
        "deadline": timezone.localdate() + datetime.timedelta(days=30),
        "description": "Lag et utkast og send det på høring.",
        **overrides,
    }
    return create_followup(**values)


@pytest.fixture
def levanger_followup(people: Any) -> FollowUp:
    return make_followup(people)


@pytest.fixture(autouse=True)
def _without_demo_followups(request: pytest.FixtureRequest) -> None:
    """These tests count and list follow-ups from a clean slate: the demo's
    own follow-ups (made by councils.demo) are removed first."""
    if "people" in request.fixturenames:
        request.getfixturevalue("people")
        FollowUp.objects.all().delete()
