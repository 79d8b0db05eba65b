"""The public statistics: counts only, small counts suppressed, nothing exact
from which a suppressed count could be recovered."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from deviations.models import DeviationConfig
from deviations.tests.test_statistics import clear_deviations, make_deviation, org, trust
from partnerships.models import Partnership


@pytest.fixture
def published(people: SimpleNamespace, hnt: Partnership) -> None:
    """Seven from Levanger to the trust and two from the trust to Namsos,
    all this quarter; statistics published."""
    clear_deviations(hnt)
    today = timezone.localdate().isoformat()
    for _i in range(7):
        make_deviation(hnt, people.lena, org("5037"), trust(hnt), "C", submitted=today)
    for _i in range(2):
        make_deviation(hnt, people.hanne, trust(hnt), org("5007"), "B", submitted=today)
    DeviationConfig.objects.update_or_create(partnership=hnt, defaults={"public_statistics": True})


def _tables(response: Any) -> dict[str, dict[str, str]]:
    return {t["title"]: dict(t["rows"]) for t in response.context["tables"]}


def test_it_suppresses_small_counts_and_rounds_the_rest(published: None, client: Any) -> None:
    response = client.get("/hnt/helsefellesskap/avvik/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    tables = _tables(response)
    by_category = tables["By category"]
    assert by_category == {
        "B Under opphold i spesialisthelsetjenesten": "<5",
        "C Ved utskrivning": "5",
    }
    assert list(tables["By direction"].values()) == ["5", "<5", "0"]
    assert tables["By region of the reporting party"] == {"Innherred": "5", "No region": "<5"}
    # This quarter: 9, shown rounded; the total too.
    assert list(tables["By quarter"].values())[-1] == "10"
    assert set(list(tables["By quarter"].values())[:-1]) == {"0"}
    assert response.context["total"] == "10"
    html = response.content.decode()
    # Neither the exact total (9) nor the exact count 7 (10 − "<5" = 7 or
    # 9 − 2 = 7) appears anywhere in the tables.
    body = html.split("<main", 1)[-1]
    assert ">9<" not in body and ">7<" not in body and ">2<" not in body
    assert "&lt;5" in body


def test_it_shows_counts_only(published: None, client: Any) -> None:
    html = client.get("/hnt/helsefellesskap/avvik/").content.decode()
    assert "Epikrise" not in html
    assert "Medisinsk avdeling" not in html
    assert "AV-" not in html


def test_it_is_not_there_until_the_partnership_publishes(
    published: None, client: Any, hnt: Partnership
) -> None:
    DeviationConfig.objects.filter(partnership=hnt).update(public_statistics=False)
    assert client.get("/hnt/helsefellesskap/avvik/").status_code == 404
