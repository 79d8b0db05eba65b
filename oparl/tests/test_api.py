"""Lists as OParl 1.1 says (2.5): pages with ``data``, ``pagination`` and
``links``, a ``next`` on every page but the last, the filters on
``created``/``modified`` carried into the links; a change to an embedded
object changes its holder's ``modified``; a fixed number of queries."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import quote

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from councils import services as council_services
from councils.models import Case, Council, Decision, Meeting, Treatment
from oparl import records
from oparl.tests.crawl import pages, path_of
from tests.matrix import PEOPLE, statuses

pytestmark = pytest.mark.django_db
O = "/oparl/v1.1/body/hnt"  # noqa: E741


def _asu() -> Council:
    return Council.objects.get(partnership__slug="hnt", slug="asu")


def _more_meetings(n: int) -> None:
    start = timezone.now() + datetime.timedelta(days=400)
    for i in range(n):
        council_services.plan_meeting(_asu(), starts_at=start + datetime.timedelta(days=i))


def test_a_long_list_comes_in_pages_with_links(people: Any) -> None:
    _more_meetings(120)
    client = Client()
    first = client.get(f"{O}/meeting/").json()
    total = (
        Meeting.objects.filter(council__partnership__slug="hnt")
        .exclude(status=Meeting.Status.CANCELLED)
        .count()
    )
    assert first["pagination"] == {
        "totalElements": total,
        "elementsPerPage": records.PER_PAGE,
        "currentPage": 1,
        "totalPages": 2,
    }
    assert len(first["data"]) == 100 and "prev" not in first["links"]
    second = client.get(path_of(first["links"]["next"])).json()
    assert "next" not in second["links"] and second["links"]["prev"] == first["links"]["self"]
    ids = [m["id"] for m in first["data"] + second["data"]]
    assert len(ids) == len(set(ids)) == total  # a stable order, nothing twice
    assert client.get(f"{O}/meeting/?page=3").status_code == 404


def test_the_filters_select_by_time_and_travel_with_the_links(people: Any) -> None:
    client = Client()
    month_ago = timezone.now() - datetime.timedelta(days=30)
    Meeting.objects.update(created=month_ago, modified=month_ago)
    since = timezone.now()
    _more_meetings(105)
    address = f"{O}/meeting/?modified_since={quote(since.isoformat())}"
    page = client.get(address).json()
    assert page["pagination"]["totalElements"] == 105
    assert "modified_since=" in page["links"]["next"]
    everything = pages(client, records.url("body/hnt/meeting/") + address.split("/meeting/")[1])
    assert len(everything) == 105
    day_after = month_ago + datetime.timedelta(days=1)
    until = client.get(f"{O}/meeting/?created_until={quote(day_after.isoformat())}").json()
    assert (
        until["pagination"]["totalElements"]
        == Meeting.objects.filter(council__partnership__slug="hnt", created__lte=day_after)
        .exclude(status=Meeting.Status.CANCELLED)
        .count()
        > 0
    )


@pytest.mark.parametrize("bad", ["yesterday", "2026-01-01T10:00:00", "2026-13-01T10:00:00Z"])
def test_a_filter_that_is_not_a_time_with_a_zone_is_a_400(people: Any, bad: str) -> None:
    response = Client().get(f"{O}/paper/?created_since={quote(bad)}")
    assert response.status_code == 400
    assert "created_since" in response.json()["message"]


def test_a_decision_recorded_changes_the_meeting_that_holds_it(people: Any) -> None:
    treatment = (
        Treatment.objects.filter(
            meeting__council__partnership__slug="hnt",
            meeting__status=Meeting.Status.PUBLISHED,
            case__visibility="public",
            decision__isnull=False,
        )
        .select_related("meeting", "case")
        .first()
    )
    assert treatment is not None
    month_ago = timezone.now() - datetime.timedelta(days=30)
    Meeting.objects.update(modified=month_ago)
    Case.objects.update(modified=month_ago)
    since = timezone.now() - datetime.timedelta(seconds=1)
    decision = Decision.objects.get(treatment=treatment)
    decision.adopted_text = decision.adopted_text + " (rettet)"
    decision.save()
    client = Client()
    changed = client.get(f"{O}/meeting/?modified_since={quote(since.isoformat())}").json()
    meeting = records.url(f"body/hnt/meeting/{treatment.meeting_id}/")
    assert [m["id"] for m in changed["data"]] == [meeting]
    papers = client.get(f"{O}/paper/?modified_since={quote(since.isoformat())}").json()
    assert records.url(f"body/hnt/paper/{treatment.case_id}/") in [p["id"] for p in papers["data"]]


@pytest.mark.parametrize("name", [*records.LISTS, "body"])
def test_every_list_pins_its_queries(people: Any, name: str) -> None:
    client = Client()
    address = "/oparl/v1.1/body/" if name == "body" else f"{O}/{name}/"

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(address).status_code == 200
        return len(queries)

    before = count()
    _more_meetings(5)
    assert count() == before


CASES = [
    ("/oparl/v1.1/", 200),
    ("/oparl/v1.1/body/", 200),
    ("/oparl/v1.1/body/hnt/", 200),
    ("/oparl/v1.1/body/nobody/", 404),
    (f"{O}/meeting/", 200),
    (f"{O}/nothing/", 404),
    (f"{O}/organization/council-{{asu}}/", 200),
    (f"{O}/organization/council-0/", 404),
]


@pytest.mark.parametrize(("url", "status"), CASES, ids=[u for u, _s in CASES])
def test_oparl_permission_matrix(as_person: Any, people: Any, url: str, status: int) -> None:
    """The same answer for everyone, logged in or not."""
    got = statuses(as_person, "GET", url.format(asu=_asu().pk))
    assert got == dict.fromkeys(PEOPLE, status)
    assert statuses(as_person, "POST", "/oparl/v1.1/body/") == dict.fromkeys(PEOPLE, 405)


def test_labels_are_in_the_partnerships_language_whatever_the_client_asks(people: Any) -> None:
    client = Client()
    english = client.get(f"{O}/membership/", HTTP_ACCEPT_LANGUAGE="en").json()["data"]
    norwegian = client.get(f"{O}/membership/", HTTP_ACCEPT_LANGUAGE="nb").json()["data"]
    assert english == norwegian
    roles = {m["role"].split(",")[0] for m in english}
    assert "Medlem" in roles and "Member" not in roles
