"""The search pages: form, results, kinds, pagination, the guard."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import translation
from django.utils.html import escape

from core.validators import identity_number_message
from search.tests.conftest import World, case

INTERNAL = "/hnt/intern/sok/"
PUBLIC = "/hnt/helsefellesskap/sok/"
# A synthetic identity number that passes the guard's checks (core tests).
IDENTITY_NUMBER = "15078810022"


def _titles(html: str) -> list[str]:
    return re.findall(
        r'<h3 class="ds-heading" data-size="xs"><a class="ds-link" href="[^"]*">([^<]*)</a>', html
    )


@pytest.mark.parametrize("url", [INTERNAL, PUBLIC])
def test_the_form_is_a_labelled_search_field(as_person: Any, people: Any, url: str) -> None:
    html = as_person("sara" if url == INTERNAL else None).get(url).content.decode()
    assert 'type="search"' in html
    assert '<label class="ds-label" for="id_q">' in html
    assert 'role="search"' in html
    assert 'maxlength="200"' in html
    # Nothing searched yet: no result count.
    assert "results-heading" not in html


def test_it_lists_the_hits_and_keeps_the_query(as_person: Any, world: World) -> None:
    html = as_person("lena").get(INTERNAL, {"q": "solsikkeprosjektet"}).content.decode()
    assert 'value="solsikkeprosjektet"' in html
    # The case, its decision in the published minutes and in the draft.
    assert sorted(_titles(html)) == sorted([f"{world.public.number} {world.public.title}"] * 3)
    assert 'data-kind="case"' in html and html.count('data-kind="decision"') == 2
    assert f'href="/hnt/intern/rad/saker/{world.public.pk}/"' in html


def test_the_public_page_shows_public_hits_with_public_links(as_person: Any, world: World) -> None:
    html = as_person(None).get(PUBLIC, {"q": "lyngheiforhandlinger"}).content.decode()
    assert _titles(html) == [f"{world.exempt.number} Lyngheiforhandlinger"]
    assert "Granskog" not in html and "Einerbusk" not in html
    assert f'href="/hnt/helsefellesskap/rad/asu/moter/{world.published.pk}/"' in html
    assert as_person(None).get(PUBLIC, {"q": "granskogforhandlinger"}).context["results"].total == 0


def test_it_filters_by_kind_and_counts_each(as_person: Any, world: World) -> None:
    client = as_person("sara")
    response = client.get(INTERNAL, {"q": "solsikkeprosjektet", "kind": "decision"})
    results = response.context["results"]
    assert results.counts == {
        "case": 1,
        "decision": 2,
        "minutes": 0,
        "agreement": 0,
        "clause": 0,
        "routine": 0,
    }
    assert results.total == 2
    assert {h.kind for h in results.hits} == {"decision"}
    html = response.content.decode()
    assert 'href="?q=solsikkeprosjektet&amp;kind=case"' in html
    current = re.findall(r'href="([^"]*)" aria-current="page">[^<]*\((\d+)\)', html)
    assert current == [("?q=solsikkeprosjektet&amp;kind=decision", "2")]
    # An unknown kind is "all", not an error.
    assert (
        client.get(INTERNAL, {"q": "solsikkeprosjektet", "kind": "x"}).context["results"].total == 3
    )


def test_it_says_when_nothing_matches(as_person: Any, people: Any) -> None:
    response = as_person("sara").get(INTERNAL, {"q": "finnesikkeordet"})
    assert response.context["results"].total == 0
    assert "Ingen treff for «finnesikkeordet»." in response.content.decode()


def test_it_pages_through_many_hits(as_person: Any, world: World) -> None:
    asu = world.published.council
    for i in range(45):
        case(asu, f"Sidesak {i:02d}", background="Bladordet.")
    client = as_person("siri")
    first = client.get(INTERNAL, {"q": "bladordet"})
    assert first.context["results"].total == 45
    assert len(first.context["results"].hits) == 20
    html = first.content.decode()
    assert 'href="?q=bladordet&amp;page=2"' in html
    third = client.get(INTERNAL, {"q": "bladordet", "page": "3"})
    assert len(third.context["results"].hits) == 5
    seen = {
        h.title
        for p in ["1", "2", "3"]
        for h in client.get(INTERNAL, {"q": "bladordet", "page": p}).context["results"].hits
    }
    assert len(seen) == 45
    # Past the end: the last page; nonsense: the first.
    assert client.get(INTERNAL, {"q": "bladordet", "page": "99"}).context["page_obj"].number == 3
    assert client.get(INTERNAL, {"q": "bladordet", "page": "x"}).context["page_obj"].number == 1


@pytest.mark.parametrize("url", [INTERNAL, PUBLIC])
def test_it_refuses_a_query_with_an_identity_number(as_person: Any, world: World, url: str) -> None:
    client = as_person("sara" if url == INTERNAL else None)
    refused = client.get(url, {"q": f"solsikkeprosjektet {IDENTITY_NUMBER}", "kind": "case"})
    # Sent on at once to an address without the query.
    assert refused.status_code == 302
    assert refused["Location"] == f"{url}?avvist=1"
    response = client.get(refused["Location"])
    assert response.status_code == 200
    assert response.context["results"] is None
    assert response.context["form"].has_error("q", "identity_number")
    html = response.content.decode()
    with translation.override("nb"):
        assert escape(identity_number_message(1)) in html
    assert IDENTITY_NUMBER not in html
    assert 'aria-invalid="true"' in html


def test_it_refuses_a_query_over_200_characters(as_person: Any, world: World) -> None:
    response = as_person("sara").get(INTERNAL, {"q": "a" * 201})
    assert response.context["results"] is None
    assert response.context["form"].has_error("q", "max_length")
