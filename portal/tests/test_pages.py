from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from partnerships.models import Organisation, Participation, Partnership, Population, Region

PUBLIC_PAGES = [
    "/",
    "/hnt/",
    "/hnt/helsefellesskap/",
    "/hnt/verktoy/",
    "/hnt/tall-og-statistikk/",
    "/hnt/kontakt/",
]


def test_the_public_sees_parties_by_region_and_hospital_area(people: Any) -> None:
    page = Client().get("/hnt/helsefellesskap/").content.decode()
    for text in [
        "Levanger kommune",
        "5037",
        "Værnesregionen",
        "Ytre Namdal",
        "Helse Nord-Trøndelag HF",
        "Statsforvalteren i Trøndelag",
        "KS Trøndelag",
    ]:
        assert text in page
    # Trondheim belongs to the other partnership only.
    assert "Trondheim kommune" not in page


def test_each_partnership_shows_only_its_own_parties(people: Any) -> None:
    page = Client().get("/stolav/helsefellesskap/").content.decode()
    assert "Trondheim kommune" in page
    assert "Stjørdal kommune" in page  # Værnesregionen is in both
    assert "Levanger kommune" not in page


def test_no_public_section_is_a_placeholder_any_more(people: Any) -> None:
    # Tall og statistikk was the last: it lists the indicators now.
    for url in PUBLIC_PAGES:
        page = Client().get(url, HTTP_ACCEPT_LANGUAGE="nb").content.decode()
        assert "Ikke tilgjengelig i Samspill ennå" not in page, url
    statistics = Client().get("/hnt/tall-og-statistikk/", HTTP_ACCEPT_LANGUAGE="nb")
    assert 'href="/hnt/tall-og-statistikk/overliggedogn/"' in statistics.content.decode()
    # The routines are built: the tools page leads to them.
    tools = Client().get("/hnt/verktoy/", HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    assert 'href="/hnt/samhandlingsrutiner/"' in tools


def test_the_agreements_section_leads_to_the_register(people: Any) -> None:
    # The register's own tests are in agreements/tests/test_public_pages.py.
    for url in ["/hnt/", "/hnt/helsefellesskap/"]:
        assert 'href="/hnt/samarbeidsavtaler/"' in Client().get(url).content.decode()
    response = Client().get("/hnt/samarbeidsavtaler/", HTTP_ACCEPT_LANGUAGE="nb")
    assert response.status_code == 200
    assert "Ikke tilgjengelig i Samspill ennå" not in response.content.decode()


def test_the_tools_page_leads_to_deviation_reporting_and_public_statistics(people: Any) -> None:
    from deviations.models import DeviationConfig

    page = Client().get("/hnt/verktoy/").content.decode()
    assert 'href="/hnt/intern/avvik/ny/"' in page
    assert 'href="/hnt/helsefellesskap/avvik/"' not in page
    DeviationConfig.objects.update_or_create(
        partnership=Partnership.objects.get(slug="hnt"), defaults={"public_statistics": True}
    )
    assert 'href="/hnt/helsefellesskap/avvik/"' in Client().get("/hnt/verktoy/").content.decode()


def test_population_figures_are_labelled_as_demo_and_add_up(people: Any) -> None:
    response = Client().get("/hnt/tall-og-statistikk/")
    structure = response.context["structure"]
    hnt_kommuner = Organisation.objects.filter(
        participations__partnership__slug="hnt", kind="kommune"
    )
    expected = sum(
        Population.objects.filter(organisation__in=hnt_kommuner, year=2026).values_list(
            "inhabitants", flat=True
        )
    )
    assert structure.population_year == 2026
    assert structure.total_inhabitants == expected
    assert structure.population_is_demo
    assert "Demotall" in response.content.decode() or "Demo figures" in response.content.decode()


def test_contact_page_lists_every_partys_coordinating_unit_and_the_secretariat(people: Any) -> None:
    page = Client().get("/hnt/kontakt/").content.decode()
    assert "sekretariat@hnt.example" in page
    assert page.count("Koordinerende enhet") >= 20


def test_the_default_language_is_bokmal(people: Any) -> None:
    response = Client().get("/hnt/")
    assert response.headers["Content-Language"] == "nb"
    assert '<html lang="nb"' in response.content.decode()
    assert "Hopp til hovedinnhold" in response.content.decode()


@pytest.mark.parametrize(
    ("code", "skip_text"), [("nn", "Hopp til hovudinnhaldet"), ("en", "Skip to main content")]
)
def test_the_language_switch_changes_the_language(people: Any, code: str, skip_text: str) -> None:
    client = Client()
    response = client.post("/i18n/setlang/", {"language": code, "next": "/hnt/"})
    assert response.status_code == 302
    page = client.get("/hnt/").content.decode()
    assert f'<html lang="{code}"' in page
    assert skip_text in page


def _grow_hnt() -> None:
    """Add a region with five more kommuner, populations and contacts."""
    hnt = Partnership.objects.get(slug="hnt")
    region = Region.objects.create(partnership=hnt, name="Testregionen")
    for i in range(5):
        org = Organisation.objects.create(
            name=f"Test {i} kommune", kind="kommune", municipality_number=f"90{i:02d}"
        )
        Participation.objects.create(partnership=hnt, organisation=org, region=region, role="party")
        Population.objects.create(organisation=org, year=2026, inhabitants=100, source="test")


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_public_pages_use_a_fixed_number_of_queries(people: Any, url: str) -> None:
    client = Client()
    client.get(url)  # warm caches (content types, translations)
    with CaptureQueriesContext(connection) as before:
        assert client.get(url).status_code == 200
    _grow_hnt()
    with CaptureQueriesContext(connection) as after:
        assert client.get(url).status_code == 200
    assert len(after) == len(before), [q["sql"] for q in after.captured_queries]


# Pinned counts for the public pages (anonymous visitor):
#   1 partnership by slug (middleware), then for structure pages
#   participations (+organisation, contact, region), regions, hospital areas,
#   latest population year, that year's figures.
PINNED = {
    "/": 2,  # partnerships + their current parties (prefetch)
    "/hnt/": 6,
    "/hnt/helsefellesskap/": 6,
    "/hnt/verktoy/": 2,  # + whether the deviation statistics are public
    # + the indicators, whether the deviation statistics are public, their
    # values, the values' imports, the daily rates, the situation reports
    "/hnt/tall-og-statistikk/": 12,
    "/hnt/kontakt/": 6,
}


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_public_pages_pin_their_query_count(
    people: Any, url: str, django_assert_num_queries: Any
) -> None:
    client = Client()
    client.get(url)
    with django_assert_num_queries(PINNED[url]):
        client.get(url)
