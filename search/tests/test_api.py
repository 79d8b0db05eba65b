"""GET /api/partnerships/{slug}/search: the same hits as the pages."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.utils import timezone

from search.services import KINDS
from search.tests.conftest import Library, World

API = "/api/partnerships/hnt/search"


def test_it_is_in_the_openapi_schema_with_its_response(db: Any) -> None:
    schema = Client().get("/api/openapi.json").json()
    operation = schema["paths"]["/api/partnerships/{slug}/search"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"slug", "q", "kind", "page"}
    ok = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok["$ref"].endswith("/SearchOut")
    hit = schema["components"]["schemas"]["SearchHitOut"]["properties"]
    assert set(hit) == {"kind", "title", "number", "date", "snippet", "url", "public_title_only"}
    # A count for every kind the search knows.
    counts = schema["components"]["schemas"]["SearchCountsOut"]["properties"]
    assert set(counts) == set(KINDS)
    assert "400" in operation["responses"]


def test_it_returns_the_same_hits_as_the_page(as_person: Any, world: World) -> None:
    for key, page in [("lena", "/hnt/intern/sok/"), (None, "/hnt/helsefellesskap/sok/")]:
        client = as_person(key)
        body = client.get(API, {"q": "solsikkeprosjektet"}).json()
        results = client.get(page, {"q": "solsikkeprosjektet"}).context["results"]
        assert body["total"] == results.total
        assert body["counts"] == results.counts
        assert [(h["kind"], h["url"]) for h in body["hits"]] == [
            (h.kind, h.url) for h in results.hits
        ]


def test_insiders_get_internal_hits_and_everyone_else_public_ones(
    as_person: Any, world: World
) -> None:
    inside = as_person("lena").get(API, {"q": "hjortetakkrapporten", "kind": "case"}).json()
    assert [h["title"] for h in inside["hits"]] == [world.council_asu.title]
    assert inside["hits"][0]["url"] == f"/hnt/intern/rad/saker/{world.council_asu.pk}/"
    for key in [None, "tor", "petter", "otto"]:
        body = as_person(key).get(API, {"q": "hjortetakkrapporten"}).json()
        assert body["total"] == 0, key
        exempt = as_person(key).get(API, {"q": "lyngheiforhandlinger"}).json()["hits"]
        assert "offentleglova § 23" in exempt[0].pop("snippet")
        assert exempt == [
            {
                "kind": "case",
                "title": "Lyngheiforhandlinger",
                "number": world.exempt.number,
                "date": timezone.localdate(world.exempt.created).isoformat(),
                "url": f"/hnt/helsefellesskap/rad/asu/moter/{world.published.pk}/",
                "public_title_only": True,
            }
        ], key


def test_it_filters_by_kind_and_pages(as_person: Any, world: World) -> None:
    body = as_person("sara").get(API, {"q": "solsikkeprosjektet", "kind": "decision"}).json()
    assert body["counts"] == {
        "case": 1,
        "decision": 2,
        "minutes": 0,
        "agreement": 0,
        "clause": 0,
        "routine": 0,
    }
    assert body["total"] == 2 and {h["kind"] for h in body["hits"]} == {"decision"}
    assert (body["page"], body["pages"]) == (1, 1)


def test_it_refuses_an_identity_number_without_repeating_it(as_person: Any, world: World) -> None:
    response = as_person("sara").get(API, {"q": "sak 15078810022"})
    assert response.status_code == 400
    assert "15078810022" not in response.content.decode()
    assert response.json()["detail"]


def test_agreements_clauses_and_routines_serialise_like_the_other_kinds(
    as_person: Any, library: Library
) -> None:
    inside = as_person("sara").get(API, {"q": "bjønnskjeggmyra"}).json()
    assert inside["counts"]["agreement"] == inside["counts"]["clause"] == 1
    clause = next(h for h in inside["hits"] if h["kind"] == "clause")
    version = library.draft_clause.agreement_version
    assert clause == {
        "kind": "clause",
        "title": "Lyngmoseplanen",
        "number": "1",
        "date": None,
        "snippet": "Særavtale om tranebærplukking · Partene deler tyristubbeplassene i "
        "bjønnskjeggmyra.",
        "url": f"/hnt/intern/avtaler/versjon/{version.pk}/",
        "public_title_only": False,
    }
    assert as_person(None).get(API, {"q": "bjønnskjeggmyra"}).json()["total"] == 0
    public = as_person(None).get(API, {"q": "hvitveisvakten", "kind": "routine"}).json()
    assert [(h["kind"], h["url"]) for h in public["hits"]] == [
        ("routine", "/hnt/samhandlingsrutiner/tyttebaervakt/")
    ]
    assert public["counts"]["routine"] == 1
