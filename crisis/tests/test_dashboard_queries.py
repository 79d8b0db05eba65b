"""The situational picture and the action cards use a fixed number of
queries, whatever the number of parties, reports, values and periods."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crisis import periods, picture, services, trends
from crisis.models import Crisis
from crisis.tests.conftest import (
    frosta,
    hf,
    hospital_values,
    kommune_values,
    levanger,
    make_crisis,
    namsos,
)
from partnerships.models import Organisation

pytestmark = pytest.mark.django_db

# Every page for a logged-in, two-factor-verified secretariat member costs:
#   session, user, OTP device (django-otp), partnership by slug,
#   partnership roles + memberships of the person (PartnershipAccess),
#   and the session save that moves the idle timeout on (savepoint, update,
#   release inside the test's transaction)  = 9
BASE = 9
# The crisis with its form and partnership (get_crisis) = 1, then the
# picture (crisis.picture): the crisis's regions, the participations, the
# parties, the regions with their areas, the form's lines, the period's
# reports, the earlier reports' levels, the declared levels, the action
# card, the key figures now and before (10); and the trends (crisis.trends):
# per indicator and item, per region, the levels per period (3)  = 14
PICTURE = 1 + 10 + 3
# A region's parties with their values: the picture with values (10 + 2)
GROUP = 1 + 10 + 2
PINNED = {
    "situasjon/": BASE + PICTURE,
    "situasjon/?region={region}&indicator=belegg": BASE + PICTURE,
    "situasjon/gruppe/{region}/": BASE + GROUP,
    "situasjon/behov/": BASE + GROUP,
    "situasjon/tabell/smittetall/": BASE + PICTURE,
    # + the action cards (1)
    "tiltakskort/": BASE + 1 + 1,
}
# A coordinator has no OTP device but is checked for a role needing one (the
# same count); the parties they report for come with their access (no query).
COORDINATOR = BASE + PICTURE


def org(number: str) -> Organisation:
    return Organisation.objects.get(municipality_number=number)


def _submit(crisis: Crisis, party: Organisation, start: datetime.date, by: Any, **kw: str) -> None:
    values = (
        hospital_values(**kw) if party.kind != Organisation.Kind.KOMMUNE else kommune_values(**kw)
    )
    # Submitted the day after the period, before it locked.
    at = timezone.make_aware(datetime.datetime.combine(start, datetime.time(12)))
    now = min(timezone.now(), at + datetime.timedelta(days=8))
    services.save_report(crisis, party, start, values, by=by, submit=True, now=now)


def _small(people: Any) -> tuple[Crisis, list[datetime.date]]:
    """A crisis of four periods; two parties report in the last."""
    crisis = make_crisis(people.sara, weeks_ago=4)
    days = periods.periods(crisis)
    _submit(crisis, levanger(), days[-1], people.lena, smittetall="5")
    _submit(crisis, namsos(), days[-1], people.nils, smittetall="6")
    return crisis, days


def _grow(crisis: Crisis, days: list[datetime.date], people: Any) -> None:
    """More parties in the last period, and every earlier period reported."""
    more = [hf(), frosta(), org("5038"), org("5035"), org("5006"), org("5060")]
    for party in more:
        _submit(crisis, party, days[-1], people.sara, smittetall="3", utfordringer="Travelt")
    for day in days[:-1]:
        for party in [levanger(), namsos(), *more]:
            _submit(crisis, party, day, people.sara, smittetall="2", behov="Folk")


def _region(crisis: Crisis) -> int:
    return picture.build(crisis, periods.reporting_period(crisis)).regions[1].key


@pytest.mark.parametrize("suffix", list(PINNED))
def test_the_pages_pin_their_query_count(
    people: Any, as_person: Any, django_assert_num_queries: Any, suffix: str
) -> None:
    crisis, _days = _small(people)
    url = f"/hnt/intern/krise/{crisis.pk}/" + suffix.format(region=_region(crisis))
    client = as_person("sara")
    assert client.get(url).status_code == 200
    with django_assert_num_queries(PINNED[suffix]):
        client.get(url)


def test_a_coordinators_picture_pins_its_query_count(
    people: Any, as_person: Any, django_assert_num_queries: Any
) -> None:
    crisis, _days = _small(people)
    client = as_person("lena")
    url = f"/hnt/intern/krise/{crisis.pk}/situasjon/"
    client.get(url)
    with django_assert_num_queries(COORDINATOR):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("suffix", list(PINNED))
def test_the_pages_do_not_grow_with_parties_and_periods(
    people: Any, as_person: Any, suffix: str
) -> None:
    crisis, days = _small(people)
    url = f"/hnt/intern/krise/{crisis.pk}/" + suffix.format(region=_region(crisis))
    client = as_person("sara")
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        first = client.get(url)
    _grow(crisis, days, people)
    with CaptureQueriesContext(connection) as after:
        second = client.get(url)
    assert second.status_code == 200
    assert len(after) == len(before), [q["sql"] for q in after.captured_queries]
    if suffix == "situasjon/" or suffix.startswith("situasjon/?"):
        assert second.context["picture"].submitted > first.context["picture"].submitted


def test_the_picture_does_not_grow_with_the_periods_of_a_longer_crisis(
    people: Any, django_assert_max_num_queries: Any
) -> None:
    short = make_crisis(people.sara, weeks_ago=1, name="Kort")
    long = make_crisis(people.sara, weeks_ago=20, name="Lang")
    for crisis in (short, long):
        for day in periods.periods(crisis):
            _submit(crisis, levanger(), day, people.lena)
            _submit(crisis, hf(), day, people.hanne)
    counts = []
    for crisis in (short, long):
        with CaptureQueriesContext(connection) as queries:
            shown = picture.build(crisis, periods.reporting_period(crisis))
            found = trends.of(shown)
        counts.append(len(queries))
        assert shown.submitted == 2
    assert counts[0] == counts[1] == 10 + 3
    assert len(found.levels) == 12
