"""Agreements, clauses and routines in search: each kind by its title and by
a word only in its text, the version each reader reads (the one the pages
show), drafts kept from the public, other partnerships kept out, links.

Runs on both engines; the PostgreSQL-only tests run when the suite does:
DATABASE_URL=postgres://postgres@127.0.0.1:5432/test pytest search
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import OuterRef
from django.utils import timezone

from agreements import publication
from agreements.models import Agreement, Clause
from agreements.searchable import shown_version_id
from routines.models import Routine
from search import services
from search.tests.conftest import Library, access_for
from tests.matrix import PEOPLE

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL full-text search"
)
on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite fallback")

INSIDERS = {"sara", "ada", "lena", "nils", "hanne", "stine", "siri", "kai"}
# tor, petter and otto have no role in HNT: they search it as the public.
PUBLIC = {"anon", "tor", "petter", "otto"}
EVERYONE = set(PEOPLE)

OVERARCHING_TITLE = "Samarbeidsavtale mellom kommunene og Helse Nord-Trøndelag HF"


def _hits(people: Any, lib: Library, key: str, query: str, kind: str) -> list[services.Hit]:
    access = access_for(key, people, lib.hnt)
    return services.search(lib.hnt, query, access=access, kinds=[kind]).hits


def _titles(people: Any, lib: Library, key: str, query: str, kind: str) -> list[str]:
    return [h.title for h in _hits(people, lib, key, query, kind)]


# (query, kind, the title found, who finds it)
EXPECTED: list[tuple[str, str, str, set[str]]] = [
    # The samarbeidsavtale: by its title, and by a word of its text in force
    # (the purpose clause of 2021).
    ("samarbeidsavtale helse nord-trøndelag", "agreement", OVERARCHING_TITLE, EVERYONE),
    ("likeverdige", "agreement", OVERARCHING_TITLE, EVERYONE),
    # A clause of the 2021 text in force: by its heading and by its text.
    ("overgang fra retningslinjene", "clause", "Overgang fra retningslinjene fra 2017", EVERYONE),
    ("samhandlingsrutiner erstattet", "clause", "Overgang fra retningslinjene fra 2017", EVERYONE),
    # The draft agreement and its clause: insiders only.
    ("tranebærplukking", "agreement", "Særavtale om tranebærplukking", INSIDERS),
    ("bjønnskjeggmyra", "agreement", "Særavtale om tranebærplukking", INSIDERS),
    ("lyngmoseplanen", "clause", "Lyngmoseplanen", INSIDERS),
    ("bjønnskjeggmyra", "clause", "Lyngmoseplanen", INSIDERS),
    # A demo routine in force: by its title and by its text.
    ("legemiddelsamstemming", "routine", "Legemiddelsamstemming ved overføring", EVERYONE),
    ("kjernejournal", "routine", "Legemiddelsamstemming ved overføring", EVERYONE),
    # A routine with nothing in force: insiders only, by the draft's text too.
    ("bringebærtransport", "routine", "Bringebærtransport mellom partene", INSIDERS),
    ("blåveisrutinen", "routine", "Bringebærtransport mellom partene", INSIDERS),
    # A routine in force with a newer draft: everyone reads the text in force…
    ("hvitveisvakten", "routine", "Tyttebærvakt i helgene", EVERYONE),
    # … and nobody the draft's.
    ("hestehovvakten", "routine", "Tyttebærvakt i helgene", set()),
]


@pytest.mark.parametrize(
    ("query", "kind", "title", "finders"), EXPECTED, ids=[f"{k}:{q}" for q, k, _t, _f in EXPECTED]
)
def test_each_person_finds_exactly_what_the_pages_show_them(
    people: Any, library: Library, query: str, kind: str, title: str, finders: set[str]
) -> None:
    failures = []
    for key in PEOPLE:
        found = title in _titles(people, library, key, query, kind)
        if found != (key in finders):
            failures.append(f"{key}: expected {'a hit' if key in finders else 'nothing'}")
    assert not failures, f"{kind} {query}:\n" + "\n".join(failures)


def test_only_the_text_read_is_searched(people: Any, library: Library) -> None:
    """A replaced version (2017) and the revision being ratified are not the
    text in force: neither is searched, inside or out."""
    for key in ["sara", "anon"]:
        # "Samarbeidsorganer" / "OSO": 2017 only.
        assert _hits(people, library, key, "overordnet samarbeidsorgan", "clause") == []
        assert _hits(people, library, key, "overordnet samarbeidsorgan", "agreement") == []
        # The revision's new clause on children and young people.
        assert "Barn og unge med sammensatte behov" not in _titles(
            people, library, key, "koordinerer", "clause"
        )


def test_the_version_read_is_the_one_the_pages_show(people: Any, library: Library) -> None:
    today = timezone.localdate()
    rows = Agreement.objects.filter(partnership=library.hnt).annotate(
        public=shown_version_id(OuterRef("pk"), today, public=True),
        inside=shown_version_id(OuterRef("pk"), today, public=False),
    )
    for row in rows:
        loaded = publication.load_agreement(library.hnt, row.slug)
        if loaded is None:
            assert row.public is None, row  # type: ignore[attr-defined]
        else:
            page = publication.agreement_page(loaded, today)
            assert row.public == page.shown.pk, row  # type: ignore[attr-defined]
        versions = list(row.versions.order_by("created", "pk"))
        newest = versions[-1] if versions else None
        in_force = publication.binding.in_force(versions, today)
        assert row.inside == (in_force or newest).pk, row  # type: ignore[attr-defined, union-attr]
    overarching = rows.get(pk=library.samarbeidsavtale.pk)
    in_force_2021 = library.samarbeidsavtale.versions.get(label="2021")
    assert overarching.public == overarching.inside == in_force_2021.pk  # type: ignore[attr-defined]
    draft = rows.get(pk=library.draft_agreement.pk)
    assert draft.public is None  # type: ignore[attr-defined]
    assert draft.inside == library.draft_clause.agreement_version_id  # type: ignore[attr-defined]


def test_markup_neither_matches_nor_splits_a_word(people: Any, library: Library) -> None:
    assert _titles(people, library, "sara", "tyristubbeplassene", "clause") == ["Lyngmoseplanen"]
    assert _titles(people, library, "sara", "tyristubbeplassene", "agreement") == [
        "Særavtale om tranebærplukking"
    ]
    for kind in ["agreement", "clause", "routine"]:
        for tag_only in ["strong", "<p>", "em>", "&amp;", "href"]:
            assert _hits(people, library, "sara", tag_only, kind) == [], (kind, tag_only)


def test_hits_say_where_they_belong_and_show_plain_text(people: Any, library: Library) -> None:
    (clause,) = _hits(people, library, "sara", "tyristubbeplassene", "clause")
    assert clause.place == "Særavtale om tranebærplukking"
    assert clause.number == "1"
    assert clause.snippet == "Partene deler tyristubbeplassene i bjønnskjeggmyra."
    assert clause.date is None  # a draft
    (agreement,) = _hits(people, library, "sara", "tranebærplukking", "agreement")
    assert agreement.place == "Særavtaler"  # its level
    assert agreement.number == "S9"
    assert "tyristubbeplassene" in agreement.snippet and "<" not in agreement.snippet
    (routine,) = _hits(people, library, "anon", "hvitveisvakten", "routine")
    assert routine.place == "Pasientsamarbeid"  # guideline 1
    assert routine.snippet == "Hvitveisvakten ringer kommunen."
    in_force = library.revised_routine.versions.get(status="in_force")
    assert routine.date == in_force.in_force_from
    (public_clause,) = [
        h
        for h in _hits(people, library, "anon", "samhandlingsrutiner erstattet", "clause")
        if h.title.startswith("Overgang")
    ]
    assert public_clause.place == library.samarbeidsavtale.title
    assert public_clause.date == library.samarbeidsavtale.versions.get(label="2021").in_force_from


def test_internal_hits_link_inside_and_public_hits_to_the_public_pages(
    people: Any, library: Library, as_person: Any
) -> None:
    overarching = library.samarbeidsavtale
    in_force_2021 = overarching.versions.get(label="2021")
    clause_2021 = Clause.objects.get(agreement_version=in_force_2021, key="overgang")
    medication = Routine.objects.get(partnership=library.hnt, slug="legemiddelsamstemming")
    queries = [
        ("likeverdige", "agreement"),
        ("samhandlingsrutiner erstattet", "clause"),
        ("kjernejournal", "routine"),
    ]
    inside = {k: h.url for q, k in queries for h in _hits(people, library, "lena", q, k)}
    outside = {k: h.url for q, k in queries for h in _hits(people, library, "anon", q, k)}
    assert inside == {
        "agreement": f"/hnt/intern/avtaler/{overarching.pk}/",
        "clause": f"/hnt/intern/avtaler/versjon/{in_force_2021.pk}/",
        "routine": f"/hnt/intern/rutiner/{medication.pk}/",
    }
    assert outside == {
        "agreement": "/hnt/samarbeidsavtaler/samarbeidsavtale/",
        "clause": "/hnt/samarbeidsavtaler/samarbeidsavtale/#klausul-overgang",
        "routine": "/hnt/samhandlingsrutiner/legemiddelsamstemming/",
    }
    # The anchor is on the page: the clause as the agreement's page shows it.
    page = as_person(None).get(outside["clause"].split("#")[0]).content.decode()
    assert f'id="klausul-{clause_2021.key}"' in page


def test_every_link_of_a_hit_opens_for_the_person_who_found_it(
    people: Any, library: Library, as_person: Any
) -> None:
    for key in ["sara", "lena", "stine", "anon"]:
        client = as_person(None if key == "anon" else key)
        for query, kind, _title, _finders in EXPECTED:
            for hit in _hits(people, library, key, query, kind):
                assert client.get(hit.url.split("#")[0]).status_code == 200, (key, hit)


def test_another_partnerships_items_are_never_found(people: Any, library: Library) -> None:
    for key in PEOPLE:
        access = access_for(key, people, library.hnt)
        for query in ["st. olavs hospital", "multetransport", "reinlavruten"]:
            hits = services.search(library.hnt, query, access=access).hits
            assert hits == [], (key, query)
        # The same clause text in both partnerships: HNT's only.
        hits = services.search(
            library.hnt, "ansvarsfordeling", access=access, kinds=["agreement", "clause"]
        ).hits
        assert hits and all(h.url.startswith("/hnt/") for h in hits), key
        assert all("St. Olav" not in f"{h.title} {h.place}" for h in hits), key
    # … while St. Olav's own are found there, by the public too.
    found = services.search(library.stolav, "reinlavruten", access=None).hits
    assert [(h.kind, h.title) for h in found] == [("routine", "Multetransport i St. Olav")]
    found = services.search(library.stolav, "st. olavs hospital", access=None).hits
    assert ("agreement", "Samarbeidsavtale mellom kommunene og St. Olavs hospital HF") in {
        (h.kind, h.title) for h in found
    }


INTERNAL = "/hnt/intern/sok/"
PUBLIC_PAGE = "/hnt/helsefellesskap/sok/"


def test_the_kind_filter_offers_and_narrows_to_the_new_kinds(
    as_person: Any, library: Library
) -> None:
    client = as_person("sara")
    response = client.get(INTERNAL, {"q": "bjønnskjeggmyra", "kind": "clause"})
    results = response.context["results"]
    assert results.counts == {
        "case": 0,
        "decision": 0,
        "minutes": 0,
        "agreement": 1,
        "clause": 1,
        "routine": 0,
    }
    assert results.total == 1 and [h.kind for h in results.hits] == ["clause"]
    html = response.content.decode()
    for kind in ["agreement", "clause", "routine"]:
        assert f'href="?q=bj%C3%B8nnskjeggmyra&amp;kind={kind}"' in html, kind
    current = re.findall(r'href="([^"]*)" aria-current="page">[^<]*\((\d+)\)', html)
    assert current == [("?q=bj%C3%B8nnskjeggmyra&amp;kind=clause", "1")]
    assert 'data-kind="clause"' in html and 'data-kind="agreement"' not in html
    # Both kinds together under "All".
    every = client.get(INTERNAL, {"q": "bjønnskjeggmyra"}).context["results"]
    assert sorted(h.kind for h in every.hits) == ["agreement", "clause"]
    # The public page offers them too, and finds no draft.
    public = as_person(None).get(PUBLIC_PAGE, {"q": "bjønnskjeggmyra", "kind": "agreement"})
    assert public.context["results"].total == 0
    assert 'kind=routine"' in public.content.decode()


def test_the_partnerships_words_are_marked_with_their_language(
    as_person: Any, library: Library
) -> None:
    client = as_person(None)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(PUBLIC_PAGE, {"q": "hvitveisvakten"}).content.decode()
    assert '<p class="ds-paragraph" lang="nb"><span lang="nb">Pasientsamarbeid</span> · ' in html
    assert "Hvitveisvakten ringer kommunen.</p>" in html
    assert '<span lang="nb">Tyttebærvakt i helgene</span>' in html


@on_sqlite
def test_sqlite_does_not_stem(people: Any, library: Library) -> None:
    assert _titles(people, library, "anon", "samarbeidsavtalene helse", "agreement") == []
    assert _titles(people, library, "sara", "bringebærtransporten", "routine") == []


@on_postgresql
def test_postgresql_stems_norwegian(people: Any, library: Library) -> None:
    # "samarbeidsavtalene" (the agreements) finds "samarbeidsavtale".
    assert OVERARCHING_TITLE in _titles(
        people, library, "anon", "samarbeidsavtalene helse", "agreement"
    )
    assert _titles(people, library, "sara", "bringebærtransporten", "routine") == [
        "Bringebærtransport mellom partene"
    ]
    assert _titles(people, library, "anon", "bringebærtransporten", "routine") == []
    assert _titles(people, library, "sara", "lyngmoseplanene", "clause") == ["Lyngmoseplanen"]


@on_postgresql
def test_postgresql_ranks_the_title_above_the_text(people: Any, library: Library) -> None:
    from search.tests.conftest import agreement

    agreement(library.hnt, "Om noe annet", "annet", [("Punkt", "<p>Om moltemyra.</p>")])
    agreement(library.hnt, "Moltemyra", "moltemyra", [("Punkt", "<p>Annen tekst.</p>")])
    assert _titles(people, library, "sara", "moltemyra", "agreement") == [
        "Moltemyra",
        "Om noe annet",
    ]
