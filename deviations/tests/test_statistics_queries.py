"""The statistics page and the exports use a fixed number of queries,
whatever the number of deviations."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from deviations.models import DeviationConfig, Guideline
from deviations.tests.test_statistics import build_dataset, make_deviation, org, trust
from partnerships.models import Partnership

# Every page for a logged-in, two-factor-verified secretariat member costs:
#   session, user, OTP device (django-otp), partnership by slug,
#   partnership roles + memberships of the person (PartnershipAccess),
#   and the session save that moves the idle timeout on (savepoint, update,
#   release inside the test's transaction)  = 9
BASE = 9
RANGE = "?period=quarter&start=2024-01-01&end=2026-12-31"
PINNED = {
    # + every count in one query (statistics.count_all: summary, trend and
    #   all breakdowns), then the names of what it counted: the categories,
    #   the guidelines, the parties (for both parties and the direction) and
    #   the regions of the reporting parties (4); the clauses and routines
    #   cost one each when a deviation names one (none here)
    # + the form taking a trend to a council: the routines and guidelines
    #   with their counts over two years (2) and the councils (1)
    "/hnt/intern/avvik/statistikk/": BASE + 8,
    "/hnt/intern/avvik/statistikk/" + RANGE: BASE + 8,
    # + the councils for the form's choices and the default council (ASU)
    "/hnt/intern/avvik/kvartalsrapport/": BASE + 2,
}
# The public page: partnership by slug, the config, every count in one query
# (trend, category, parties), then the names of the categories, the parties
# (their kind gives the direction) and the regions.
PUBLIC = 6


def _build(people: SimpleNamespace, hnt: Partnership) -> None:
    """The 2025 data set, and one deviation reported today that names a
    guideline: the pages show the last 24 months by default, and an empty
    breakdown saves a query, so the default view needs every breakdown
    filled whatever day the suite runs (in 2028 the 2025 data is out of it)."""
    build_dataset(people, hnt)
    today = timezone.localdate().isoformat()
    guideline = Guideline.objects.get(partnership=hnt, number=91)
    make_deviation(
        hnt,
        people.nils,
        org("5007"),
        trust(hnt),
        "A",
        guideline=guideline,
        point=3,
        submitted=today,
    )


def _grow(people: SimpleNamespace, hnt: Partnership) -> None:
    for i in range(12):
        make_deviation(
            hnt,
            people.nils,
            org("5007"),
            trust(hnt),
            "ABCDE"[i % 5],
            submitted=f"2025-{i % 12 + 1:02d}-15",
            answered=f"2025-{i % 12 + 1:02d}-20" if i % 2 else None,
        )


@pytest.mark.parametrize("url", list(PINNED))
def test_statistics_pages_pin_their_query_count(
    as_person: Any,
    people: SimpleNamespace,
    hnt: Partnership,
    url: str,
    django_assert_num_queries: Any,
) -> None:
    _build(people, hnt)
    client = as_person("sara")
    assert client.get(url).status_code == 200
    with django_assert_num_queries(PINNED[url]):
        client.get(url)


@pytest.mark.parametrize("url", [*PINNED, "/hnt/intern/avvik/eksport.xlsx"])
def test_statistics_pages_do_not_grow_with_their_rows(
    as_person: Any, people: SimpleNamespace, hnt: Partnership, url: str
) -> None:
    build_dataset(people, hnt)
    client = as_person("sara")
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        first = client.get(url)
    _grow(people, hnt)
    with CaptureQueriesContext(connection) as after:
        second = client.get(url)
    assert second.status_code == 200
    assert len(after) == len(before), [q["sql"] for q in after.captured_queries]
    if "statistikk" in url and "start" in url:
        assert second.content != first.content


def test_the_public_statistics_pin_their_query_count(
    client: Any, people: SimpleNamespace, hnt: Partnership, django_assert_num_queries: Any
) -> None:
    _build(people, hnt)
    DeviationConfig.objects.update_or_create(partnership=hnt, defaults={"public_statistics": True})
    client.get("/hnt/helsefellesskap/avvik/")
    with django_assert_num_queries(PUBLIC):
        client.get("/hnt/helsefellesskap/avvik/")
    _grow(people, hnt)
    with django_assert_num_queries(PUBLIC):
        assert client.get("/hnt/helsefellesskap/avvik/").status_code == 200
