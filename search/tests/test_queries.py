"""The search pages use a fixed number of queries, however many rows match."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from search.tests.conftest import World, agreement, case, decide, meeting, routine, set_status

# Every internal page for a logged-in, two-factor-verified secretariat member
# costs: session, user, OTP device, partnership by slug, partnership roles +
# memberships of the person, and the session save (savepoint, update,
# release) = 9 (see followups/tests/test_queries.py).
BASE = 9
# The public page for an anonymous visitor: the partnership by slug.
PUBLIC_BASE = 1
# A search costs the person's seats (inside only), then one query per kind:
# case, decision, minutes, agreement, clause, routine = 6. Each is the page's
# rows with what the hit shows joined in (council, case, meeting; level,
# version and agreement, agreement) or read in subqueries (the version an
# agreement or routine is read in, its text), and the count of all matches
# as a window.
KINDS = 6
PINNED = {
    "/hnt/intern/sok/?q=solsikke": BASE + 1 + KINDS,
    # one kind: its rows with the count, and the count alone of the five
    # others (the kind links show them)
    "/hnt/intern/sok/?q=solsikke&kind=decision": BASE + 1 + KINDS,
    "/hnt/intern/sok/?q=solsikke&kind=clause": BASE + 1 + KINDS,
    "/hnt/helsefellesskap/sok/?q=solsikke": PUBLIC_BASE + KINDS,
    "/hnt/helsefellesskap/sok/?q=solsikke&kind=routine": PUBLIC_BASE + KINDS,
    # the empty form searches nothing
    "/hnt/intern/sok/": BASE,
}


def _client(as_person: Any, url: str) -> Any:
    return as_person("sara" if "/intern/" in url else None)


def _seed(world: World) -> None:
    """Published minutes, an agreement in force with a clause and a routine
    in force that match too, so every kind has hits from the start."""
    set_status(meeting(world.published.council, 90, "Solsikkemøtet"), "published")
    _library(world, "seed", 1)


def _library(world: World, name: str, clauses: int) -> None:
    """An agreement in force with ``clauses`` clauses and a routine in force
    under it, all matching "solsikke"."""
    made = agreement(
        world.hnt,
        f"Solsikkeavtale {name}",
        f"solsikke-{name}",
        [(f"Solsikkepunkt {n}", "<p>Om solsikkefrø.</p>") for n in range(clauses)],
        status="in_force",
    )
    routine(world.hnt, made, f"Solsikkerutine {name}", f"solsikke-{name}", in_force="<p>Frø.</p>")


def _grow(people: Any, world: World) -> None:
    """Twenty more public cases with decisions in ten more published
    meetings, five more agreements of three clauses and five more routines,
    all matching "solsikke"."""
    for n in range(5):
        _library(world, f"vekst-{n}", 3)
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
