"""Bad input gets a clear 4xx, never a 500, and nothing is stored: every
case a tester found (issue 10, section 6), at the edge where it comes in."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from crisis.tests.test_api import body as crisis_body
from crisis.tests.test_api import make_crisis
from crisis.tests.test_api import make_token as crisis_token
from deviations.models import Deviation
from deviations.tests.test_api import bearer, levanger, make_token, payload

DEVIATIONS = "/api/deviations"


@pytest.fixture
def client() -> Client:
    return Client(raise_request_exception=False)


@pytest.fixture
def levanger_token(people: Any) -> dict[str, str]:
    return bearer(make_token(people, levanger()))


def _post_json(client: Client, url: str, data: Any, headers: dict[str, str]) -> Any:
    return client.post(url, data, content_type="application/json", headers=headers)


# --- NUL bytes -------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["description", "immediate_measures", "external_reference"])
def test_a_nul_byte_in_a_deviation_text_is_refused(
    client: Client, levanger_token: dict[str, str], field: str
) -> None:
    before = Deviation.objects.count()
    response = _post_json(client, DEVIATIONS, payload(**{field: "Før\x00etter"}), levanger_token)
    assert response.status_code in (400, 422)
    assert Deviation.objects.count() == before


def test_a_nul_byte_in_a_crisis_report_is_refused(client: Client, people: Any) -> None:
    crisis = make_crisis(people.sara)
    token = crisis_token(people, levanger())
    data = crisis_body(crisis, comments={"cases": "nul\x00byte"})
    response = _post_json(client, f"/api/crisis/{crisis.pk}/reports", data, bearer(token))
    assert response.status_code in (400, 422)


@pytest.mark.parametrize(
    "url",
    [
        "/api/partnerships/hn%00t",
        "/hnt/helsefellesskap/sok/?q=m%00te",
        "/hnt%00/",
    ],
)
def test_a_nul_byte_in_the_address_is_refused(client: Client, people: Any, url: str) -> None:
    assert client.get(url).status_code in (400, 404)


def test_a_nul_byte_in_a_form_is_refused(client: Client, people: Any) -> None:
    from conftest import log_in

    log_in(client, people.lena)
    response = client.post("/hnt/intern/avvik/ny/", {"description": "a\x00b"})
    assert response.status_code == 400


# --- numbers out of range ------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/hnt/helsefellesskap/sok/?q=m%C3%B8te&page=100000000000000000000",
        "/hnt/helsefellesskap/sok/?q=m%C3%B8te&page=-1",
        "/hnt/helsefellesskap/sok/?q=m%C3%B8te&page=abc",
        "/api/partnerships/hnt/search?q=m%C3%B8te&page=1e20",
        "/api/partnerships/hnt/search?q=m%C3%B8te&page=100000000000000000000",
    ],
)
def test_a_page_number_out_of_range_is_not_a_server_error(
    client: Client, people: Any, url: str
) -> None:
    assert client.get(url).status_code in (200, 400, 404, 422)


def test_a_huge_page_number_on_internal_search_is_not_a_server_error(
    client: Client, people: Any
) -> None:
    from conftest import log_in

    log_in(client, people.lena)
    url = "/hnt/intern/sok/?q=m%C3%B8te&page=100000000000000000000"
    assert client.get(url).status_code in (200, 400, 404)


@pytest.mark.parametrize(
    "moment",
    [
        "2026-11-02T10:00:00-16:00",
        "2026-11-02T10:00:00+23:59",
        "0001-01-01T00:00:00+01:00",
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59-01:00",
    ],
)
def test_an_impossible_moment_is_refused(
    client: Client, levanger_token: dict[str, str], moment: str
) -> None:
    before = Deviation.objects.count()
    response = _post_json(client, DEVIATIONS, payload(occurred_at=moment), levanger_token)
    assert response.status_code in (400, 422), response.content
    assert Deviation.objects.count() == before


def test_a_year_one_date_in_the_form_is_refused(client: Client, people: Any) -> None:
    from conftest import log_in
    from deviations.tests.conftest import form_data

    log_in(client, people.lena)
    response = client.post(
        "/hnt/intern/avvik/ny/", form_data(occurred_on="0001-01-01", occurred_time="10:00")
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    "query",
    [
        "start=0001-01-01&end=9999-12-31",
        "start=9999-12-31&end=0001-01-01",
        "start=2026-13-45",
        "period=century",
    ],
)
def test_statistics_for_an_impossible_range_are_not_a_server_error(
    client: Client, people: Any, query: str
) -> None:
    from conftest import log_in

    log_in(client, people.sara)
    assert client.get(f"/hnt/intern/avvik/statistikk/?{query}").status_code in (200, 400)


# --- too large, headers, health ------------------------------------------------------


def test_a_body_over_the_limit_is_413(
    client: Client, levanger_token: dict[str, str], settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_000
    data = payload(description="x" * 5_000)
    response = _post_json(client, DEVIATIONS, data, levanger_token)
    assert response.status_code == 413


def test_logged_in_pages_and_exports_are_not_cached(client: Client, people: Any) -> None:
    from conftest import log_in

    log_in(client, people.sara)
    for url in ("/hnt/intern/", "/konto/", "/hnt/intern/avvik/eksport.csv"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response.get("Cache-Control", ""), url


def test_public_pages_may_be_cached(client: Client, people: Any) -> None:
    assert "no-store" not in client.get("/hnt/").get("Cache-Control", "")
