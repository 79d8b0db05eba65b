"""Every statistics URL (internal and public) × every named person → the
expected status.

Internal: the secretariat and administrators (Sara, Ada) import files; they
and the parties' coordinators and leaders (Lena, Nils, Hanne, Siri, Kai) see
every figure, small ones included. The observer (Stine) is refused (403).
Outsiders (no role, or only in the other partnership) get 404; anonymous
visitors are sent to log in. An import of another partnership is 404.

Public: the same answer for everyone; an unknown indicator and a kommune
outside the partnership are 404.
"""

from __future__ import annotations

from typing import Any

import pytest

from indicators.models import ImportBatch
from indicators.tests import factory
from partnerships.models import Partnership
from tests.matrix import PEOPLE, expect_hnt, only_hnt, statuses

MANAGERS = {"sara", "ada"}
SMALL_NUMBERS = MANAGERS | {"lena", "nils", "hanne", "siri", "kai"}
EMPTY: dict[str, str] = {}
ALL_200 = dict.fromkeys(PEOPLE, 200)
ALL_404 = dict.fromkeys(PEOPLE, 404)


I = "/hnt/intern/statistikk"  # noqa: E741
P = "/hnt/tall-og-statistikk"

CASES: list[tuple[str, str, dict[str, str], dict[str, int]]] = [
    # indicators:index
    ("GET", f"{I}/", EMPTY, only_hnt(SMALL_NUMBERS, 200)),
    # indicators:upload (an empty form comes back with its errors; a GET goes back)
    ("POST", f"{I}/import/", EMPTY, only_hnt(MANAGERS, 400)),
    ("GET", f"{I}/import/", EMPTY, only_hnt(MANAGERS, 302)),
    # indicators:batch
    ("GET", f"{I}/import/{{batch}}/", EMPTY, only_hnt(MANAGERS, 200)),
    ("GET", f"{I}/import/{{stolav_batch}}/", EMPTY, only_hnt(MANAGERS, 404)),
    ("GET", f"{I}/import/999999/", EMPTY, only_hnt(MANAGERS, 404)),
    # indicators:batch_apply (this batch's file no longer reads: back to it)
    ("POST", f"{I}/import/{{batch}}/lagre/", EMPTY, only_hnt(MANAGERS, 302)),
    ("GET", f"{I}/import/{{batch}}/lagre/", EMPTY, expect_hnt(405)),
    ("POST", f"{I}/import/{{stolav_batch}}/lagre/", EMPTY, only_hnt(MANAGERS, 404)),
    # indicators:batch_discard
    ("POST", f"{I}/import/{{batch}}/forkast/", EMPTY, only_hnt(MANAGERS, 302)),
    ("GET", f"{I}/import/{{batch}}/forkast/", EMPTY, expect_hnt(405)),
    # indicators:indicator
    ("GET", f"{I}/utskrivningsklare/", EMPTY, only_hnt(SMALL_NUMBERS, 200)),
    ("GET", f"{I}/finnes-ikke/", EMPTY, only_hnt(SMALL_NUMBERS, 404)),
    # portal:statistics
    ("GET", f"{P}/", EMPTY, ALL_200),
    # public_indicators:indicator
    ("GET", f"{P}/overliggedogn/", EMPTY, ALL_200),
    ("GET", f"{P}/finnes-ikke/", EMPTY, ALL_404),
    # public_indicators:kommune (Trondheim is St. Olav's, not HNT's)
    ("GET", f"{P}/kommune/5052/", EMPTY, ALL_200),
    ("GET", f"{P}/kommune/5001/", EMPTY, ALL_404),
    # public_indicators:csv
    ("GET", f"{P}/overliggedogn/csv/", EMPTY, ALL_200),
    ("GET", f"{P}/finnes-ikke/csv/", EMPTY, ALL_404),
    # public_indicators:json_stat2
    ("GET", f"{P}/overliggedogn/json-stat2/", EMPTY, ALL_200),
    ("GET", f"{P}/finnes-ikke/json-stat2/", EMPTY, ALL_404),
]


def _fixture() -> dict[str, int]:
    hnt = Partnership.objects.get(slug="hnt")
    stolav = Partnership.objects.get(slug="stolav")
    pending = factory.batch(hnt)
    pending.status = ImportBatch.Status.PENDING
    pending.save()
    other = factory.batch(stolav)
    return {"batch": pending.pk, "stolav_batch": other.pk}


def _reset(ids: dict[str, int]) -> None:
    ImportBatch.objects.filter(pk=ids["batch"]).update(status=ImportBatch.Status.PENDING)


@pytest.mark.parametrize(
    ("method", "url", "data", "expected"),
    CASES,
    ids=[f"{m} {u} {'data' if d else ''}" for m, u, d, _ in CASES],
)
def test_statistics_permission_matrix(
    as_person: Any,
    people: Any,
    method: str,
    url: str,
    data: dict[str, str],
    expected: dict[str, int],
) -> None:
    ids = _fixture()
    got = statuses(as_person, method, url.format(**ids), data, after_write=lambda: _reset(ids))
    assert got == expected


API = "/api/statistics"

API_CASES: list[tuple[str, dict[str, int]]] = [
    # api:list_indicators
    (f"{API}/hnt", ALL_200),
    (f"{API}/finnes-ikke", ALL_404),
    # api:get_indicator
    (f"{API}/hnt/overliggedogn", ALL_200),
    (f"{API}/hnt/finnes-ikke", ALL_404),
    (f"{API}/finnes-ikke/overliggedogn", ALL_404),
]


@pytest.mark.parametrize(("url", "expected"), API_CASES, ids=[u for u, _ in API_CASES])
def test_statistics_api_permission_matrix(
    as_person: Any, people: Any, url: str, expected: dict[str, int]
) -> None:
    assert statuses(as_person, "GET", url, EMPTY) == expected
