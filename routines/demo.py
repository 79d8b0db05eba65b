"""The demo partnership's samhandlingsrutiner (HNT only).

Five routines under the guidelines of 2021 (``agreements.demo``), built
through :mod:`routines.services` with dates relative to the day the demo is
built:

- "Utskrivning av pasienter med behov for kommunale tjenester" under
  guideline 1, clause "Utskrivning", owned by the fagråd for skrøpelige
  eldre: an older version replaced and a revision in force from the first
  of the month eight months back, after an ASU decision when the councils
  demo has one. Sara (secretariat) is responsible.
- "Innleggelse i sykehus" (guideline 1, owned by ASU, Hanne responsible):
  its review is overdue (in force from the first of the month 27 months
  back, reviewed every 24 months); a review 20 days ago found it needs a
  revision, and a draft is waiting.
- "Legemiddelsamstemming ved overføring" (guideline 4, owned by the fagråd,
  Nils responsible): the review is due in about 20 days.
- "Kommunalt øyeblikkelig hjelp døgnopphold (KAD)" (guideline 1, owned by
  ASU): reviewed unchanged 30 days ago.
- "Utskrivningsklare pasienter fra Sykehuset Levanger", owned by Levanger
  kommune (a party), Lena responsible: the review is due in about 12 days.

Every text is invented and labelled demo data. :func:`build_routines_demo`
is idempotent: a partnership that has routines gets nothing added.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from agreements.models import Agreement
from councils.models import Council, Decision
from partnerships.models import Organisation, Partnership
from routines import services
from routines.models import Routine, RoutineReview

DEMO = "<p><em>Rutineteksten er oppdiktet demodata.</em></p>"

DISCHARGE_2021 = (
    "<h2>Formål</h2><p>Rutinen skal sikre at pasienter som trenger kommunale tjenester etter "
    "sykehusoppholdet, får et trygt og planlagt overgang hjem eller til institusjon.</p>"
    "<h2>Slik gjør vi det</h2><ol>"
    "<li><p>Sykehuset sender innleggelsesrapport til kommunen innen 24 timer etter "
    "innleggelsen.</p></li>"
    "<li><p>Sykehuset varsler kommunen om forventet utskrivningsdato så snart den er "
    "kjent.</p></li>"
    "<li><p>Epikrise og sykepleiesammenfatning sendes senest samme dag som pasienten "
    "reiser.</p></li></ol>" + DEMO
)
DISCHARGE_2024 = (
    "<h2>Formål</h2><p>Rutinen skal sikre at pasienter som trenger kommunale tjenester etter "
    "sykehusoppholdet, får en trygg og planlagt overgang hjem eller til institusjon.</p>"
    "<h2>Slik gjør vi det</h2><ol>"
    "<li><p>Sykehuset sender innleggelsesrapport til kommunen innen 24 timer etter "
    "innleggelsen.</p></li>"
    "<li><p>Sykehuset varsler kommunen om forventet utskrivningsdato så snart den er "
    "kjent, og senest to dager før.</p></li>"
    "<li><p>Ved behov for nye eller endrede tjenester holdes et videomøte mellom "
    "avdelingen, kommunen og pasienten før utskrivning.</p></li>"
    "<li><p>Ingen skrives ut etter kl. 18 eller i helg uten at det er avtalt med "
    "kommunen.</p></li>"
    "<li><p>Epikrise og sykepleiesammenfatning sendes senest samme dag som pasienten "
    "reiser.</p></li></ol>"
    "<h2>Ansvar</h2><p>Avdelingen som skriver ut har ansvar for varslingen. Kommunens "
    "tildelingskontor svarer innen samme arbeidsdag.</p>" + DEMO
)
ADMISSION = (
    "<h2>Formål</h2><p>Rutinen beskriver hva som skal følge pasienten ved innleggelse i "
    "sykehus, slik at sykehuset kjenner pasientens funksjon og tjenester.</p>"
    "<h2>Slik gjør vi det</h2><ul>"
    "<li><p>Innleggende lege sender innleggelsesskriv med oppdatert legemiddelliste.</p></li>"
    "<li><p>Hjemmetjenesten eller sykehjemmet sender sykepleieopplysninger "
    "elektronisk.</p></li>"
    "<li><p>Ved øyeblikkelig hjelp varsles mottaket på telefon.</p></li></ul>" + DEMO
)
ADMISSION_DRAFT = ADMISSION.replace(
    "<li><p>Ved øyeblikkelig hjelp varsles mottaket på telefon.</p></li>",
    "<li><p>Ved øyeblikkelig hjelp varsles mottaket på telefon.</p></li>"
    "<li><p>Pårørende som er kontaktperson, noteres i innleggelsesskrivet.</p></li>",
)
MEDICATION = (
    "<h2>Formål</h2><p>Pasientens legemiddelliste skal være riktig ved hver overføring mellom "
    "kommune og sykehus.</p><h2>Slik gjør vi det</h2><ol>"
    "<li><p>Den som overfører pasienten, bruker pasientens legemiddelliste og kjernejournal "
    "som utgangspunkt.</p></li>"
    "<li><p>Mottakeren samstemmer listen innen ett døgn og dokumenterer avvik.</p></li>"
    "<li><p>Endringer under oppholdet begrunnes i epikrisen.</p></li></ol>" + DEMO
)
KAD = (
    "<h2>Formål</h2><p>Rutinen beskriver hvem som kan legges inn på kommunale døgnplasser "
    "for øyeblikkelig hjelp (KAD), og hvordan sykehuset gir råd.</p>"
    "<h2>Slik gjør vi det</h2><ul>"
    "<li><p>Lege vurderer pasienten før innleggelse og avklarer at tilstanden er "
    "avklart.</p></li>"
    "<li><p>Pasienter med behov for spesialisthelsetjenester legges ikke inn på KAD.</p></li>"
    "<li><p>Sykehusets bakvakt gir råd på telefon hele døgnet.</p></li></ul>" + DEMO
)
LEVANGER = (
    "<h2>Formål</h2><p>Levanger kommune og Sykehuset Levanger samarbeider slik at "
    "utskrivningsklare pasienter kommer raskt tilbake til kommunen.</p>"
    "<h2>Slik gjør vi det</h2><ol>"
    "<li><p>Sykehuset melder utskrivningsklar pasient før kl. 12.</p></li>"
    "<li><p>Tildelingskontoret svarer samme dag og avtaler tidspunkt.</p></li>"
    "<li><p>Kommunen har en korttidsplass i beredskap for helger.</p></li></ol>" + DEMO
)


def _first_of_month(day: datetime.date, months_back: int) -> datetime.date:
    return services.add_months(day.replace(day=1), -months_back)


def _asu_decision(hnt: Partnership) -> Decision | None:
    return (
        Decision.objects.filter(
            treatment__meeting__council__partnership=hnt,
            treatment__meeting__council__slug="asu",
            treatment__case__isnull=False,
        )
        .order_by("treatment__meeting__starts_at", "pk")
        .first()
    )


def _in_force(routine: Routine, text: str, day: datetime.date, **kw: Any) -> None:
    """A version named for the year it came in force, put in force that day."""
    version = services.new_version(routine, label=str(day.year), text=text, **kw)
    services.put_in_force(version, version.version, day)


@transaction.atomic
def build_routines_demo(people: dict[str, User]) -> int:
    """Build HNT's routines; return how many were created (none once they
    exist, or when the guidelines they belong to are missing)."""
    hnt = Partnership.objects.get(slug="hnt")
    if Routine.objects.filter(partnership=hnt).exists():
        return 0
    guidelines = {a.slug: a for a in Agreement.objects.filter(partnership=hnt)}
    councils = {c.slug: c for c in Council.objects.filter(partnership=hnt)}
    first, fourth = guidelines.get("retningslinje-1"), guidelines.get("retningslinje-4")
    asu, elderly = councils.get("asu"), councils.get("fagrad-eldre")
    levanger = Organisation.objects.filter(municipality_number="5037").first()
    if not (first and fourth and asu and elderly and levanger):
        return 0
    today = timezone.localdate()
    sara, hanne, nils, lena = (people.get(k) for k in ("sara", "hanne", "nils", "lena"))

    discharge = services.create_routine(
        hnt,
        agreement=first,
        clause_key="utskrivning",
        number="1.2",
        title="Utskrivning av pasienter med behov for kommunale tjenester",
        slug="utskrivning",
        owner_council=elderly,
        responsible=sara,
    )
    _in_force(
        discharge,
        DISCHARGE_2021,
        _first_of_month(today, 40),
        by=sara,
        summary="Første versjon under retningslinjene fra 2021. (Demodata.)",
    )
    _in_force(
        discharge,
        DISCHARGE_2024,
        _first_of_month(today, 8),
        by=sara,
        summary=(
            "Varsel om utskrivning senest to dager før, videomøte ved nye tjenester og ingen "
            "utskrivning etter kl. 18 uten avtale. (Demodata.)"
        ),
        decision=_asu_decision(hnt),
        reason="Samhandlingsavvik ved sene utskrivninger, rapportert til ASU. (Demodata.)",
    )

    admission = services.create_routine(
        hnt,
        agreement=first,
        clause_key="innleggelse",
        number="1.1",
        title="Innleggelse i sykehus",
        slug="innleggelse",
        owner_council=asu,
        responsible=hanne,
    )
    _in_force(admission, ADMISSION, _first_of_month(today, 27), by=sara)
    services.record_review(
        admission,
        reviewed_on=today - datetime.timedelta(days=20),
        outcome=RoutineReview.Outcome.NEEDS_REVISION,
        note="Pårørendes kontaktopplysninger mangler ofte. (Demodata.)",
        by=hanne,
        today=today,
    )
    services.new_version(
        admission,
        label=f"{today.year}-utkast",
        text=ADMISSION_DRAFT,
        by=hanne,
        summary="Kontaktperson blant pårørende noteres. (Demodata.)",
        reason="Gjennomgangen fant at rutinen må revideres. (Demodata.)",
    )

    medication = services.create_routine(
        hnt,
        agreement=fourth,
        clause_key="felles-losninger",
        number="4.1",
        title="Legemiddelsamstemming ved overføring",
        slug="legemiddelsamstemming",
        owner_council=elderly,
        responsible=nils,
    )
    _in_force(
        medication,
        MEDICATION,
        services.add_months(today + datetime.timedelta(days=20), -24),
        by=sara,
    )

    kad = services.create_routine(
        hnt,
        agreement=first,
        clause_key="kad",
        number="1.4",
        title="Kommunalt øyeblikkelig hjelp døgnopphold (KAD)",
        slug="kad",
        owner_council=asu,
    )
    _in_force(kad, KAD, _first_of_month(today, 14), by=sara)
    reviewed = today - datetime.timedelta(days=30)
    services.record_review(
        kad,
        reviewed_on=reviewed,
        outcome=RoutineReview.Outcome.UNCHANGED,
        next_review=services.add_months(reviewed, 24),
        note="Gjennomgått i ASU uten endringer. (Demodata.)",
        by=sara,
        today=today,
    )

    local = services.create_routine(
        hnt,
        agreement=first,
        clause_key="utskrivningsklare",
        number="L1",
        title="Utskrivningsklare pasienter fra Sykehuset Levanger",
        slug="utskrivningsklare-levanger",
        owner_party=levanger,
        responsible=lena,
        review_interval_months=24,
    )
    _in_force(
        local,
        LEVANGER,
        services.add_months(today + datetime.timedelta(days=12), -24),
        by=lena,
    )
    return 5
