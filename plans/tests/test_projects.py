"""Joint projects (samhandlingsprosjekter): written by the secretariat,
reported on by the owner party, public when the partnership says so."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from partnerships.models import Partnership
from plans import services
from plans.models import Project, ProjectReport
from plans.tests.factory import goal, kommune, measure, plan
from plans.tests.test_pages import FNR

I = "/hnt/intern/handlingsplan/prosjekter"  # noqa: E741
P = "/hnt/handlingsplan/prosjekter"


def _project_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Felles prosjekt om legemiddelsamstemming",
        "summary": "",
        "owner": str(kommune("5037").pk),
        "parties": [str(kommune("5038").pk)],
        "starts_on": "2026-01-01",
        "ends_on": "2027-12-31",
        "status": "ongoing",
        "funding": "1200000",
        "funding_source": "Tilskudd",
        "measure": "",
        "results": "",
        "public": "on",
        "client_key": str(uuid.uuid4()),
        "version": "",
    }
    data.update(changes)
    return data


def _report_data(**changes: Any) -> dict[str, str]:
    data = {
        "period": "2. halvår 2026",
        "date": timezone.localdate().isoformat(),
        "status": "ongoing",
        "text": "Tre kommuner med; samstemmingen tatt i bruk.",
        "version": "0",
        "client_key": str(uuid.uuid4()),
    }
    data.update({k: str(v) for k, v in changes.items()})
    return data


def test_a_project_is_added_once_and_shown_publicly_with_its_measure(
    as_person: Any, client: Any
) -> None:
    hnt = Partnership.objects.get(slug="hnt")
    served = measure(goal(plan(hnt, "Planen")), "Tiltaket prosjektet tjener")
    sara = as_person("sara")
    data = _project_data(measure=str(served.pk))
    assert sara.post(f"{I}/ny/", data).status_code == 302
    again = sara.post(f"{I}/ny/", data, follow=True)
    assert "already been added" in again.content.decode()
    project = Project.objects.get(title="Felles prosjekt om legemiddelsamstemming")
    assert project.partnership == hnt and project.measure == served
    assert list(project.parties.all()) == [kommune("5038")]
    listed = client.get(f"{P}/").content.decode()
    assert "Felles prosjekt om legemiddelsamstemming" in listed
    page = client.get(f"{P}/{project.pk}/").content.decode()
    assert "Tiltaket prosjektet tjener" in page and "Tilskudd" in page
    public_measure = client.get(f"/hnt/handlingsplan/tiltak/{served.pk}/").content.decode()
    assert "Felles prosjekt om legemiddelsamstemming" in public_measure


def test_a_project_that_is_not_public_is_for_insiders_only(as_person: Any, client: Any) -> None:
    hnt = Partnership.objects.get(slug="hnt")
    served = measure(goal(plan(hnt, "Planen")), "Tiltaket")
    project = Project.objects.create(
        partnership=hnt, title="Internt prosjekt", owner=kommune("5037"), measure=served
    )
    assert client.get(f"{P}/{project.pk}/").status_code == 404
    assert "Internt prosjekt" not in client.get(f"{P}/").content.decode()
    assert (
        "Internt prosjekt"
        not in client.get(f"/hnt/handlingsplan/tiltak/{served.pk}/").content.decode()
    )
    assert "Internt prosjekt" in as_person("stine").get(f"{I}/").content.decode()


def test_the_owner_party_reports_status_once_and_the_project_moves_with_it(
    as_person: Any, client: Any, people: Any
) -> None:
    project = Project.objects.create(
        partnership=Partnership.objects.get(slug="hnt"),
        title="Levangers prosjekt",
        owner=kommune("5037"),
        public=True,
    )
    lena = as_person("lena")
    data = _report_data(status="completed")
    assert lena.post(f"{I}/{project.pk}/statusrapport/", data).status_code == 302
    assert lena.post(f"{I}/{project.pk}/statusrapport/", data).status_code == 302
    report = ProjectReport.objects.get(project=project)
    assert report.author == people.lena
    project.refresh_from_db()
    assert project.status == "completed" and project.version == 1
    public = client.get(f"{P}/{project.pk}/").content.decode()
    assert "Tre kommuner med" in public and "Lena" not in public
    # A report on the project as it was before is a conflict that keeps the text.
    stale = lena.post(
        f"{I}/{project.pk}/statusrapport/", _report_data(text="Gammel visning.", version=0)
    )
    assert stale.status_code == 409 and "Gammel visning." in stale.content.decode()
    assert ProjectReport.objects.filter(project=project).count() == 1


def test_a_bad_project_or_report_is_refused_and_stores_nothing(as_person: Any) -> None:
    sara = as_person("sara")
    for changes, message in [
        ({"title": f"Prosjekt for {FNR}"}, "identity number"),
        ({"starts_on": "2026-05-01", "ends_on": "2026-01-01"}, "cannot come before the start"),
        ({"funding": "-5"}, "greater than or equal to 0"),
        ({"owner": str(kommune("5001").pk)}, "Select a valid choice"),  # St. Olav's kommune
    ]:
        response = sara.post(f"{I}/ny/", _project_data(**changes))
        assert response.status_code == 400, changes
        assert message in response.content.decode()
    assert not Project.objects.filter(title__contains="Prosjekt for").exists()
    assert not Project.objects.filter(title="Felles prosjekt om legemiddelsamstemming").exists()
    project = Project.objects.create(
        partnership=Partnership.objects.get(slug="hnt"), title="P", owner=kommune("5037")
    )
    for changes, message in [
        ({"text": f"Gjelder {FNR}."}, "identity number"),
        ({"date": "2999-01-01"}, "cannot be dated in the future"),
        ({"text": ""}, "This field is required"),
    ]:
        response = sara.post(f"{I}/{project.pk}/statusrapport/", _report_data(**changes))
        assert response.status_code == 400 and message in response.content.decode()
    assert not ProjectReport.objects.filter(project=project).exists()


def test_a_measure_of_another_partnership_cannot_be_served(people: Any) -> None:
    stolav = Partnership.objects.get(slug="stolav")
    foreign = measure(goal(plan(stolav, "St. Olavs plan")), "Fremmed tiltak")
    hnt = Partnership.objects.get(slug="hnt")
    data: dict[str, Any] = dict.fromkeys(services.PROJECT_FIELDS)
    data.update(
        title="X",
        owner=kommune("5037"),
        status="planned",
        public=False,
        summary="",
        funding_source="",
        results="",
        measure=foreign,
        parties=[],
    )
    with pytest.raises(ValidationError, match="this partnership's plans"):
        services.create_project(hnt, data, None)
    assert not Project.objects.filter(title="X").exists()


def test_the_project_lists_do_not_grow_with_their_rows(
    as_person: Any, client: Any, django_assert_num_queries: Any
) -> None:
    hnt = Partnership.objects.get(slug="hnt")
    sara = as_person("sara")
    # Public: the partnership, the projects with owner and measure, their
    # parties. Inside: the logged-in base (9) and the same two.
    for who, url, pinned in ((client, f"{P}/", 3), (sara, f"{I}/", 11)):
        who.get(url)
        with django_assert_num_queries(pinned):
            who.get(url)
    for n in range(8):
        project = Project.objects.create(
            partnership=hnt, title=f"Prosjekt {n}", owner=kommune("5037"), public=True
        )
        project.parties.set([kommune("5038"), kommune("5007")])
    for who, url, pinned in ((client, f"{P}/", 3), (sara, f"{I}/", 11)):
        with django_assert_num_queries(pinned):
            assert "Prosjekt 7" in who.get(url).content.decode()
