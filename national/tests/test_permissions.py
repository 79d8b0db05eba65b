"""Every national comparison URL × every named person → the expected status.

Inside (``/hnt/intern/nasjonalt/``): the secretariat and administrators
(Sara, Ada) take part, publish, import and withdraw; HNT's other insiders
are refused (403); outsiders get 404, anonymous visitors are sent to log
in. A year of another partnership cannot be withdrawn (404). The public
pages give everyone the same answer.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from national.models import Snapshot
from tests.matrix import PEOPLE, expect_hnt, only_hnt, statuses

MANAGERS = {"sara", "ada"}
EMPTY: dict[str, str] = {}
ALL_200 = dict.fromkeys(PEOPLE, 200)
ALL_404 = dict.fromkeys(PEOPLE, 404)
I = "/hnt/intern/nasjonalt"  # noqa: E741


def _ids() -> dict[str, Any]:
    year = timezone.localdate().year
    return {
        "year": year,
        "hnt": Snapshot.objects.get(identifier="hnt", year=year).pk,
        "stolav": Snapshot.objects.get(identifier="stolav", year=year).pk,
    }


CASES: list[tuple[str, str, dict[str, str], dict[str, int]]] = [
    # national:manage
    ("GET", f"{I}/", EMPTY, only_hnt(MANAGERS, 200)),
    # national:sharing (no choice made: back to the page with a message)
    ("POST", f"{I}/deltakelse/", EMPTY, only_hnt(MANAGERS, 302)),
    ("GET", f"{I}/deltakelse/", EMPTY, expect_hnt(405)),
    # national:publish (no year chosen)
    ("POST", f"{I}/publiser/", EMPTY, only_hnt(MANAGERS, 302)),
    ("GET", f"{I}/publiser/", EMPTY, expect_hnt(405)),
    # national:import (no file: the form with its errors; a GET goes back)
    ("POST", f"{I}/importer/", EMPTY, only_hnt(MANAGERS, 400)),
    ("GET", f"{I}/importer/", EMPTY, only_hnt(MANAGERS, 302)),
    # national:withdraw (see the test below for HNT's own year)
    ("POST", f"{I}/{{stolav}}/trekk-tilbake/", EMPTY, only_hnt(MANAGERS, 404)),
    ("POST", f"{I}/999999/trekk-tilbake/", EMPTY, only_hnt(MANAGERS, 404)),
    ("GET", f"{I}/{{hnt}}/trekk-tilbake/", EMPTY, expect_hnt(405)),
    # national_public:index, national_public:year
    ("GET", "/nasjonalt/", EMPTY, ALL_200),
    ("GET", "/nasjonalt/{year}/", EMPTY, ALL_200),
    ("GET", "/nasjonalt/1999/", EMPTY, ALL_404),
    # national_public:figure
    ("GET", "/nasjonalt/{year}/aktivitet/meetings_held/", EMPTY, ALL_200),
    ("GET", "/nasjonalt/{year}/aktivitet/nothing/", EMPTY, ALL_404),
    # national_public:file, national_public:csv
    ("GET", "/nasjonalt/{year}/stolav.json", EMPTY, ALL_200),
    ("GET", "/nasjonalt/{year}/nobody.json", EMPTY, ALL_404),
    ("GET", "/nasjonalt/{year}/csv/", EMPTY, ALL_200),
]


@pytest.mark.parametrize(
    ("method", "url", "data", "expected"),
    CASES,
    ids=[f"{m} {u}" for m, u, _d, _e in CASES],
)
def test_national_permission_matrix(
    as_person: Any,
    people: Any,
    method: str,
    url: str,
    data: dict[str, str],
    expected: dict[str, int],
) -> None:
    got = statuses(as_person, method, url.format(**_ids()), data)
    assert got == expected


def test_national_withdraw_permission_matrix(as_person: Any, people: Any) -> None:
    """Withdrawing HNT's year: the secretariat and administrators may (each
    finds it again: it is put back after every request)."""
    ids = _ids()
    kept = Snapshot.objects.get(pk=ids["hnt"])

    def put_back() -> None:
        if not Snapshot.objects.filter(pk=kept.pk).exists():
            kept.save(force_insert=True)

    got = statuses(
        as_person, "POST", f"{I}/{ids['hnt']}/trekk-tilbake/", EMPTY, after_write=put_back
    )
    assert got == only_hnt(MANAGERS, 302)
