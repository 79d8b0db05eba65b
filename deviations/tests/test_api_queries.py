"""The API's list and detail use a fixed number of queries, whatever the
number of deviations."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from deviations.tests.test_api import (
    URL,
    bearer,
    hnt_hf,
    levanger,
    make_deviation,
    make_token,
    namsos,
)

# An API call costs: the token with its partnership and party (one query;
# once a day one more records the day of use, done by the first call below),
# then the deviations with both parties, category and guideline joined.
PINNED = {
    URL: 2,
    URL + "?status=open&since=2000-01-01": 2,
    "{one}": 2,
}


def _count(client: Client, url: str, token: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=bearer(token))
    assert response.status_code == 200
    return len(queries)


def test_the_api_pins_its_query_count_and_it_does_not_grow(people: Any) -> None:
    first = make_deviation(levanger(), hnt_hf())
    token = make_token(people, levanger())
    client = Client()
    client.get(URL, headers=bearer(token))  # records today's use
    urls = {url: url.replace("{one}", f"{URL}/{first.number}") for url in PINNED}
    before = {url: _count(client, target, token) for url, target in urls.items()}
    assert before == PINNED
    for i in range(15):
        make_deviation(levanger(), [hnt_hf(), namsos()][i % 2], description=f"Avvik {i}")
        make_deviation(namsos(), levanger(), description=f"Mottatt {i}")
    after = {url: _count(client, target, token) for url, target in urls.items()}
    assert after == PINNED
    assert len(client.get(URL, headers=bearer(token)).json()) >= 31


def test_the_first_call_of_the_day_records_the_use_once(people: Any) -> None:
    token = make_token(people, levanger())
    client = Client()
    with CaptureQueriesContext(connection) as first:
        client.get(URL, headers=bearer(token))
    with CaptureQueriesContext(connection) as second:
        client.get(URL, headers=bearer(token))
    assert len(first) == len(second) + 1
    assert sum("UPDATE" in q["sql"] for q in first.captured_queries) == 1
    assert not any("UPDATE" in q["sql"] for q in second.captured_queries)
