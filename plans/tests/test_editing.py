"""The secretariat writes the plan, its goals and measures in the browser:
what is stored, and what is refused."""

from __future__ import annotations

import uuid
from typing import Any

from django.utils import timezone

from partnerships.models import Partnership
from plans.models import ActionPlan, Goal, Measure
from plans.tests.factory import goal, kommune, measure, plan
from plans.tests.test_pages import FNR

I = "/hnt/intern/handlingsplan"  # noqa: E741


def _plan_data(**changes: Any) -> dict[str, str]:
    year = timezone.localdate().year
    data = {
        "title": "Handlingsplan for samhandling, ny",
        "first_year": str(year),
        "last_year": str(year + 3),
        "summary": "",
        "status": "draft",
        "decision": "",
        "adopted_on": "",
        "report_every_days": "91",
        "client_key": str(uuid.uuid4()),
        "version": "",
    }
    data.update({k: str(v) for k, v in changes.items()})
    return data


def _measure_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Nytt tiltak",
        "description": "",
        "parent": "",
        "responsible_parties": [str(kommune("5037").pk), str(kommune("5038").pk)],
        "responsible_person": "",
        "starts_on": "2026-01-01",
        "ends_on": "2026-12-31",
        "status": "planned",
        "weight": "2",
        "position": "0",
        "client_key": str(uuid.uuid4()),
        "version": "",
    }
    data.update(changes)
    return data


def test_a_plan_is_created_once_however_often_the_form_is_sent(as_person: Any) -> None:
    sara = as_person("sara")
    data = _plan_data()
    first = sara.post(f"{I}/ny/", data)
    assert first.status_code == 302
    again = sara.post(f"{I}/ny/", data, follow=True)
    assert "already been created" in again.content.decode()
    assert ActionPlan.objects.filter(title="Handlingsplan for samhandling, ny").count() == 1


def test_a_plan_with_its_years_backwards_or_adopted_without_a_date_is_refused(
    as_person: Any,
) -> None:
    sara = as_person("sara")
    response = sara.post(f"{I}/ny/", _plan_data(first_year=2028, last_year=2025))
    assert response.status_code == 400
    assert "cannot come before the first" in response.content.decode()
    response = sara.post(f"{I}/ny/", _plan_data(status="adopted"))
    assert response.status_code == 400 and "Give the date" in response.content.decode()
    response = sara.post(f"{I}/ny/", _plan_data(title=f"Plan for {FNR}"))
    page = response.content.decode()
    assert response.status_code == 400 and "identity number" in page
    assert "Plan for" in page  # what was typed is kept
    assert not ActionPlan.objects.filter(title__startswith="Handlingsplan for samhandling, ny")


def test_two_people_editing_one_plan_do_not_overwrite_each_other(as_person: Any) -> None:
    hnt = Partnership.objects.get(slug="hnt")
    made = plan(hnt, "Planen", status="draft")
    sara, ada = as_person("sara"), as_person("ada")
    base = _plan_data(title="Saras tittel", version=0, first_year=2025, last_year=2028)
    assert sara.post(f"{I}/{made.pk}/rediger/", base).status_code == 302
    response = ada.post(f"{I}/{made.pk}/rediger/", {**base, "title": "Adas tittel"})
    assert response.status_code == 409 and "Adas tittel" in response.content.decode()
    made.refresh_from_db()
    assert made.title == "Saras tittel"


def test_goals_and_measures_are_added_and_a_measure_nests_under_another(
    as_person: Any,
) -> None:
    hnt = Partnership.objects.get(slug="hnt")
    made = plan(hnt, "Planen")
    sara = as_person("sara")
    response = sara.post(
        f"{I}/{made.pk}/mal/ny/",
        {
            "priority_group": "children",
            "title": "Barn får hjelp tidlig",
            "description": "",
            "weight": "1",
            "position": "0",
            "client_key": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 302
    added = Goal.objects.get(plan=made)
    assert sara.post(f"{I}/mal/{added.pk}/tiltak/ny/", _measure_data()).status_code == 302
    top = Measure.objects.get(goal=added, title="Nytt tiltak")
    assert {p.municipality_number for p in top.responsible_parties.all()} == {"5037", "5038"}
    form = sara.get(f"{I}/mal/{added.pk}/tiltak/ny/?under={top.pk}").content.decode()
    assert f'<option value="{top.pk}" selected>' in form
    data = _measure_data(title="Under det", parent=str(top.pk))
    assert sara.post(f"{I}/mal/{added.pk}/tiltak/ny/", data).status_code == 302
    assert Measure.objects.get(title="Under det").parent == top
    # The plan page now shows the goal with both measures, under each other.
    page = sara.get(f"{I}/{made.pk}/").content.decode()
    assert page.index("Nytt tiltak") < page.index("Under det")


def test_a_measure_cannot_be_part_of_itself_or_of_a_measure_under_it(as_person: Any) -> None:
    hnt = Partnership.objects.get(slug="hnt")
    g = goal(plan(hnt, "Planen"))
    top = measure(g, "Øverst")
    middle = measure(g, "Midten", parent=top)
    other_goal_measure = measure(goal(plan(hnt, "Annen plan")), "Annet sted")
    sara = as_person("sara")
    for parent in (top, middle, other_goal_measure):
        response = sara.post(
            f"{I}/tiltak/{top.pk}/rediger/",
            _measure_data(title="Øverst", parent=str(parent.pk), version="0"),
        )
        assert response.status_code == 400, parent
        assert "Select a valid choice" in response.content.decode()
    top.refresh_from_db()
    assert top.parent is None and top.version == 0


def test_a_measure_ending_before_it_starts_is_refused(as_person: Any) -> None:
    g = goal(plan(Partnership.objects.get(slug="hnt"), "Planen"))
    response = as_person("sara").post(
        f"{I}/mal/{g.pk}/tiltak/ny/", _measure_data(starts_on="2026-05-01", ends_on="2026-04-01")
    )
    assert response.status_code == 400
    assert "cannot come before the start" in response.content.decode()
    assert not Measure.objects.filter(goal=g).exists()
