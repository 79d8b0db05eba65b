"""Every statistics, export, quarterly-report and public-statistics URL ×
every named person → the expected status code.

Outsiders (other partnership, no role) get 404; insiders who neither handle
nor manage deviations (the observer) 403; the quarterly report is for the
secretariat and administrators only; anonymous visitors are sent to log in.
The public statistics answer 404 to everyone until the partnership turns
them on, and 200 to everyone after.
"""

from __future__ import annotations

from typing import Any

import pytest

from deviations.models import DeviationConfig
from partnerships.models import Partnership
from tests.matrix import PEOPLE

INSIDERS_HNT = {"sara", "ada", "lena", "nils", "hanne", "stine", "siri", "kai"}
INSIDERS_STOLAV = {"siri", "kai", "tor", "petter", "stine"}


def _expect(
    insider: int,
    *,
    insiders: set[str] = INSIDERS_HNT,
    overrides: dict[str, int] | None = None,
) -> dict[str, int]:
    result = {p: (insider if p in insiders else 404) for p in PEOPLE}
    result["anon"] = 302
    result.update(overrides or {})
    return result


# The observer neither handles nor manages deviations.
OBSERVER_403 = {"stine": 403}
MANAGE_403 = {"lena": 403, "nils": 403, "hanne": 403, "stine": 403, "siri": 403, "kai": 403}
QUARTER = {"quarter": "", "council": ""}

CASES: list[tuple[str, str, dict[str, str], dict[str, int]]] = [
    ("GET", "/hnt/intern/avvik/statistikk/", {}, _expect(200, overrides=OBSERVER_403)),
    (
        "GET",
        "/hnt/intern/avvik/statistikk/?period=year&start=2024-01-01&end=2025-12-31",
        {},
        _expect(200, overrides=OBSERVER_403),
    ),
    ("GET", "/hnt/intern/avvik/eksport.csv", {}, _expect(200, overrides=OBSERVER_403)),
    ("GET", "/hnt/intern/avvik/eksport.xlsx", {}, _expect(200, overrides=OBSERVER_403)),
    ("GET", "/hnt/intern/avvik/kvartalsrapport/", {}, _expect(200, overrides=MANAGE_403)),
    # An empty form comes back with its errors for those who may create.
    ("POST", "/hnt/intern/avvik/kvartalsrapport/", QUARTER, _expect(200, overrides=MANAGE_403)),
    # A trend to a council: the secretariat is sent back to the statistics
    # with what was missing; the others may not.
    ("POST", "/hnt/intern/avvik/statistikk/sak/", {}, _expect(302, overrides=MANAGE_403)),
    ("GET", "/hnt/intern/avvik/statistikk/sak/", {}, dict.fromkeys(PEOPLE, 405)),
    # In the other partnership, by its own people.
    (
        "GET",
        "/stolav/intern/avvik/statistikk/",
        {},
        _expect(200, insiders=INSIDERS_STOLAV, overrides=OBSERVER_403),
    ),
    (
        "GET",
        "/stolav/intern/avvik/eksport.csv",
        {},
        _expect(200, insiders=INSIDERS_STOLAV, overrides=OBSERVER_403),
    ),
    (
        "GET",
        "/stolav/intern/avvik/kvartalsrapport/",
        {},
        _expect(
            200,
            insiders=INSIDERS_STOLAV,
            overrides={"siri": 403, "kai": 403, "tor": 403, "stine": 403},
        ),
    ),
]


@pytest.mark.parametrize(("method", "url", "data", "expected"), CASES)
@pytest.mark.parametrize("person", PEOPLE)
def test_statistics_permission_matrix(
    as_person: Any,
    method: str,
    url: str,
    data: dict[str, str],
    expected: dict[str, int],
    person: str,
) -> None:
    client = as_person(None if person == "anon" else person)
    response = client.get(url) if method == "GET" else client.post(url, data)
    assert response.status_code == expected[person], (person, method, url)


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize("published", [False, True])
def test_public_statistics_permission_matrix(
    as_person: Any, hnt: Partnership, person: str, published: bool
) -> None:
    DeviationConfig.objects.update_or_create(
        partnership=hnt, defaults={"public_statistics": published}
    )
    client = as_person(None if person == "anon" else person)
    response = client.get("/hnt/helsefellesskap/avvik/")
    assert response.status_code == (200 if published else 404)


def test_the_quarterly_report_post_works_for_the_secretariat_and_administrators(
    as_person: Any, hnt: Partnership
) -> None:
    from councils.models import Council

    council = Council.objects.filter(partnership=hnt, kind=Council.Kind.ASU).get()
    for person in ("sara", "ada"):
        response = as_person(person).post(
            "/hnt/intern/avvik/kvartalsrapport/",
            {"quarter": _last_quarter(), "council": council.pk},
        )
        assert response.status_code == 302
    for person in ("lena", "hanne", "stine"):
        response = as_person(person).post(
            "/hnt/intern/avvik/kvartalsrapport/",
            {"quarter": _last_quarter(), "council": council.pk},
        )
        assert response.status_code == 403
    for person in ("tor", "otto"):
        response = as_person(person).post(
            "/hnt/intern/avvik/kvartalsrapport/",
            {"quarter": _last_quarter(), "council": council.pk},
        )
        assert response.status_code == 404


def _last_quarter() -> str:
    from django.utils import timezone

    from deviations.quarterly import recent_quarters

    year, q = recent_quarters(timezone.localdate())[1]
    return f"{year}-{q}"
