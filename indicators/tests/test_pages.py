"""The statistics pages: what the public sees (no small numbers, in the
page, the CSV and the json-stat2), what those allowed see, and a fixed
number of queries whatever the number of kommuner, years and imports."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators.tests import factory
from partnerships.demo import HNT_REGIONS

pytestmark = pytest.mark.django_db

KOMMUNER = [number for _r, _a, kommuner in HNT_REGIONS for _n, number, _i in kommuner]
P = "/hnt/tall-og-statistikk"
I = "/hnt/intern/statistikk"  # noqa: E741


@pytest.fixture
def leka_small(hnt: Any) -> Any:
    """Utskrivningsklare 2023–2024: Leka 3 stays (3 of 560 is 5.4 per 1,000),
    the others 50 of 5,000; the country 10.8."""
    factory.clear(hnt)
    for year in (2023, 2024):
        data: dict[str, Any] = {n: (10, 50, 5000) for n in KOMMUNER}
        data["5052"] = (Decimal("5.357"), 3, 560)
        data["0"] = Decimal("10.8")
        factory.store(hnt, "utskrivningsklare", year, data)
    return hnt


def test_the_placeholder_is_gone_and_every_indicator_is_listed(
    as_person: Any, leka_small: Any
) -> None:
    page = as_person(None).get(f"{P}/").content.decode()
    assert "not built yet" not in page.lower()
    assert 'href="/hnt/tall-og-statistikk/utskrivningsklare/"' in page
    assert 'href="/hnt/tall-og-statistikk/kommune/5052/"' in page
    assert "Overliggedøgn per 1 000 innbyggere" in page


def test_the_public_indicator_page_hides_what_counts_one_to_four_people(
    as_person: Any, leka_small: Any
) -> None:
    page = as_person(None).get(f"{P}/utskrivningsklare/").content.decode()
    assert ">hidden<" in page
    assert "5.4" not in page  # Leka's rate
    # Nærøysund goes too: Ytre Namdal's total minus Nærøysund would be Leka.
    row = page[page.index(">Nærøysund kommune<") :]
    row = row[: row.index("</tr>")]
    assert ">hidden<" in row
    assert "10.0" in page  # the other kommuner
    assert "Download as CSV" in page


def test_those_allowed_see_the_small_figures_marked(as_person: Any, leka_small: Any) -> None:
    page = as_person("lena").get(f"{I}/utskrivningsklare/").content.decode()
    assert "5.4" in page
    assert "not public" in page
    assert as_person("stine").get(f"{I}/utskrivningsklare/").status_code == 403


def test_the_csv_and_the_json_stat2_hold_no_small_number(as_person: Any, leka_small: Any) -> None:
    client = as_person(None)
    response = client.get(f"{P}/utskrivningsklare/csv/")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    leka = [line for line in text.splitlines() if ";5052;" in line]
    assert len(leka) == 2
    assert all(";;;;hidden (small numbers)" in line for line in leka)
    data = json.loads(client.get(f"{P}/utskrivningsklare/json-stat2/").content)
    assert data["class"] == "dataset" and data["version"] == "2.0"
    rows, years = data["size"]
    assert len(data["value"]) == rows * years
    areas = data["dimension"]["Region"]["category"]["index"]
    leka_at = areas["5052"] * years
    assert data["value"][leka_at : leka_at + years] == [None, None]
    assert data["status"][str(leka_at)] == ":"
    assert data["value"][areas["5037"] * years] == 10.0


def test_the_kommune_page_has_every_indicator_beside_its_region_and_the_country(
    as_person: Any, leka_small: Any
) -> None:
    page = as_person(None).get(f"{P}/kommune/5037/").content.decode()
    assert "Levanger" in page and "Innherred" in page
    assert "Befolkning 80 år og eldre" in page
    assert "10.8" in page  # the country


def _grow(hnt: Any, first: int) -> None:
    """More years of figures, each year its own import."""
    for year in range(first, 2023):
        factory.store(hnt, "utskrivningsklare", year, {n: (10, 50, 5000) for n in KOMMUNER})
        factory.store(hnt, "overliggedogn", year, {n: (20, 100, 5000) for n in KOMMUNER})


PINNED = [
    (None, f"{P}/", 12),
    (None, f"{P}/utskrivningsklare/", 9),
    (None, f"{P}/overliggedogn/", 10),
    (None, f"{P}/kommune/5052/", 12),
    (None, f"{P}/utskrivningsklare/csv/", 9),
    (None, f"{P}/utskrivningsklare/json-stat2/", 9),
    ("lena", f"{I}/", 11),
    ("lena", f"{I}/utskrivningsklare/", 17),
    (None, "/api/statistics/hnt", 12),
    (None, "/api/statistics/hnt/utskrivningsklare", 9),
]


@pytest.mark.parametrize(("who", "url", "pinned"), PINNED)
def test_the_statistics_pages_pin_their_queries(
    as_person: Any, leka_small: Any, who: str | None, url: str, pinned: int
) -> None:
    client = as_person(who)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
            if hasattr(response, "streaming_content"):
                b"".join(response.streaming_content)
            assert response.status_code == 200
        return len(queries)

    _grow(leka_small, 2021)
    count()
    assert count() == pinned
    _grow(leka_small, 2012)
    assert count() == pinned


def test_the_api_gives_the_public_figures_with_their_provenance(
    as_person: Any, leka_small: Any
) -> None:
    data = as_person(None).get("/api/statistics/hnt/utskrivningsklare").json()
    assert data["years"] == [2023, 2024]
    leka = next(a for a in data["areas"] if a["code"] == "5052")
    assert [f["value"] for f in leka["figures"]] == [None, None]
    assert {f["status"] for f in leka["figures"]} == {"hidden"}
    assert all(f["numerator"] is None for f in leka["figures"])
    levanger = next(a for a in data["areas"] if a["code"] == "5037")
    assert levanger["figures"][-1] == {
        "year": 2024,
        "value": 10.0,
        "numerator": 50.0,
        "denominator": 5000.0,
        "status": "",
    }
    assert data["sources"][0]["source"] == "Testkilde"
    listing = as_person(None).get("/api/statistics/hnt").json()
    first = next(i for i in listing if i["code"] == "utskrivningsklare")
    assert first["country"] == 10.8 and first["latest_year"] == 2024
    schema = as_person(None).get("/api/openapi.json").json()
    assert "/api/statistics/{partnership}/{code}" in schema["paths"]
