"""A guideline refers to its agreement in the agreement register, and a
deviation cites the guideline, the clause and the routine it concerns."""

from __future__ import annotations

import importlib
from typing import Any

from django.apps import apps

from agreements.models import Agreement, AgreementLevel, AgreementVersion, Clause
from deviations import services
from deviations.models import Deviation, Guideline
from deviations.tests.conftest import form_data
from routines.models import Routine

Status = AgreementVersion.Status


def _guideline(hnt: Any, number: int) -> Guideline:
    return Guideline.objects.get(partnership=hnt, number=number)


def _clause_in_force(agreement: Agreement) -> Clause:
    clause = Clause.objects.filter(
        agreement_version__agreement=agreement, agreement_version__status=Status.IN_FORCE
    ).first()
    assert clause is not None
    return clause


def test_the_demos_guidelines_refer_to_their_agreements(hnt: Any) -> None:
    for guideline in Guideline.objects.filter(partnership=hnt):
        assert guideline.agreement is not None
        assert guideline.agreement.number == str(guideline.number)
        assert guideline.agreement.title == guideline.name


def test_the_migration_links_by_number_and_title_and_leaves_the_doubtful(hnt: Any) -> None:
    migration = importlib.import_module(
        "deviations.migrations.0004_guideline_agreement_clause_routine"
    )
    level = AgreementLevel.objects.create(partnership=hnt, name="Test: retningslinjer")
    by_title = Agreement.objects.create(
        partnership=hnt, level=level, number="", title="Legemidler", slug="t-legemidler"
    )
    for slug in ("t-a", "t-b"):  # two with number 41: neither is chosen by number
        Agreement.objects.create(partnership=hnt, level=level, number="41", title=slug, slug=slug)
    titled = Guideline.objects.create(partnership=hnt, number=40, name="Legemidler")
    doubtful = Guideline.objects.create(partnership=hnt, number=41, name="Noe annet")
    migration.link_guidelines(apps, None)
    titled.refresh_from_db()
    doubtful.refresh_from_db()
    assert titled.agreement == by_title and doubtful.agreement is None
    # The demo's own rule is the same one.
    Guideline.objects.filter(pk=titled.pk).update(agreement=None)
    assert services.link_guidelines(hnt) == 1
    titled.refresh_from_db()
    assert titled.agreement == by_title


def test_a_deviation_cites_its_guideline_clause_and_routine(
    as_person: Any, people: Any, hnt: Any
) -> None:
    guideline = _guideline(hnt, 1)
    assert guideline.agreement is not None
    clause = _clause_in_force(guideline.agreement)
    routine = Routine.objects.filter(partnership=hnt, agreement=guideline.agreement).first()
    lena = as_person("lena")
    form = lena.get("/hnt/intern/avvik/ny/").content.decode()
    assert f'<option value="{clause.pk}">' in form
    response = lena.post(
        "/hnt/intern/avvik/ny/",
        form_data(
            guideline=str(guideline.pk),
            clause=str(clause.pk),
            routine=str(routine.pk) if routine else "",
        ),
    )
    assert response.status_code == 302
    deviation = Deviation.objects.get(external_reference="Synergi 4711")
    assert deviation.guideline == guideline and deviation.clause == clause
    assert deviation.routine == routine
    page = lena.get(f"/hnt/intern/avvik/{deviation.pk}/").content.decode()
    assert f"/hnt/samarbeidsavtaler/{guideline.agreement.slug}/" in page
    assert clause.heading in page
    if routine is not None:
        assert f"/hnt/intern/rutiner/{routine.pk}/" in page


def test_a_clause_of_another_guideline_is_refused_and_what_was_typed_kept(
    as_person: Any, people: Any, hnt: Any
) -> None:
    first, second = _guideline(hnt, 1), _guideline(hnt, 2)
    assert second.agreement is not None
    other_clause = _clause_in_force(second.agreement)
    response = as_person("lena").post(
        "/hnt/intern/avvik/ny/",
        form_data(guideline=str(first.pk), clause=str(other_clause.pk)),
    )
    assert response.status_code == 400
    assert "sent på kvelden" in response.content.decode()
    assert not Deviation.objects.filter(external_reference="Synergi 4711").exists()
