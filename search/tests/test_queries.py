"""The search pages use a fixed number of queries, however many rows match."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from search.tests.conftest import World, case, decide, meeting, set_status

# Every internal page for a logged-in, two-factor-verified secretariat member
# costs: session, user, OTP device, partnership by slug, partnership roles +
# memberships of the person, and the session save (savepoint, update,
# release) = 9 (see followups/tests/test_queries.py).
BASE = 9
# The public page for an anonymous visitor: the partnership by slug.
PUBLIC_BASE = 1
# A search costs the person's seats (inside only), then one query per kind
# (case, decision, minutes): the page's rows with what the hit shows joined
# in (council, case, meeting) and the count of all matches as a window.
PINNED = {
    "/hnt/intern/sok/?q=solsikke": BASE + 1 + 3,
    # one kind: its rows with the count, and the count alone of the two
    # others (the kind links show them)
    "/hnt/intern/sok/?q=solsikke&kind=decision": BASE + 1 + 3,
    "/hnt/helsefellesskap/sok/?q=solsikke": PUBLIC_BASE + 3,
    # the empty form searches nothing
    "/hnt/intern/sok/": BASE,
}


def _client(as_person: Any, url: str) -> Any:
    return as_person("sara" if "/intern/" in url else None)


def _seed(world: World) -> None:
    """Published minutes that match too, so every kind has hits from the start."""
    set_status(meeting(world.published.council, 90, "Solsikkemøtet"), "published")


def _grow(people: Any, world: World) -> None:
    """Twenty more public cases with decisions in ten more published
    meetings, all matching "solsikke"."""
    asu = world.published.council
    for m in range(10):
        held = meeting(asu, 100 + m, f"Solsikkemøte {m}")
        for n in range(2):
            made = case(asu, f"Solsikke {m}-{n}", background="Solsikkefrø.")
            decide(held, made, f"Vedtatt solsikkevedtak {m}-{n}.", people.sara)
        set_status(held, "published")


@pytest.mark.parametrize("url", list(PINNED))
def test_search_pages_pin_their_query_count(
    as_person: Any, world: World, url: str, django_assert_num_queries: Any
) -> None:
    _seed(world)
    client = _client(as_person, url)
    assert client.get(url).status_code == 200
    with django_assert_num_queries(PINNED[url]):
        client.get(url)


@pytest.mark.parametrize("url", [u for u in PINNED if "q=" in u])
def test_search_pages_do_not_grow_with_their_rows(
    as_person: Any, people: Any, world: World, url: str
) -> None:
    _seed(world)
    client = _client(as_person, url)
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        first = client.get(url)
    _grow(people, world)
    with CaptureQueriesContext(connection) as after:
        second = client.get(url)
    assert len(after) == len(before), [q["sql"] for q in after.captured_queries]
    # The growth reached the page.
    assert second.context["results"].total > first.context["results"].total
    assert len(second.context["results"].hits) > len(first.context["results"].hits)
