"""The action plan's pages and the progress report: what people see, what
a report stores, and what it refuses."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partnerships.models import Partnership
from plans.models import ActionPlan, Measure, ProgressEntry
from plans.tests.factory import goal, kommune, measure, plan

FNR = "150788 10022"  # a valid fødselsnummer, written with a space
I = "/hnt/intern/handlingsplan"  # noqa: E741
P = "/hnt/handlingsplan"


@pytest.fixture
def hnt_plan(people: Any) -> dict[str, Any]:
    hnt = Partnership.objects.get(slug="hnt")
    ActionPlan.objects.filter(partnership=hnt).delete()  # not the demo's
    adopted = plan(hnt, "Handlingsplan for test", first_year=timezone.localdate().year - 1)
    elderly = goal(adopted, title="Trygge overganger")
    leaf = measure(
        elderly,
        "Felles sjekkliste",
        parties=[kommune("5037")],
        starts_on=timezone.localdate() - datetime.timedelta(days=200),
    )
    parent = measure(elderly, "Varsling", parties=[kommune("5037")])
    measure(elderly, "Del en", parent=parent, progress=100, weight=3)
    measure(elderly, "Del to", parent=parent, progress=20)
    return {"plan": adopted, "goal": elderly, "leaf": leaf, "parent": parent}


def _report(**changes: Any) -> dict[str, str]:
    data = {
        "date": timezone.localdate().isoformat(),
        "progress": "40",
        "status": "ongoing",
        "text": "Sjekklisten prøvd ut på to avdelinger.",
        "version": "0",
        "client_key": str(uuid.uuid4()),
    }
    data.update({k: str(v) for k, v in changes.items()})
    return data


def test_the_public_page_shows_the_plan_in_force_with_rolled_up_progress(
    client: Any, hnt_plan: dict[str, Any]
) -> None:
    page = client.get(f"{P}/").content.decode()
    assert "Handlingsplan for test" in page
    assert "Frail elderly people" in page and "Trygge overganger" in page
    # Varsling: (100 × 3 + 20) / 4 = 80; the goal: (0 + 80) / 2 = 40.
    assert 'value="80"' in page and 'value="40"' in page
    assert "Report progress" not in page


def test_a_draft_plan_is_not_public_but_insiders_read_it(
    client: Any, as_person: Any, hnt_plan: dict[str, Any]
) -> None:
    draft = plan(Partnership.objects.get(slug="hnt"), "Neste plan", status="draft")
    assert client.get(f"{P}/{draft.pk}/").status_code == 404
    assert "Neste plan" not in client.get(f"{P}/").content.decode()
    assert "Neste plan" in as_person("stine").get(f"{I}/").content.decode()


def test_a_progress_report_moves_the_measure_and_shows_on_the_public_page(
    client: Any, as_person: Any, people: Any, hnt_plan: dict[str, Any]
) -> None:
    leaf: Measure = hnt_plan["leaf"]
    lena = as_person("lena")
    response = lena.post(f"{I}/tiltak/{leaf.pk}/framdrift/", _report())
    assert response.status_code == 302
    leaf.refresh_from_db()
    assert (leaf.progress, leaf.status, leaf.version) == (40, "ongoing", 1)
    assert leaf.last_reported_on == timezone.localdate()
    entry = ProgressEntry.objects.get(measure=leaf)
    assert entry.author == people.lena and entry.organisation == kommune("5037")
    public = client.get(f"{P}/tiltak/{leaf.pk}/").content.decode()
    assert "Sjekklisten prøvd ut på to avdelinger." in public
    assert "Lena" not in public  # who reported is for insiders
    assert "Lena" in lena.get(f"{I}/tiltak/{leaf.pk}/").content.decode()


def test_a_second_submit_of_the_same_form_stores_one_report(
    as_person: Any, hnt_plan: dict[str, Any]
) -> None:
    leaf = hnt_plan["leaf"]
    data = _report()
    lena = as_person("lena")
    assert lena.post(f"{I}/tiltak/{leaf.pk}/framdrift/", data).status_code == 302
    again = lena.post(f"{I}/tiltak/{leaf.pk}/framdrift/", data, follow=True)
    assert "already been saved" in again.content.decode()
    assert ProgressEntry.objects.filter(measure=leaf).count() == 1


def test_a_report_on_a_changed_measure_is_a_conflict_that_keeps_the_text(
    as_person: Any, hnt_plan: dict[str, Any]
) -> None:
    leaf = hnt_plan["leaf"]
    sara, lena = as_person("sara"), as_person("lena")
    assert sara.post(f"{I}/tiltak/{leaf.pk}/framdrift/", _report(progress=30)).status_code == 302
    response = lena.post(
        f"{I}/tiltak/{leaf.pk}/framdrift/", _report(progress=50, text="Lenas tekst.")
    )
    page = response.content.decode()
    assert response.status_code == 409
    assert "Someone else changed this" in page and "Lenas tekst." in page
    leaf.refresh_from_db()
    assert leaf.progress == 30 and ProgressEntry.objects.filter(measure=leaf).count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"text": f"Pasient {FNR} fikk tilbudet."}, "identity number"),
        ({"progress": "101"}, "less than or equal to 100"),
        ({"status": "completed", "progress": "90"}, "A completed measure is at 100 per cent"),
        ({"date": "2999-01-01"}, "cannot be dated in the future"),
        ({"status": "finished"}, "Select a valid choice"),
    ],
)
def test_a_bad_report_is_refused_with_what_was_typed_and_stores_nothing(
    as_person: Any, hnt_plan: dict[str, Any], changes: dict[str, str], message: str
) -> None:
    leaf = hnt_plan["leaf"]
    response = as_person("lena").post(
        f"{I}/tiltak/{leaf.pk}/framdrift/", _report(**{"text": "Skrevet tekst.", **changes})
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert message in page
    assert page.count("10022") <= 1  # kept in its field only, never in the message
    assert ("Skrevet tekst." in page) or ("Pasient" in page)
    assert not ProgressEntry.objects.filter(measure=leaf).exists()
    leaf.refresh_from_db()
    assert leaf.version == 0


def test_a_measure_with_measures_under_it_is_reported_on_through_them(
    as_person: Any, hnt_plan: dict[str, Any]
) -> None:
    parent = hnt_plan["parent"]
    response = as_person("sara").post(f"{I}/tiltak/{parent.pk}/framdrift/", _report())
    assert response.status_code == 302
    assert not ProgressEntry.objects.filter(measure=parent).exists()


def test_an_overdue_report_waits_in_the_work_queue_of_the_party_and_the_secretariat(
    as_person: Any, hnt_plan: dict[str, Any]
) -> None:
    leaf = hnt_plan["leaf"]  # started 200 days ago, never reported
    for person in ("lena", "sara"):
        page = as_person(person).get("/hnt/intern/").content.decode()
        assert "Progress report on the action plan" in page and "Felles sjekkliste" in page
    assert "Felles sjekkliste" not in as_person("nils").get("/hnt/intern/").content.decode()
    as_person("lena").post(f"{I}/tiltak/{leaf.pk}/framdrift/", _report())
    assert "Felles sjekkliste" not in as_person("lena").get("/hnt/intern/").content.decode()


# The partnership, the plan in force, the goals, the measures with their
# responsible person, their parties, the other plans.
PUBLIC_PLAN_QUERIES = 6
# Logged-in base (session, user, device, partnership, roles, memberships,
# session save) + the plan, goals, measures, parties.
INTERNAL_PLAN_QUERIES = 13


@pytest.mark.parametrize(
    ("who", "url", "pinned"),
    [(None, "public", PUBLIC_PLAN_QUERIES), ("sara", "internal", INTERNAL_PLAN_QUERIES)],
)
def test_the_plan_pages_pin_their_queries_whatever_the_number_of_measures(
    as_person: Any,
    hnt_plan: dict[str, Any],
    django_assert_num_queries: Any,
    who: str | None,
    url: str,
    pinned: int,
) -> None:
    address = f"{P}/" if url == "public" else f"{I}/{hnt_plan['plan'].pk}/"
    client = as_person(who)
    client.get(address)
    with django_assert_num_queries(pinned):
        assert client.get(address).status_code == 200
    for n in range(10):
        child = measure(hnt_plan["goal"], f"Nytt {n}", parties=[kommune("5007"), kommune("5038")])
        measure(hnt_plan["goal"], f"Under {n}", parent=child)
    with CaptureQueriesContext(connection) as after:
        assert client.get(address).status_code == 200
    assert len(after) == pinned


def test_the_api_gives_the_adopted_plan_nested_with_its_progress(
    client: Any, hnt_plan: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    adopted = hnt_plan["plan"]
    listed = client.get("/api/plans/hnt").json()
    assert [p["id"] for p in listed] == [adopted.pk]
    with django_assert_max_num_queries(5):
        body = client.get(f"/api/plans/hnt/{adopted.pk}").json()
    assert body["progress"] == 40
    (group,) = body["priority_groups"]
    assert group["key"] == "frail_elderly"
    varsling = next(m for m in group["goals"][0]["measures"] if m["title"] == "Varsling")
    assert varsling["progress"] == 80
    assert [m["title"] for m in varsling["measures"]] == ["Del en", "Del to"]
    leaf = hnt_plan["leaf"]
    as_lena = {
        "date": timezone.localdate().isoformat(),
        "progress": 10,
        "status": "ongoing",
        "text": "Startet.",
    }
    Measure.objects.filter(pk=leaf.pk).update(progress=10)
    ProgressEntry.objects.create(measure=leaf, **as_lena)
    measure = client.get(f"/api/plans/hnt/measures/{leaf.pk}").json()
    assert measure["reports"] == [as_lena]
    assert "author" not in str(measure)
