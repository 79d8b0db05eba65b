"""The quarterly report for ASU: a draft case with the quarter's figures,
the trend and the overdue deviations, created once per quarter and council."""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import translation

from councils.models import Case, Council
from deviations import quarterly
from deviations.tests.test_statistics import build_dataset
from partnerships.models import Partnership


@pytest.fixture
def dataset(people: SimpleNamespace, hnt: Partnership) -> dict[str, Any]:
    return build_dataset(people, hnt)


def asu(hnt: Partnership) -> Council:
    return Council.objects.get(partnership=hnt, kind=Council.Kind.ASU)


def test_the_paper_holds_the_figures_the_trend_and_the_overdue_deviations(
    dataset: dict[str, Any], hnt: Partnership
) -> None:
    with translation.override("en"):
        text = quarterly.paper(hnt, 2025, 2, today=datetime.date(2025, 7, 15))
    assert text["title"].endswith("2025 Q2")  # in English, as asked
    background = text["background"]
    # Q2 2025: 4, 5, 6 reported; 4 and 6 answered, both in time.
    assert "Reported                      3" in background
    assert "Answered within the deadline  2" in background
    # The trend: four quarters before and this one.
    assert "2024 Q2           0\n2024 Q3           0\n2024 Q4           1\n" in background
    assert "2025 Q1           3\n2025 Q2           3\n" in background
    # Open and past the deadline on 2025-07-15: #3 (due 03-13, 124 days), #5 (due 06-05, 40).
    number3, number5 = dataset["rows"][2].number, dataset["rows"][4].number
    assert f"{number3}  Namsos kommune" in background
    assert background.index(number3) < background.index(number5)
    assert "  124" in background and "   40" in background
    # No free text of any deviation.
    assert "Epikrise" not in background and "Rutinen" not in background
    assert "3 deviations were reported in 2025 Q2, +0" in text["assessment"]


def test_the_secretariat_creates_the_case_once_per_quarter_and_council(
    dataset: dict[str, Any], hnt: Partnership, as_person: Any, people: SimpleNamespace
) -> None:
    client = as_person("sara")
    page = client.get("/hnt/intern/avvik/kvartalsrapport/")
    assert page.status_code == 200
    assert page.context["form"]["council"].initial == asu(hnt).pk
    year, q = quarterly.recent_quarters(datetime.date.today())[1]
    before = Case.objects.filter(partnership=hnt).count()
    first = client.post(
        "/hnt/intern/avvik/kvartalsrapport/", {"quarter": f"{year}-{q}", "council": asu(hnt).pk}
    )
    second = client.post(
        "/hnt/intern/avvik/kvartalsrapport/", {"quarter": f"{year}-{q}", "council": asu(hnt).pk}
    )
    assert Case.objects.filter(partnership=hnt).count() == before + 1
    case = Case.objects.get(client_key=quarterly.client_key(hnt, asu(hnt), year, q))
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == f"/hnt/intern/rad/saker/{case.pk}/"
    assert case.council == asu(hnt)
    assert case.visibility == "partnership"
    assert case.created_by == people.sara
    # Another council gets its own case.
    other = Council.objects.filter(partnership=hnt).exclude(pk=asu(hnt).pk).first()
    assert other is not None
    client.post(
        "/hnt/intern/avvik/kvartalsrapport/", {"quarter": f"{year}-{q}", "council": other.pk}
    )
    assert Case.objects.filter(partnership=hnt).count() == before + 2


def test_a_council_of_another_partnership_is_refused(hnt: Partnership, as_person: Any) -> None:
    foreign = Council.objects.exclude(partnership=hnt).first()
    assert foreign is not None
    before = Case.objects.count()
    response = as_person("sara").post(
        "/hnt/intern/avvik/kvartalsrapport/", {"quarter": "2025-1", "council": foreign.pk}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["council"]
    assert Case.objects.count() == before
