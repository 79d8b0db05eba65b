"""Matching and ranking on both engines: the SQLite fallback (every word as
a case-insensitive substring, title hits first, then newest) and the
PostgreSQL path (full text, Norwegian configuration).

The PostgreSQL tests run when the suite runs on PostgreSQL:
DATABASE_URL=postgres://postgres@127.0.0.1:5432/searchdev pytest search
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from councils.models import Case
from search import services
from search.tests.conftest import World, access_for, case

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL full-text search"
)
on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite fallback")


@pytest.fixture
def titles(people: Any, world: World) -> Any:
    """The titles of the hits for a query, as a named person (default Sara)."""

    def search(query: str, key: str = "sara", kinds: Any = ("case",)) -> list[str]:
        access = access_for(key, people, world.hnt)
        hits = services.search(world.hnt, query, access=access, kinds=kinds).hits
        return [h.title for h in hits]

    return search


def _aged(made: Case, days: int) -> Case:
    Case.objects.filter(pk=made.pk).update(created=timezone.now() - datetime.timedelta(days=days))
    made.refresh_from_db()
    return made


def test_it_picks_the_engine_from_the_database(db: Any) -> None:
    assert services.use_full_text() == (connection.vendor == "postgresql")


def test_every_word_must_occur(world: World, titles: Any) -> None:
    assert titles("solsikkeprosjektet blåbærtiltaket") == [world.public.title]
    assert titles("Solsikkeprosjektet   BLÅBÆRTILTAKET") == [world.public.title]
    assert titles("solsikkeprosjektet finnesikkeordet") == []


def test_case_does_not_matter_for_norwegian_letters(world: World, titles: Any) -> None:
    for query in ["løvetannvedtak", "Løvetannvedtak", "LØVETANNVEDTAK"]:
        assert titles(query, kinds=("decision",)) == [world.public.title], query


def test_a_word_inside_a_compound_is_found(world: World, titles: Any) -> None:
    # Norwegian writes compounds as one word: "solsikke" in "Solsikkeprosjektet".
    assert titles("solsikke") == [world.public.title]


def test_title_hits_come_first_then_the_newest(world: World, titles: Any) -> None:
    asu = world.published.council
    in_paper_new = _aged(case(asu, "Første sak", background="Om gaupeloven."), 1)
    in_title_old = _aged(case(asu, "Gaupeloven i praksis"), 300)
    in_title_new = _aged(case(asu, "Ny gaupeloven-sak"), 2)
    assert titles("gaupeloven") == [
        in_title_new.title,
        in_title_old.title,
        in_paper_new.title,
    ]


def test_an_empty_query_finds_nothing_and_asks_nothing(world: World) -> None:
    with CaptureQueriesContext(connection) as queries:
        results = services.search(world.hnt, "   ", access=None)
    assert (results.total, results.hits, len(queries)) == (0, [], 0)


def test_the_snippet_is_plain_text_around_the_word(
    people: Any, world: World, as_person: Any
) -> None:
    long = "Innledning. " * 40 + "Her står <b>oterordet</b> & mer. " + "Avslutning. " * 40
    made = case(world.published.council, "Lang sak", background=long)
    hit = services.search(
        world.hnt, "oterordet", access=access_for("sara", people, world.hnt)
    ).hits[0]
    assert hit.title == made.title
    assert "<b>oterordet</b>" in hit.snippet
    assert len(hit.snippet) <= services.SNIPPET_CHARS + 2
    assert hit.snippet.startswith("…") and hit.snippet.endswith("…")
    html = as_person("sara").get("/hnt/intern/sok/", {"q": "oterordet"}).content.decode()
    assert "&lt;b&gt;oterordet&lt;/b&gt; &amp; mer." in html
    assert "<b>oterordet</b>" not in html


def test_snippets_leave_short_texts_whole(db: Any) -> None:
    assert services.snippet(["  Kort   tekst. ", "", "Mer."], ["tekst"]) == "Kort tekst. Mer."


@on_sqlite
def test_sqlite_does_not_stem(world: World, titles: Any) -> None:
    case(world.published.council, "Ny avtale om jordmortjenester")
    assert titles("avtalene jordmortjenester") == []


@on_postgresql
def test_postgresql_stems_norwegian(world: World, titles: Any) -> None:
    made = case(world.published.council, "Ny avtale om jordmortjenester")
    # "avtalene" (the agreements) finds "avtale" (an agreement).
    assert titles("avtalene jordmortjenester") == [made.title]
    assert titles("avtalene jordmortjenester", key="anon") == []  # not on an agenda


@on_postgresql
def test_postgresql_understands_web_search_syntax(world: World, titles: Any) -> None:
    assert titles("solsikkeprosjektet -eldre") == []
    assert titles('"solsikkeprosjektet for eldre"') == [world.public.title]
    assert set(titles("rabarbrabudsjettet or hjortetakkrapporten")) == {
        world.partnership.title,
        world.council_asu.title,
    }


@on_postgresql
def test_postgresql_ranks_the_title_above_the_paper(world: World, titles: Any) -> None:
    asu = world.published.council
    _aged(case(asu, "Første sak", background="Om gaupeloven."), 1)
    _aged(case(asu, "Gaupeloven i praksis"), 300)
    assert titles("gaupeloven")[0] == "Gaupeloven i praksis"


@on_postgresql
def test_postgresql_keeps_exempt_papers_out_of_reach(people: Any, world: World) -> None:
    for key in ["anon", "stine", "siri", "nils"]:
        access = access_for(key, people, world.hnt)
        for word in ["granskogforhandlingene", "einerbusk", "bjørkevedtakene"]:
            assert services.search(world.hnt, word, access=access).hits == [], (key, word)
        (hit,) = services.search(world.hnt, "lyngheiforhandlingene", access=access).hits
        assert hit.public_title_only and hit.title == "Lyngheiforhandlinger"
