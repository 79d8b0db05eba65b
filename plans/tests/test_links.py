"""A measure links to the cases, decisions, follow-ups, agreements and
indicators it concerns; the public sees only what is public elsewhere, and
the indicators' figures beside the measure after the rule for small
numbers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from councils.models import Case, Council, Decision
from councils.public_views import public_cases
from followups.models import FollowUp
from indicators.models import Indicator
from indicators.tests import factory as figures_factory
from partnerships.models import Partnership
from plans.tests.factory import goal, kommune, measure, plan
from plans.tests.test_editing import _measure_data

pytestmark = pytest.mark.django_db

I = "/hnt/intern/handlingsplan"  # noqa: E741
P = "/hnt/handlingsplan"


@pytest.fixture
def linked(hnt: Any) -> dict[str, Any]:
    adopted = plan(hnt)
    elderly = goal(adopted)
    leaf = measure(elderly, "Tiltak med lenker", parties=[kommune("5037")])
    # A decided public case, whatever the demo's dates are today.
    decision = Decision.objects.filter(treatment__case__in=public_cases(hnt)).first()
    internal_case = Case.objects.filter(partnership=hnt, visibility="partnership").first()
    followup = FollowUp.objects.filter(partnership=hnt).first()
    assert decision and internal_case and followup
    public_case = decision.treatment.case
    return {
        "goal": elderly,
        "measure": leaf,
        "public_case": public_case,
        "internal_case": internal_case,
        "decision": decision,
        "followup": followup,
    }


def test_the_secretariat_links_a_measure_and_the_pages_show_it(
    as_person: Any, hnt: Any, linked: dict[str, Any]
) -> None:
    figures_factory.clear(hnt)
    everywhere: dict[str, Any] = {
        p.organisation.municipality_number: (Decimal("12.5"), 250, 20000)
        for p in hnt.participations.filter(organisation__kind="kommune")
    }
    figures_factory.store(hnt, "overliggedogn", 2024, {**everywhere, "0": Decimal("27.5")})
    leaf = linked["measure"]
    data = _measure_data(
        title=leaf.title,
        version=str(leaf.version),
        indicators=[str(Indicator.objects.get(code="overliggedogn").pk)],
        cases=[str(linked["public_case"].pk), str(linked["internal_case"].pk)],
        decisions=[str(linked["decision"].pk)],
        followups=[str(linked["followup"].pk)],
    )
    response = as_person("sara").post(f"{I}/tiltak/{leaf.pk}/rediger/", data)
    assert response.status_code == 302
    assert set(leaf.cases.all()) == {linked["public_case"], linked["internal_case"]}
    assert leaf.indicators.get().code == "overliggedogn"

    inside = as_person("lena").get(f"{I}/tiltak/{leaf.pk}/").content.decode()
    assert linked["internal_case"].number in inside
    assert linked["followup"].title in inside
    assert "Overliggedøgn per 1 000 innbyggere" in inside

    outside = as_person(None).get(f"{P}/tiltak/{leaf.pk}/").content.decode()
    assert f"/hnt/helsefellesskap/rad/saker/{linked['public_case'].pk}/" in outside
    assert f"saker/{linked['internal_case'].pk}/" not in outside
    assert linked["followup"].title not in outside
    # The indicator beside the measure: the partnership's figure and the country's.
    assert "Indicators it is to move" in outside
    assert "12.5" in outside and "27.5" in outside


def test_another_partnerships_case_cannot_be_linked(
    as_person: Any, hnt: Any, linked: dict[str, Any]
) -> None:
    leaf = linked["measure"]
    stolav = Partnership.objects.get(slug="stolav")
    other = Case.objects.create(
        partnership=stolav,
        council=Council.objects.filter(partnership=stolav)[0],
        year=2026,
        sequence=999,
        title="St. Olavs sak",
        visibility="public",
    )
    data = _measure_data(title=leaf.title, version=str(leaf.version), cases=[str(other.pk)])
    response = as_person("sara").post(f"{I}/tiltak/{leaf.pk}/rediger/", data)
    assert response.status_code == 400
    assert not leaf.cases.exists()


def test_the_api_names_the_indicators_and_public_cases_of_a_measure(
    as_person: Any, hnt: Any, linked: dict[str, Any]
) -> None:
    leaf = linked["measure"]
    leaf.indicators.set(Indicator.objects.filter(code="overliggedogn"))
    leaf.cases.set([linked["public_case"], linked["internal_case"]])
    data = as_person(None).get(f"/api/plans/hnt/measures/{leaf.pk}").json()
    assert data["indicators"] == [
        {
            "key": "overliggedogn",
            "title": "Overliggedøgn per 1 000 innbyggere",
            "url": "/hnt/tall-og-statistikk/overliggedogn/",
        }
    ]
    # The internal case is not named.
    assert [c["key"] for c in data["cases"]] == [linked["public_case"].number]
