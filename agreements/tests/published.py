"""Agreements of our own for the tests of the public side, whatever the demo
holds: an overarching agreement in three public versions and a draft, a
special agreement for two parties that gives way to it, a guideline the
parties do not ratify, and an agreement that is only a draft.

The dates are fixed; tests that read "today" travel to ``TODAY`` (the 2026
version in force, the 2027 version being ratified).
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from typing import Any

from agreements.models import (
    Agreement,
    AgreementLevel,
    AgreementVersion,
    Clause,
    ClauseCoverage,
    JointMeasure,
    Ratification,
    Termination,
)
from partnerships.models import Organisation, Partnership

D = datetime.date
Status = AgreementVersion.Status
Outcome = Ratification.Outcome
# Noon in Oslo on 15 June 2026.
TODAY = datetime.datetime(2026, 6, 15, 10, 0, tzinfo=datetime.UTC)

SECRET = "Hemmelig utkast som ingen utenfor skal lese"
CHANGES = "Punkt 2 om innleggelse gjelder ikke for Verdal kommune før 2027."


def _version(agreement: Agreement, label: str, status: str, start: D | None, **kw: Any) -> Any:
    created = datetime.datetime(
        int(label[:4]) if label[:4].isdigit() else 2028, 1, 1, tzinfo=datetime.UTC
    )
    return AgreementVersion.objects.create(
        agreement=agreement, label=label, status=status, in_force_from=start, created=created, **kw
    )


def _clause(
    version: AgreementVersion, key: str, number: str, heading: str, text: str, *points: int
) -> Clause:
    clause = Clause.objects.create(
        agreement_version=version,
        key=key,
        number=number,
        heading=heading,
        text=text,
        position=int(number.rstrip(".")) if number.rstrip(".").isdigit() else 0,
    )
    ClauseCoverage.objects.bulk_create(ClauseCoverage(clause=clause, point=p) for p in points)
    return clause


def build(partnership: Partnership) -> SimpleNamespace:
    levanger = Organisation.objects.get(municipality_number="5037")
    verdal = Organisation.objects.get(municipality_number="5038")
    namsos = Organisation.objects.get(municipality_number="5007")
    stjordal = Organisation.objects.get(municipality_number="5035")
    overarching = AgreementLevel.objects.create(
        partnership=partnership, name="Test: Overordnet samarbeidsavtale", position=90
    )
    special = AgreementLevel.objects.create(
        partnership=partnership, name="Test: Særavtaler mellom noen av partene", position=92
    )
    guidelines = AgreementLevel.objects.create(
        partnership=partnership,
        name="Test: Retningslinjer som binder i praksis",
        position=91,
        ratified=False,
    )

    main = Agreement.objects.create(
        partnership=partnership,
        level=overarching,
        number="T1",
        title="Testavtale om samarbeid mellom kommunene og helseforetaket",
        slug="test-samarbeidsavtale",
    )
    v2021 = _version(main, "2021", Status.REPLACED, D(2021, 6, 1))
    _clause(
        v2021,
        "purpose",
        "1",
        "Formål med avtalen om samarbeid",
        "<p>Partene samarbeider som likeverdige parter om tjenestene.</p>",
        1,
        12,
    )
    _clause(
        v2021,
        "admission",
        "2",
        "Innleggelse i sykehus og utskrivning",
        "<p>Kommunen varsler sykehuset før innleggelse.</p>",
        2,
        3,
    )
    _clause(
        v2021,
        "midwife",
        "3",
        "Jordmortjenester for gravide i kommunene",
        "<p>Helseforetaket gir råd til kommunenes jordmødre.</p>",
        8,
    )
    v2026 = _version(
        main,
        "2026",
        Status.IN_FORCE,
        D(2026, 1, 1),
        previous=v2021,
        summary="Ny bestemmelse om digital samhandling mellom partene.",
    )
    _clause(
        v2026,
        "purpose",
        "1",
        "Formål med avtalen om samarbeid",
        "<p>Partene samarbeider som likeverdige parter om tjenestene.</p>",
        1,
        12,
    )
    admission = _clause(
        v2026,
        "admission",
        "2",
        "Innleggelse i sykehus og utskrivning",
        "<p>Kommunen varsler sykehuset senest dagen før planlagt innleggelse.</p>",
        2,
        3,
        5,
    )
    _clause(
        v2026,
        "digital",
        "3",
        "Digital samhandling og meldingsutveksling",
        "<p>Partene bruker elektroniske meldinger i all samhandling.</p>",
        9,
    )
    JointMeasure.objects.create(
        clause=admission,
        name="Felles koordinerende team for utskrivningsklare pasienter",
        employer="Helse Nord-Trøndelag HF er arbeidsgiver for teamet",
        organisation="Teamet ledes av en styringsgruppe med to fra hver side.",
        financing="Kostnadene deles likt mellom kommunene og helseforetaket.",
    )
    v2027 = _version(main, "2027", Status.RATIFICATION, D(2027, 1, 1), previous=v2026)
    _clause(
        v2027,
        "purpose",
        "1",
        "Formål med avtalen om samarbeid",
        "<p>Partene samarbeider som likeverdige parter om tjenestene.</p>",
        1,
        12,
    )
    _clause(
        v2027,
        "admission",
        "2",
        "Innleggelse i sykehus og utskrivning",
        "<p>Kommunen varsler sykehuset senest dagen før planlagt innleggelse.</p>",
        2,
        3,
        5,
    )
    _clause(
        v2027,
        "digital",
        "3",
        "Digital samhandling og meldingsutveksling",
        "<p>Partene bruker elektroniske meldinger i all samhandling.</p>",
        9,
    )
    draft = _version(main, "utkast 2028", Status.DRAFT, None, previous=v2027)
    _clause(draft, "secret", "4", "Utkast til ny bestemmelse", f"<p>{SECRET}</p>", 13)

    for party in (levanger, verdal, namsos, stjordal):
        Ratification.objects.create(
            agreement_version=v2021, organisation=party, outcome=Outcome.ADOPTED
        )
    Ratification.objects.create(
        agreement_version=v2026,
        organisation=levanger,
        outcome=Outcome.ADOPTED,
        body="kommunestyre",
        body_name="Levanger kommunestyre",
        case_number="25/112",
        meeting_date=D(2025, 11, 20),
    )
    Ratification.objects.create(
        agreement_version=v2026,
        organisation=verdal,
        outcome=Outcome.ADOPTED_WITH_CHANGES,
        changes=CHANGES,
    )
    Ratification.objects.create(
        agreement_version=v2026, organisation=namsos, outcome=Outcome.REJECTED
    )
    Ratification.objects.create(
        agreement_version=v2026, organisation=stjordal, outcome=Outcome.DISPUTE
    )
    Ratification.objects.create(
        agreement_version=v2027, organisation=levanger, outcome=Outcome.ADOPTED
    )
    Ratification.objects.create(
        agreement_version=v2027, organisation=verdal, outcome=Outcome.PENDING
    )
    Termination.objects.create(
        agreement=main,
        organisation=stjordal,
        notice_given_on=D(2026, 1, 15),
        ends_on=D(2026, 12, 31),
    )

    local = Agreement.objects.create(
        partnership=partnership,
        level=special,
        number="T2",
        title="Test-særavtale om felles legevakt i Innherred",
        slug="test-saeravtale",
        all_parties=False,
        yields_to=main,
    )
    local.parties.add(levanger, verdal)
    v_local = _version(local, "2024", Status.IN_FORCE, D(2024, 1, 1))
    _clause(
        v_local,
        "shared-on-call",
        "1",
        "Felles legevakt for Levanger og Verdal",
        "<p>Legevakten er felles for de to kommunene.</p>",
        4,
    )
    for party in (levanger, verdal):
        Ratification.objects.create(
            agreement_version=v_local, organisation=party, outcome=Outcome.ADOPTED
        )

    guideline = Agreement.objects.create(
        partnership=partnership,
        level=guidelines,
        number="T3",
        title="Testretningslinje for beredskap og akuttmedisinsk kjede",
        slug="test-retningslinje",
    )
    v_guideline = _version(guideline, "2025", Status.IN_FORCE, D(2025, 3, 1))
    _clause(
        v_guideline,
        "preparedness",
        "1",
        "Beredskapsplaner hos hver av partene",
        "<p>Hver part har en beredskapsplan som den andre kjenner.</p>",
        11,
    )

    hidden = Agreement.objects.create(
        partnership=partnership,
        level=overarching,
        number="T4",
        title="Hemmelig testavtale som bare er et utkast",
        slug="test-utkast",
    )
    hidden_draft = _version(hidden, "2026", Status.CONSULTATION, None)
    _clause(hidden_draft, "hidden", "1", "Utkast på høring", f"<p>{SECRET}</p>", 6)

    return SimpleNamespace(
        main=main,
        v2021=v2021,
        v2026=v2026,
        v2027=v2027,
        draft=draft,
        local=local,
        v_local=v_local,
        guideline=guideline,
        v_guideline=v_guideline,
        hidden=hidden,
        hidden_draft=hidden_draft,
        levanger=levanger,
        verdal=verdal,
        namsos=namsos,
        stjordal=stjordal,
    )
