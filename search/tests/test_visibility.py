"""Who finds what: every visibility level × every named person.

Each word below occurs in exactly one record of the world built in
conftest.py. ``tor``, ``petter`` and ``otto`` have no role in HNT, so the
service searches for them as for the public (the internal page is 404 to
them, see test_permissions.py).
"""

from __future__ import annotations

from typing import Any

import pytest

from search import services
from search.tests.conftest import World, access_for
from tests.matrix import PEOPLE

INSIDERS = {"sara", "ada", "lena", "nils", "hanne", "stine", "siri", "kai"}
EVERYONE = set(PEOPLE)
PUBLIC = {"anon", "tor", "petter", "otto"}
SECRETARIAT = {"sara", "ada"}
# Seats: Lena and Hanne are ASU members, Stine observes ASU and PSU, Nils
# sits in the fagråd for psykisk helse og rus.
ASU_SEATED = SECRETARIAT | {"lena", "hanne", "stine"}
ASU_FULL_SEATS = SECRETARIAT | {"lena", "hanne"}
FAGRAD_SEATED = SECRETARIAT | {"nils"}

# (word, kind, who finds it in full)
EXPECTED: list[tuple[str, str, set[str]]] = [
    # A public case on a published agenda: everyone, words of title and paper.
    ("solsikkeprosjektet", "case", EVERYONE),
    ("blåbærtiltaket", "case", EVERYONE),
    # Partnership-internal: every insider, never the public.
    ("rabarbrabudsjettet", "case", INSIDERS),
    ("stikkelsbærpenger", "case", INSIDERS),
    # Council-internal: only people seated in that council (observers too).
    ("hjortetakkrapporten", "case", ASU_SEATED),
    ("elgstien", "case", ASU_SEATED),
    ("multeplukking", "case", FAGRAD_SEATED),
    ("kantarell", "case", FAGRAD_SEATED),
    # Exempt: members, deputies and the secretary of the council — not observers.
    ("granskogforhandlinger", "case", ASU_FULL_SEATS),
    ("einerbusken", "case", ASU_FULL_SEATS),
    # A public case only on an agenda not yet public: insiders only.
    ("reinroseplanen", "case", INSIDERS),
    # Decisions follow their case; the public reads only published minutes.
    ("tyttebærordning", "decision", EVERYONE),
    ("løvetannvedtak", "decision", INSIDERS),
    ("stikkelsbærbudsjett", "decision", INSIDERS),
    ("hjortevedtak", "decision", ASU_SEATED),
    ("moltevedtak", "decision", FAGRAD_SEATED),
    ("bjørkevedtak", "decision", ASU_FULL_SEATS),
    # Minutes: drafts for insiders, published ones for everyone, none planned.
    ("kløvermøtet", "minutes", EVERYONE),
    ("bregnemøtet", "minutes", EVERYONE),
    ("torvmyrmøtet", "minutes", INSIDERS),
    ("reinrosemøtet", "minutes", set()),
]


def _hits(people: Any, world: World, key: str, query: str, kind: str) -> list[services.Hit]:
    access = access_for(key, people, world.hnt)
    return services.search(world.hnt, query, access=access, kinds=[kind]).hits


@pytest.mark.parametrize(("word", "kind", "finders"), EXPECTED, ids=[w for w, _k, _f in EXPECTED])
def test_each_person_finds_exactly_what_they_may_see(
    people: Any, world: World, word: str, kind: str, finders: set[str]
) -> None:
    failures = []
    for key in PEOPLE:
        hits = [h for h in _hits(people, world, key, word, kind) if not h.public_title_only]
        if bool(hits) != (key in finders):
            failures.append(
                f"{key}: expected {'a hit' if key in finders else 'nothing'}, got {hits}"
            )
    assert not failures, f"{word}:\n" + "\n".join(failures)


def test_the_exempt_case_is_found_by_its_public_title_only(people: Any, world: World) -> None:
    for key in PEOPLE:
        hits = _hits(people, world, key, "lyngheiforhandlinger", "case")
        assert len(hits) == 1, key
        hit = hits[0]
        if key in ASU_FULL_SEATS:
            assert hit.title == world.exempt.title
            assert not hit.public_title_only
            assert hit.url == f"/hnt/intern/rad/saker/{world.exempt.pk}/"
        else:
            assert hit.public_title_only, key
            assert hit.title == "Lyngheiforhandlinger"
            # No word of the real title or the paper in what is shown.
            shown = f"{hit.title} {hit.snippet} {hit.url}".lower()
            assert "granskog" not in shown and "einerbusk" not in shown
            assert "offentleglova § 23" in hit.snippet
            if key in PUBLIC:
                assert hit.url == (f"/hnt/helsefellesskap/rad/asu/moter/{world.published.pk}/")
            else:
                assert hit.url == f"/hnt/intern/rad/moter/{world.published.pk}/"


def test_the_exempt_case_is_not_found_by_its_number_and_a_word_of_its_paper(
    people: Any, world: World
) -> None:
    query = f"{world.exempt.number} einerbusken"
    assert _hits(people, world, "stine", query, "case") == []
    assert _hits(people, world, "anon", query, "case") == []
    assert [h.title for h in _hits(people, world, "lena", query, "case")] == [world.exempt.title]


def test_a_case_number_finds_the_case_and_its_decisions(people: Any, world: World) -> None:
    results = services.search(world.hnt, world.public.number, access=None)
    # The public reads its decision in the published minutes, not the draft.
    assert sorted((h.kind, h.number) for h in results.hits) == [
        ("case", world.public.number),
        ("decision", world.public.number),
    ]
    inside = services.search(
        world.hnt, world.public.number, access=access_for("siri", people, world.hnt)
    )
    assert sorted(h.kind for h in inside.hits) == ["case", "decision", "decision"]
    # The exempt case by its number: by public title, for the public.
    exempt = services.search(world.hnt, world.exempt.number, access=None).hits
    assert [(h.title, h.public_title_only) for h in exempt] == [("Lyngheiforhandlinger", True)]


def test_the_other_partnerships_records_are_never_found(people: Any, world: World) -> None:
    for key in PEOPLE:
        for query in ["solsikkeprosjektet", "tyttebærordning", "kløvermøtet", "st. olav"]:
            hits = services.search(world.hnt, query, access=access_for(key, people, world.hnt)).hits
            assert all("St. Olav" not in h.title for h in hits), (key, query)
            assert all(h.url.startswith("/hnt/") for h in hits), (key, query)
    # … while St. Olavs' own people find them there.
    stolav = world.stolav_public.partnership
    hits = services.search(
        stolav, "solsikkeprosjektet", access=access_for("petter", people, stolav)
    ).hits
    assert {(h.kind, h.title) for h in hits} == {
        ("case", world.stolav_public.title),
        ("decision", world.stolav_public.title),
    }


def test_internal_hits_link_to_internal_pages_and_public_hits_to_public_ones(
    people: Any, world: World
) -> None:
    inside = {h.kind: h.url for h in _all(people, world, "sara")}
    outside = {h.kind: h.url for h in _all(people, world, "anon")}
    assert inside["case"] == f"/hnt/intern/rad/saker/{world.public.pk}/"
    assert outside["case"] == f"/hnt/helsefellesskap/rad/saker/{world.public.pk}/"
    assert inside["minutes"] == f"/hnt/intern/rad/moter/{world.published.pk}/protokoll/"
    assert outside["minutes"] == (
        f"/hnt/helsefellesskap/rad/asu/moter/{world.published.pk}/protokoll/"
    )
    assert inside["decision"] == f"/hnt/intern/rad/moter/{world.published.pk}/protokoll/"
    assert outside["decision"] == outside["minutes"]


def _all(people: Any, world: World, key: str) -> list[services.Hit]:
    """One hit of each kind: the public case, its decision, the published minutes."""
    access = access_for(key, people, world.hnt)
    hits = []
    for query, kind in [
        ("solsikkeprosjektet", "case"),
        ("tyttebærordning", "decision"),
        ("kløvermøtet", "minutes"),
    ]:
        hits += services.search(world.hnt, query, access=access, kinds=[kind]).hits
    return hits


def test_every_link_of_a_hit_opens_for_the_person_who_found_it(
    people: Any, world: World, as_person: Any
) -> None:
    """The hit's URL is a page the person may read (no 404 behind a hit)."""
    for key in ["sara", "lena", "nils", "stine", "siri", "anon"]:
        client = as_person(None if key == "anon" else key)
        access = access_for(key, people, world.hnt)
        for word, _kind, _finders in [*EXPECTED, ("lyngheiforhandlinger", "case", set())]:
            for hit in services.search(world.hnt, word, access=access).hits:
                assert client.get(hit.url).status_code == 200, (key, word, hit)
