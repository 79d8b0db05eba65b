"""The routines API: open to all, read-only, what is or was in force only."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from partnerships.models import Partnership
from routines.models import Routine
from routines.tests.factory import draft, guideline, in_force, levanger, make

D = datetime.date
URL = "/api/routines/hnt"
SECRET = "Utkast som bare de innenfor skal lese"


@pytest.fixture
def routines(hnt: Partnership, people: Any) -> dict[str, Routine]:
    published = make(hnt, "Test: API-rutine", "test-api", clause_key="utskrivning", number="T1")
    in_force(published, "2023", D(2023, 1, 1), text="<p>Gammel tekst.</p>")
    in_force(published, "2025", D(2025, 5, 1), text="<p>Teksten som gjelder.</p>")
    draft(published, "2026", text=f"<p>{SECRET}</p>")
    local = make(hnt, "Test: Levangers API-rutine", "test-api-levanger", party=levanger())
    in_force(local, "1", D(2024, 2, 1))
    hidden = make(hnt, "Test: API-utkast", "test-api-utkast")
    draft(hidden, "1", text=f"<p>{SECRET}</p>")
    return {"published": published, "local": local, "hidden": hidden}


def _get(url: str) -> Any:
    response = Client().get(url)
    assert response.status_code == 200, (url, response.content)
    return response.json()


def test_the_schema_lists_the_endpoints(db: Any) -> None:
    paths = Client().get("/api/openapi.json").json()["paths"]
    for path in ["/api/routines/{partnership}", "/api/routines/{partnership}/{slug}"]:
        assert path in paths
        assert "404" in paths[path]["get"]["responses"]
        assert "security" not in paths[path]["get"]


def test_the_list_has_the_routines_in_force(routines: dict[str, Routine], hnt: Any) -> None:
    rows = {row["slug"]: row for row in _get(URL)}
    assert "test-api-utkast" not in rows
    row = rows["test-api"]
    first = guideline(hnt)
    assert row["title"] == "Test: API-rutine" and row["number"] == "T1"
    assert row["agreement"] == {
        "slug": first.slug,
        "number": first.number,
        "title": first.title,
        "published": True,
    }
    assert row["clause"]["key"] == "utskrivning" and row["clause"]["heading"] == "Utskrivning"
    assert row["owner"] == {
        "kind": "council",
        "name": "Administrativt samarbeidsutvalg",
        "council": "asu",
        "party": None,
    }
    assert (row["version"], row["in_force_from"]) == ("2025", "2025-05-01")
    assert row["next_review"] == "2027-05-01"
    assert row["url"] == "/hnt/samhandlingsrutiner/test-api/"
    local = rows["test-api-levanger"]
    assert (
        local["owner"]["kind"] == "party" and local["owner"]["party"]["name"] == "Levanger kommune"
    )
    assert local["clause"] is None
    assert SECRET not in str(rows)


def test_one_routine_has_its_text_and_the_versions_that_were_in_force(
    routines: dict[str, Routine],
) -> None:
    body = _get(f"{URL}/test-api")
    assert body["text"] == "<p>Teksten som gjelder.</p>"
    assert [(v["label"], v["status"], v["in_force_to"]) for v in body["versions"]] == [
        ("2025", "in_force", None),
        ("2023", "replaced", "2025-04-30"),
    ]
    assert SECRET not in str(body)


@pytest.mark.parametrize(
    "url",
    [
        f"{URL}/test-api-utkast",
        f"{URL}/ingen-slik",
        "/api/routines/ingen-slik",
        "/api/routines/stolav/test-api",
    ],
)
def test_what_is_not_public_is_404(routines: dict[str, Routine], url: str) -> None:
    assert Client().get(url).status_code == 404


def test_the_answers_take_a_fixed_number_of_queries(
    routines: dict[str, Routine], hnt: Partnership
) -> None:
    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            _get(url)
        return len(queries)

    # The partnership; the routines, their versions in force, the clauses,
    # which agreements are published (the same for one routine).
    before = (count(URL), count(f"{URL}/test-api"))
    assert before == (5, 5)
    for n in range(4):
        extra = make(hnt, f"Test: Ekstra {n}", f"test-ekstra-{n}", clause_key="kad")
        in_force(extra, "1", D(2024, 1, 1))
        in_force(extra, "2", D(2025, 1, 1))
    in_force(routines["published"], "2026-b", D(2026, 1, 1))
    assert (count(URL), count(f"{URL}/test-api")) == before
