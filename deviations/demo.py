"""Two believable years of samhandlingsavvik for the demo partnership (HNT).

Deviations go both ways: most from a kommune to Helse Nord-Trøndelag HF,
fewer from the HF to a kommune, and a few between kommuner (the
interkommunal legevakt and KAD). About 15–30 a month, more in the winter
(high occupancy) and in the summer and Christmas holidays (temporary staff),
older ones mostly closed, recent ones still being handled, a few overdue.

Everything is invented: no people's names, no identity numbers, made-up
references. A fixed seed makes the data the same on every run (relative to
today). The rows are bulk-created for speed; the identity-number guard's
pre_save hook does not run on bulk inserts, so the texts here are checked by
the tests instead. :func:`build_deviations_demo` is idempotent: once the
partnership has deviations, it adds none.
"""

from __future__ import annotations

import calendar
import datetime
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import User
from core import richtext
from core.workdays import deadline_after
from deviations import loop, services
from deviations.models import (
    Deviation,
    DeviationCategory,
    DeviationCounter,
    DeviationMessage,
    Guideline,
    PartyReporting,
    TrendCase,
)
from partnerships.models import Membership, Organisation, Participation, Partnership

SEED = 2026_4
MONTHS = 24
S = Deviation.Status
C = Deviation.Consequence

GUIDELINES = [
    (1, "Pasientsamarbeid"),
    (2, "Kunnskapsoverføring, forskning og utdanning"),
    (3, "Svangerskap, fødsel og barsel"),
    (4, "Digital samhandling"),
    (5, "Helsefremmende og forebyggende arbeid"),
    (6, "Beredskap og akuttmedisinsk kjede"),
]

# More deviations in the winter (full wards) and in the holidays (temporary staff).
SEASON = {1: 1.25, 2: 1.2, 3: 1.1, 4: 0.95, 5: 0.9, 6: 1.0, 7: 1.2, 8: 1.1, 9: 0.95, 10: 1.0}
SEASON |= {11: 1.05, 12: 1.15}

HF_WARDS = [
    "Medisinsk avdeling",
    "Kirurgisk avdeling",
    "Ortopedisk sengepost",
    "Lungeseksjonen",
    "Hjerteseksjonen",
    "Geriatrisk sengepost",
    "Nevrologisk sengepost",
    "Akuttmottaket",
]
KOMMUNE_UNITS = [
    "Hjemmetjenesten",
    "Korttidsavdelingen",
    "Helsehuset",
    "Tildelingskontoret",
    "Sykehjemmet",
    "Hjemmesykepleien, sone nord",
    "Hjemmesykepleien, sone sør",
    "Psykisk helse og rus",
]
WEEKDAYS = ["mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"]

EXTRA_SENTENCES = {
    "k2h": [
        "Vi har meldt tilsvarende forhold fra samme avdeling tidligere i år.",
        "Forholdet ble oppdaget av sykepleier ved mottak i kommunen.",
        "Fastlegen ble kontaktet samme dag.",
        "Det var stor pågang i tjenesten denne dagen.",
        "",
        "",
        "",
    ],
    "h2k": [
        "Avdelingen brukte mye tid på å innhente opplysningene.",
        "Forholdet ble oppdaget ved innkomstsamtalen.",
        "Vakthavende lege ble informert.",
        "",
        "",
        "",
    ],
    "k2k": ["Legevaktlegen ble informert.", "", ""],
}


@dataclass(frozen=True)
class Scenario:
    direction: str  # "k2h", "h2k" or "k2k"
    category: str
    guideline: int
    point: int
    weight: int
    text: str
    measures: list[str]
    improvement: str
    cause: str
    answer: str
    consequences: tuple[int, int, int, int] = (35, 40, 20, 5)
    wards: list[str] = field(default_factory=list)


SCENARIOS = [
    Scenario(
        "k2h",
        "C",
        1,
        5,
        14,
        "Pasienten ble utskrevet fra {ward} uten epikrise. Hjemmetjenesten mottok verken "
        "epikrise eller sykepleiesammenfatning, og måtte ringe avdelingen for å få vite hva "
        "som var gjort under oppholdet.",
        [
            "Ringte avdelingen og fikk muntlig rapport.",
            "Ba fastlegen om å hente epikrisen i kjernejournal.",
        ],
        "Epikrise og sykepleiesammenfatning sendes elektronisk senest samme dag som "
        "pasienten reiser.",
        "Epikrisen var ikke ferdigstilt da pasienten reiste, og det var ingen rutine for å "
        "sende foreløpig epikrise.",
        "Avdelingen har innført sjekkliste ved utreise der sendt epikrise krysses av. "
        "Foreløpig epikrise sendes når endelig ikke er klar.",
    ),
    Scenario(
        "k2h",
        "C",
        1,
        5,
        12,
        "Pasienten kom hjem fra {ward} kl. {late} en {day} uten at kommunen var varslet. "
        "Det var ikke sendt melding om utskrivningsklar pasient, og hjemmetjenesten hadde "
        "ikke mulighet til å gi tilsyn før neste morgen.",
        [
            "Kveldsvakten dro på ekstra tilsyn.",
            "Pasienten fikk tilbud om trygghetsalarm samme kveld.",
        ],
        "Utskrivning avtales med kommunen på dagtid, og ingen reiser hjem etter kl. 18 uten "
        "at det er avklart med tjenesten.",
        "Utskrivningen ble fremskyndet på grunn av fullt belegg, og meldingen til kommunen "
        "ble ikke sendt.",
        "Avdelingen har tatt opp rutinen for utskrivning på personalmøte. Utskrivning etter "
        "kl. 18 skal godkjennes av ansvarlig sykepleier og avtales med kommunen.",
        (20, 40, 30, 10),
    ),
    Scenario(
        "k2h",
        "C",
        4,
        9,
        10,
        "Legemiddellisten ble ikke sendt med ved utskrivning fra {ward}. Pasienten hadde fått "
        "endret flere faste legemidler under oppholdet, og hjemmetjenesten fortsatte med "
        "gammel dosering i to døgn.",
        [
            "Fikk oppdatert liste fra avdelingen over telefon.",
            "Multidosen ble stoppet og ny bestilt.",
        ],
        "Oppdatert legemiddelliste følger alltid epikrisen og sendes elektronisk til "
        "hjemmetjenesten og fastlegen.",
        "Legemiddelsamstemming ble ikke gjort før utreise.",
        "Legemiddelsamstemming er nå fast punkt i utreisesamtalen, og farmasøyt bistår ved "
        "utskrivning av pasienter med mange legemidler.",
        (15, 40, 35, 10),
    ),
    Scenario(
        "k2h",
        "C",
        4,
        9,
        8,
        "Pasientens legemiddelliste i epikrisen fra {ward} stemte ikke med det som faktisk var "
        "gitt under oppholdet. Et vanndrivende legemiddel sto oppført to ganger med ulik "
        "dose.",
        ["Kontaktet avdelingen og fikk riktig liste.", "Fastlegen ble varslet."],
        "Pasientens legemiddelliste brukes som kilde, og listen kontrolleres av to før utsendelse.",
        "Listen ble skrevet manuelt fra kurven og ikke kontrollert.",
        "Avdelingen bruker nå pasientens legemiddelliste og dobbeltkontroll før epikrisen "
        "signeres.",
        (20, 45, 30, 5),
    ),
    Scenario(
        "k2h",
        "C",
        4,
        9,
        9,
        "Det kom ingen PLO-melding om innleggelse eller utskrivning fra {ward}. Kommunen "
        "fikk først vite at pasienten var innlagt da pårørende ringte tjenesten.",
        ["Ringte avdelingen for å få status.", "Avklarte videre tjenestebehov med avdelingen."],
        "PLO-meldinger om innleggelse og utskrivningsklar pasient sendes innen fristene i avtalen.",
        "Meldingen ble lagret som utkast og ikke sendt.",
        "Avdelingen sjekker utkast i meldingsløsningen på hver vakt og har fått opplæring i "
        "PLO-meldinger.",
        (50, 40, 10, 0),
    ),
    Scenario(
        "k2h",
        "C",
        1,
        5,
        7,
        "Pasienten ble utskrevet fra {ward} med behov for rullator og toalettforhøyer, men "
        "hjelpemidlene var ikke bestilt. Kommunen fikk ikke beskjed om behovet før "
        "utskrivningsdagen.",
        [
            "Lånte hjelpemidler fra kommunens korttidslager.",
            "Ergoterapeut gjorde hjemmebesøk dagen etter.",
        ],
        "Behov for hjelpemidler meldes kommunen tidlig i oppholdet, slik at de kan være på "
        "plass ved hjemkomst.",
        "Fysioterapeut vurderte behovet samme dag som utskrivning.",
        "Vurdering av hjelpemidler gjøres tidlig i oppholdet og meldes i innleggelsesrapporten.",
    ),
    Scenario(
        "k2h",
        "C",
        1,
        2,
        6,
        "Pasienten ble skrevet ut fra {ward} til korttidsplass uten at kommunen hadde fått "
        "opplysninger om sårbehandling og oppfølging. Nødvendig sårutstyr fulgte ikke med.",
        ["Skaffet sårutstyr fra apotek.", "Kontaktet avdelingen for prosedyre."],
        "Prosedyre for sårstell og utstyr for første døgn følger pasienten ved utskrivning.",
        "Sårprosedyren lå i kurven og ble ikke lagt ved sammenfatningen.",
        "Sykepleiesammenfatningen har nå eget punkt for prosedyrer og utstyr.",
    ),
    Scenario(
        "k2h",
        "B",
        1,
        2,
        6,
        "Kommunen ble ikke invitert til samarbeidsmøte før utskrivning, selv om pasienten "
        "hadde store endringer i funksjon etter oppholdet ved {ward}.",
        ["Ba om møte per telefon."],
        "Kommunen inviteres til samarbeidsmøte når funksjonen er vesentlig endret.",
        "Behovet for møte ble ikke fanget opp på tverrfaglig morgenmøte.",
        "Behov for samarbeidsmøte er nå fast tema på morgenmøtet.",
        (40, 45, 15, 0),
    ),
    Scenario(
        "k2h",
        "B",
        4,
        9,
        5,
        "Kommunen sendte innleggelsesrapport, men fikk ingen bekreftelse eller "
        "helseopplysninger tilbake fra {ward} under et opphold på over en uke.",
        ["Purret per telefon."],
        "Avdelingen sender helseopplysninger tidlig i oppholdet når pasienten har kommunale "
        "tjenester.",
        "Meldingen ble ikke fanget opp i meldingsløsningen.",
        "Meldingsløsningen følges nå opp av ansvarshavende på hver vakt.",
        (60, 35, 5, 0),
    ),
    Scenario(
        "k2h",
        "A",
        6,
        11,
        4,
        "Ambulansen brukte lang tid fra bestilling til pasienten ble hentet fra sykehjemmet. "
        "Sykehjemmet fikk ikke beskjed om forsinkelsen.",
        ["Sykepleier fulgte pasienten tett til ambulansen kom."],
        "Sykehjemmet får beskjed når en bestilt transport blir forsinket.",
        "Flere samtidige oppdrag i området, og informasjon om forsinkelsen ble ikke gitt.",
        "AMK gir beskjed til bestiller ved forventet forsinkelse.",
        wards=["Ambulansetjenesten", "AMK"],
    ),
    Scenario(
        "k2h",
        "E",
        1,
        3,
        4,
        "Pasienten ble sendt tilbake fra {ward} samme natt uten at kommunen fikk vite "
        "hvilke undersøkelser som var gjort eller hva som var planen videre.",
        ["Legevakten kontaktet sykehuset neste morgen."],
        "Kort notat om funn og plan følger pasienten når pasienten sendes tilbake samme døgn.",
        "Notatet ble ikke skrevet før pasienten reiste.",
        "Akuttmottaket sender nå kort notat elektronisk før pasienten reiser.",
        wards=["Akuttmottaket"],
    ),
    Scenario(
        "k2h",
        "E",
        2,
        6,
        3,
        "Hjemmetjenesten fikk ikke opplæring i bruk av ny smertepumpe før pasienten ble "
        "utskrevet fra {ward}, og måtte få veiledning over telefon samme kveld.",
        ["Fikk veiledning over telefon."],
        "Opplæring i nytt utstyr avtales med kommunen før utskrivning.",
        "Utskrivningen ble fremskyndet, og opplæringen ble glemt.",
        "Avdelingen tilbyr nå opplæring digitalt før utskrivning.",
    ),
    Scenario(
        "k2h",
        "C",
        3,
        8,
        3,
        "Mor og barn ble skrevet ut fra barselavdelingen uten at jordmortjenesten i kommunen "
        "fikk melding om hjemkomst. Hjemmebesøket ble derfor forsinket.",
        ["Jordmor tok kontakt så snart det ble kjent."],
        "Melding om hjemkomst sendes jordmortjenesten samme dag.",
        "Meldingen gikk til feil adresse i meldingsløsningen.",
        "Adresseregisteret er oppdatert, og meldinger til jordmortjenesten kontrolleres.",
        (55, 40, 5, 0),
        wards=["Barselavdelingen", "Kvinneklinikken"],
    ),
    Scenario(
        "k2h",
        "C",
        1,
        5,
        5,
        "Pasienten ble meldt utskrivningsklar fra {ward} med kort varsel, og kommunen fikk "
        "ikke tid til å planlegge. Opplysningene om funksjon i meldingen var mangelfulle.",
        ["Ringte avdelingen og ba om mer informasjon."],
        "Meldingen om utskrivningsklar pasient beskriver funksjon og hjelpebehov.",
        "Meldingen ble skrevet i en travel situasjon uten funksjonsvurdering.",
        "Malen for meldingen er endret slik at funksjon må fylles ut.",
        (50, 40, 10, 0),
    ),
    Scenario(
        "h2k",
        "A",
        1,
        3,
        10,
        "Pasienten ble innlagt på {ward} fra {unit} uten oppdatert legemiddelliste. "
        "Avdelingen brukte lang tid på å finne ut hvilke legemidler pasienten faktisk brukte.",
        ["Innhentet liste fra kjernejournal og fastlegen."],
        "Oppdatert legemiddelliste følger pasienten ved innleggelse fra kommunen.",
        "Listen i tjenesten var ikke oppdatert etter siste endring hos fastlegen.",
        "Tjenesten har innført rutine for å kontrollere legemiddellisten ved hver endring.",
        (30, 50, 20, 0),
    ),
    Scenario(
        "h2k",
        "A",
        4,
        9,
        8,
        "Det kom ingen innleggelsesrapport fra {unit} da pasienten ble innlagt på {ward}, selv "
        "om pasienten har hjemmetjenester.",
        ["Ringte tjenesten og fikk muntlig rapport."],
        "Innleggelsesrapport sendes når pasienter med kommunale tjenester legges inn.",
        "Innleggelsen skjedde på kveld, og rapporten ble ikke sendt av kveldsvakten.",
        "Kveldsvaktene har fått opplæring i innleggelsesrapporten.",
        (50, 40, 10, 0),
    ),
    Scenario(
        "h2k",
        "C",
        1,
        5,
        9,
        "Pasienten var meldt utskrivningsklar fra {ward}, men kommunen kunne ikke ta imot "
        "pasienten før etter flere dager. Avdelingen hadde overbelegg i perioden.",
        ["Pasienten ble liggende i avdelingen til plass var klar."],
        "Kommunen gir tilbakemelding om tidspunkt for mottak innen fristen i avtalen.",
        "Det var ingen ledig korttidsplass i kommunen i perioden.",
        "Kommunen har økt antall korttidsplasser i perioder med høyt belegg og gir "
        "tilbakemelding samme dag.",
        (40, 40, 20, 0),
    ),
    Scenario(
        "h2k",
        "A",
        1,
        3,
        5,
        "Henvisningen fra legevakten til {ward} manglet opplysninger om pasientens faste "
        "legemidler og allergier.",
        ["Innhentet opplysningene fra kjernejournal."],
        "Henvisningen inneholder legemidler og kjente allergier.",
        "Legevakten hadde ikke tilgang til oppdaterte opplysninger på kveldstid.",
        "Legevakten bruker nå kjernejournal før henvisning skrives.",
        wards=["Akuttmottaket", "Medisinsk avdeling"],
    ),
    Scenario(
        "h2k",
        "D",
        1,
        2,
        4,
        "Pasienten ble innlagt på nytt på {ward} kort tid etter utskrivning fordi planlagt "
        "oppfølging i {unit} ikke var startet.",
        ["Avdelingen kontaktet tjenesten for å avklare."],
        "Kommunen bekrefter at planlagt oppfølging er startet innen avtalt tid.",
        "Vedtaket var ikke fattet i tide fordi saksbehandler var borte.",
        "Tildelingskontoret har fått stedfortrederordning for vedtak ved fravær.",
        (20, 40, 30, 10),
    ),
    Scenario(
        "h2k",
        "E",
        2,
        6,
        3,
        "Avdelingen fikk ikke svar fra {unit} på spørsmål om pasientens funksjon før "
        "innleggelsen, noe som forsinket planleggingen av utskrivning.",
        ["Purret per telefon."],
        "Kommunen svarer på forespørsler fra sykehuset innen ett døgn på hverdager.",
        "Meldingen ble ikke fanget opp under ferieavvikling.",
        "Meldingsløsningen følges nå opp daglig også i ferier.",
        (60, 35, 5, 0),
    ),
    Scenario(
        "h2k",
        "A",
        3,
        8,
        2,
        "Gravid kvinne ble henvist til {ward} uten svangerskapsjournal, og det manglet "
        "opplysninger om tidligere kontroller.",
        ["Innhentet opplysninger fra jordmor i kommunen."],
        "Svangerskapsjournalen følger henvisningen.",
        "Journalen ble ikke skannet inn før henvisningen ble sendt.",
        "Jordmortjenesten kontrollerer vedlegg før henvisning sendes.",
        (60, 35, 5, 0),
        wards=["Fødeavdelingen", "Kvinneklinikken"],
    ),
    Scenario(
        "h2k",
        "D",
        5,
        10,
        2,
        "Avtalt oppfølging med fysisk aktivitet etter hjerterehabilitering ved {ward} ble "
        "ikke startet i kommunen, og pasienten ble henvist på nytt.",
        ["Tok kontakt med frisklivssentralen."],
        "Henvisninger til frisklivssentralen bekreftes mottatt.",
        "Henvisningen ble ikke registrert i kommunen.",
        "Frisklivssentralen bekrefter nå alle henvisninger.",
        (70, 30, 0, 0),
        wards=["Hjerteseksjonen"],
    ),
    Scenario(
        "k2k",
        "D",
        6,
        4,
        5,
        "Pasienten ble lagt inn på den kommunale akutte døgnenheten fra den interkommunale "
        "legevakten uten skriftlig innleggelsesnotat.",
        ["Ringte legevakten og fikk muntlig rapport."],
        "Innleggelsesnotat sendes elektronisk før pasienten ankommer.",
        "Notatet ble ikke skrevet på grunn av mange samtidige pasienter.",
        "Legevakten har fått mal for kort innleggelsesnotat.",
        wards=["Kommunal akutt døgnenhet (KAD)"],
    ),
    Scenario(
        "k2k",
        "E",
        1,
        1,
        4,
        "Legevakten sendte pasienten hjem på natt uten å varsle hjemmetjenesten i "
        "bostedskommunen, selv om pasienten hadde behov for tilsyn.",
        ["Hjemmetjenesten dro på tilsyn om morgenen."],
        "Legevakten varsler hjemmetjenesten i bostedskommunen når pasienter med tjenester "
        "sendes hjem.",
        "Legevakten manglet oversikt over telefonnummer til hjemmetjenestene.",
        "Oversikt over telefonnummer er lagt inn i legevaktens rutine.",
        wards=["Legevakta"],
    ),
    Scenario(
        "k2k",
        "D",
        1,
        2,
        2,
        "Ved flytting mellom kommunene fulgte ikke opplysninger om vedtak og tiltak med, og "
        "oppstart av tjenester ble forsinket.",
        ["Innhentet opplysninger fra tidligere bostedskommune."],
        "Opplysninger om vedtak sendes når en bruker flytter.",
        "Det fantes ingen fast rutine for oversending ved flytting.",
        "Kommunene har laget felles rutine for oversending ved flytting.",
        (50, 40, 10, 0),
        wards=["Tildelingskontoret"],
    ),
]

MESSAGES_FROM_RECEIVER = [
    "Vi har mottatt avviket og undersøker saken med avdelingen.",
    "Takk for meldingen. Kan dere si når dere først ble kjent med forholdet?",
    "Vi trenger litt mer tid fordi flere vakter må snakkes med.",
    "Saken er tatt opp med avdelingsledelsen. Svar kommer innen fristen.",
]
MESSAGES_FROM_REPORTER = [
    "Det ble kjent samme ettermiddag, da tjenesten kom hjem til pasienten.",
    "Referansen i vårt system står i meldingen. Ta kontakt om dere trenger mer.",
    "Takk for rask tilbakemelding.",
    "Vi har hatt flere lignende tilfeller og ønsker at dette følges opp.",
]


@dataclass
class _Party:
    organisation: Organisation
    hospital_site: str
    neighbours: list[Organisation]
    weight: float


def _parties(partnership: Partnership) -> tuple[Organisation, list[_Party]]:
    rows = (
        Participation.objects.current()
        .filter(partnership=partnership, role=Participation.Role.PARTY)
        .select_related("organisation", "region__hospital_area")
        .order_by("organisation__name")
    )
    hf: Organisation | None = None
    by_region: dict[int, list[Organisation]] = {}
    kommuner: list[tuple[Organisation, Participation]] = []
    for row in rows:
        if row.organisation.kind == Organisation.Kind.KOMMUNE:
            kommuner.append((row.organisation, row))
            if row.region_id is not None:
                by_region.setdefault(row.region_id, []).append(row.organisation)
        else:
            hf = row.organisation
    assert hf is not None, "the demo partnership has no hospital trust"
    population = {
        o.pk: o.inhabitants
        for o in Organisation.objects.filter(pk__in=[k.pk for k, _row in kommuner]).annotate(
            inhabitants=Max("population__inhabitants")
        )
    }
    parties = []
    for kommune, row in kommuner:
        region = row.region
        site = region.hospital_area.name if region and region.hospital_area else "Levanger"
        neighbours = [o for o in by_region.get(row.region_id or 0, []) if o.pk != kommune.pk]
        # Bigger kommuner report more, but small ones are not silent.
        weight = (population.get(kommune.pk) or 1000) ** 0.7
        parties.append(_Party(kommune, site, neighbours, weight))
    return hf, parties


def ensure_configuration(partnership: Partnership) -> None:
    """Categories, the cooperation agreement's guidelines and the settings."""
    services.ensure_categories(partnership)
    existing = set(
        Guideline.objects.filter(partnership=partnership).values_list("number", flat=True)
    )
    Guideline.objects.bulk_create(
        Guideline(partnership=partnership, number=number, name=name)
        for number, name in GUIDELINES
        if number not in existing
    )
    services.link_guidelines(partnership)
    services.config_for(partnership)
    # Verdal lets all its members report (Vilde Fagleder and Viktor
    # Enhetsleder from the representation demo can log in and try it).
    verdal = Organisation.objects.filter(municipality_number="5038").first()
    if verdal is not None and not PartyReporting.objects.filter(organisation=verdal).exists():
        services.set_member_reporting(partnership, verdal, allowed=True, by=None)


class _Builder:
    def __init__(self, partnership: Partnership, now: datetime.datetime) -> None:
        self.partnership = partnership
        self.now = now
        self.rng = random.Random(SEED)
        self.response_days = services.config_for(partnership).response_days
        self.categories = {
            c.code: c for c in DeviationCategory.objects.filter(partnership=partnership)
        }
        self.guidelines = {g.number: g for g in Guideline.objects.filter(partnership=partnership)}
        self.hf, self.kommuner = _parties(partnership)
        self.reporters = self._reporters()
        self.rows: list[Deviation] = []
        self.messages: list[tuple[Deviation, list[tuple[bool, str, datetime.datetime]]]] = []
        self.references: Counter[int] = Counter()

    def _reporters(self) -> dict[int, User]:
        """A named coordinator or leader of a party, to appear as reporter."""
        people: dict[int, User] = {}
        for membership in (
            Membership.objects.current()
            .filter(
                organisation__in=[self.hf, *(p.organisation for p in self.kommuner)],
                role__in=(Membership.Role.COORDINATOR, Membership.Role.LEADER),
            )
            .select_related("user")
            .order_by("pk")
        ):
            people.setdefault(membership.organisation_id, membership.user)
        return people

    # --- choosing ---------------------------------------------------------------

    def _kommune(self) -> _Party:
        return self.rng.choices(self.kommuner, weights=[p.weight for p in self.kommuner])[0]

    def _scenario(self, direction: str) -> Scenario:
        pool = [s for s in SCENARIOS if s.direction == direction]
        return self.rng.choices(pool, weights=[s.weight for s in pool])[0]

    def _datetime(self, day: datetime.date, start_hour: int, end_hour: int) -> datetime.datetime:
        minute = self.rng.randrange(start_hour * 60, end_hour * 60)
        naive = datetime.datetime.combine(day, datetime.time(minute // 60, minute % 60))
        return timezone.make_aware(naive)

    def _reference(self, organisation: Organisation, year: int) -> str:
        self.references[organisation.pk] += 1
        n = self.references[organisation.pk] + 100
        if organisation.pk == self.hf.pk:
            return f"Synergi {year}/{n:04d}"
        return f"Avvik {year % 100:02d}-{n:03d}"

    # --- one deviation -----------------------------------------------------------

    def add(
        self,
        submitted: datetime.datetime,
        *,
        direction: str | None = None,
        reporter: Organisation | None = None,
        receiver: Organisation | None = None,
        status: str | None = None,
    ) -> Deviation:
        rng = self.rng
        if direction is None:
            direction = rng.choices(["k2h", "h2k", "k2k"], weights=[64, 29, 7])[0]
        scenario = self._scenario(direction)
        party = self._kommune()
        if reporter is None or receiver is None:
            if direction == "k2h":
                reporter, receiver = party.organisation, self.hf
            elif direction == "h2k":
                reporter, receiver = self.hf, party.organisation
            else:
                while not party.neighbours:
                    party = self._kommune()
                reporter, receiver = party.organisation, rng.choice(party.neighbours)
        site = next(
            (p.hospital_site for p in self._parties_of(reporter, receiver)), party.hospital_site
        )
        ward = rng.choice(scenario.wards or HF_WARDS)
        hospital_unit = ward if ward.startswith(("Ambulanse", "AMK")) else f"{ward}, {site}"
        unit = rng.choice(KOMMUNE_UNITS)
        text = scenario.text.format(
            ward=ward[0].lower() + ward[1:],
            unit=unit.lower(),
            late=f"{rng.randint(20, 23)}.{rng.choice(['00', '15', '30', '45'])}",
            day=rng.choice(WEEKDAYS),
        )
        extra = rng.choice(EXTRA_SENTENCES[direction])
        description = f"{text} {extra}".strip()
        if receiver.pk == self.hf.pk:
            receiving_unit = hospital_unit
        elif direction == "k2k":
            receiving_unit = scenario.wards[0] if scenario.wards else unit
        else:
            receiving_unit = unit
        occurred = submitted - datetime.timedelta(hours=rng.uniform(2, 72))
        local = timezone.localtime(submitted)
        deviation = Deviation(
            partnership=self.partnership,
            year=local.year,
            reporting_organisation=reporter,
            receiving_organisation=receiver,
            receiving_unit=receiving_unit,
            occurred_at=occurred,
            category=self.categories[scenario.category],
            guideline=self.guidelines[scenario.guideline],
            section_point=scenario.point,
            description=description,
            immediate_measures=rng.choice(scenario.measures),
            suggested_improvement=scenario.improvement if rng.random() < 0.8 else "",
            consequence=rng.choices(list(C.values), weights=scenario.consequences)[0],
            external_reference=self._reference(reporter, local.year),
            reported_by=self.reporters.get(reporter.pk),
            created=submitted - datetime.timedelta(minutes=rng.randint(5, 90)),
            submitted_at=submitted,
            response_deadline=deadline_after(local.date(), self.response_days),
        )
        self._handle(deviation, scenario, status, unit if receiver.pk != self.hf.pk else ward)
        self.rows.append(deviation)
        return deviation

    def _parties_of(self, *organisations: Organisation) -> list[_Party]:
        ids = {o.pk for o in organisations}
        return [p for p in self.kommuner if p.organisation.pk in ids]

    def _status(self, age: float) -> str:
        rng = self.rng
        if age <= 3:
            options, weights = [S.SUBMITTED, S.RECEIVED], [60, 40]
        elif age <= self.response_days:
            options = [S.SUBMITTED, S.RECEIVED, S.IN_PROGRESS, S.ANSWERED, S.CLOSED]
            weights = [12, 28, 30, 20, 10]
        elif age <= 60:
            options = [S.CLOSED, S.ANSWERED, S.IN_PROGRESS, S.RECEIVED]
            weights = [62, 26, 8, 4]
        else:
            options = [S.CLOSED, S.ANSWERED, S.IN_PROGRESS]
            weights = [940, 53, 7]
        return str(rng.choices(options, weights=weights)[0])

    def _handle(
        self, deviation: Deviation, scenario: Scenario, status: str | None, unit: str
    ) -> None:
        """Status and the times of each step, consistent with each other and
        never after now."""
        rng = self.rng
        submitted = deviation.submitted_at
        assert submitted is not None
        now = self.now
        age = (now - submitted).total_seconds() / 86400
        status = status or self._status(age)
        if status == S.SUBMITTED:
            deviation.status = status
            return
        # Received within three days, and always before now.
        hours = rng.uniform(0.2, min(72.0, max(0.3, age * 24 * 0.8)))
        deviation.received_at = submitted + datetime.timedelta(hours=hours)
        if status in (S.RECEIVED, S.IN_PROGRESS):
            deviation.status = status
            if status == S.IN_PROGRESS and rng.random() < 0.6:
                deviation.assigned_unit = unit
            self._dialogue(deviation, 0.3)
            return
        # Answered: three in four within the deadline.
        if rng.random() < 0.75:
            delay = rng.uniform(2, self.response_days)
        else:
            delay = rng.uniform(self.response_days + 1, self.response_days + 35)
        answered = submitted + datetime.timedelta(days=delay)
        room = (now - deviation.received_at).total_seconds() / 86400
        if answered > now - datetime.timedelta(hours=1):
            answered = deviation.received_at + datetime.timedelta(days=rng.uniform(0, room) * 0.9)
        answered = max(answered, deviation.received_at + datetime.timedelta(hours=2))
        deviation.answered_at = deviation.first_answered_at = answered
        deviation.answer_cause = scenario.cause
        deviation.answer_measures = scenario.answer
        if rng.random() < 0.5:
            deviation.assigned_unit = unit
        if rng.random() < 0.05:  # reopened once and answered again
            first = answered - datetime.timedelta(days=rng.uniform(2, 8))
            if first > deviation.received_at:
                deviation.first_answered_at = first
        closed = answered + datetime.timedelta(days=rng.uniform(0.3, 14))
        if status == S.CLOSED and closed < now:
            deviation.status = S.CLOSED
            deviation.closed_at = closed
        else:
            deviation.status = S.ANSWERED
        self._dialogue(deviation, 0.12)

    def _dialogue(self, deviation: Deviation, chance: float) -> None:
        if self.rng.random() >= chance:
            return
        start = deviation.received_at or deviation.submitted_at
        assert start is not None
        end = deviation.answered_at or self.now
        span = max((end - start).total_seconds(), 60.0)
        count = self.rng.randint(1, 3)
        moments = sorted(
            start + datetime.timedelta(seconds=self.rng.uniform(0, span)) for _ in range(count)
        )
        thread = []
        for i, moment in enumerate(moments):
            from_receiver = i % 2 == 0
            pool = MESSAGES_FROM_RECEIVER if from_receiver else MESSAGES_FROM_REPORTER
            thread.append((from_receiver, self.rng.choice(pool), moment))
        self.messages.append((deviation, thread))

    # --- the whole set -----------------------------------------------------------

    def build(self) -> None:
        today = timezone.localdate(self.now)
        # The named parties' open deviations count in their month, so that a
        # whole month has 15 to 27 in all, whatever day the demo is built.
        named = self._named_parties()
        named_per_month = Counter(
            (timezone.localtime(m).year, timezone.localtime(m).month) for m, _kw in named
        )
        # Nothing is submitted after now, nor before today began (a build
        # just after midnight keeps today's reports in today's month).
        latest = max(self.now - datetime.timedelta(minutes=10), _start_of(today))
        first = _add_months(today.replace(day=1), -MONTHS)
        month = first
        index = 0
        while month <= today:
            last_day = calendar.monthrange(month.year, month.month)[1]
            count = round(20 * SEASON[month.month] * (1.0 + 0.1 * index / MONTHS))
            ceiling = 27 - named_per_month[(month.year, month.month)]
            count = max(15, min(ceiling, count + self.rng.randint(-3, 3)))
            if month.year == today.year and month.month == today.month:
                count = round(count * today.day / last_day)
            days = (min(month.replace(day=last_day), today) - month).days + 1
            for _ in range(count):
                day = month + datetime.timedelta(days=self.rng.randrange(days))
                if day.weekday() >= 5 and self.rng.random() < 0.6:  # fewer at weekends
                    day = month + datetime.timedelta(days=self.rng.randrange(days))
                self.add(min(self._datetime(day, 8, 16), latest))
            month = _add_months(month, 1)
            index += 1
        for moment, kwargs in named:
            self.add(moment, **kwargs)

    def _named_parties(self) -> list[tuple[datetime.datetime, dict[str, Any]]]:
        """Open deviations the demo's named people can act on: Lena's
        Levanger has some reported and some received, the HF (Hanne) some to
        answer, one of them overdue."""
        levanger = next(
            p.organisation for p in self.kommuner if p.organisation.municipality_number == "5037"
        )
        namsos = next(
            p.organisation for p in self.kommuner if p.organisation.municipality_number == "5007"
        )
        hf = self.hf

        def ago(days: int) -> datetime.datetime:
            day = timezone.localdate(self.now) - datetime.timedelta(days=days)
            return self._datetime(day, 9, 14)

        def k2h(reporter: Organisation, status: str) -> dict[str, Any]:
            return {"direction": "k2h", "reporter": reporter, "receiver": hf, "status": status}

        return [
            (ago(2), k2h(levanger, S.SUBMITTED)),
            (ago(9), k2h(levanger, S.IN_PROGRESS)),
            (ago(17), k2h(levanger, S.ANSWERED)),
            (
                ago(5),
                {"direction": "h2k", "reporter": hf, "receiver": levanger, "status": S.RECEIVED},
            ),
            (
                ago(30),
                {"direction": "h2k", "reporter": hf, "receiver": levanger, "status": S.IN_PROGRESS},
            ),
            (ago(4), k2h(namsos, S.SUBMITTED)),
            (ago(28), k2h(namsos, S.RECEIVED)),
        ]

    def save(self) -> None:
        self.rows.sort(key=lambda d: d.submitted_at or self.now)
        per_year: Counter[int] = Counter()
        for deviation in self.rows:
            assert deviation.year is not None
            per_year[deviation.year] += 1
            deviation.sequence = per_year[deviation.year]
        Deviation.objects.bulk_create(self.rows, batch_size=500)
        for year, last in per_year.items():
            counter, _created = DeviationCounter.objects.get_or_create(
                partnership=self.partnership, year=year
            )
            if counter.last < last:
                counter.last = last
                counter.save(update_fields=["last"])
        by_number = {
            (year, sequence): pk
            for pk, year, sequence in Deviation.objects.filter(
                partnership=self.partnership
            ).values_list("pk", "year", "sequence")
        }
        messages = []
        for deviation, thread in self.messages:
            pk = by_number[(deviation.year, deviation.sequence)]
            for from_receiver, text, moment in thread:
                organisation = (
                    deviation.receiving_organisation
                    if from_receiver
                    else deviation.reporting_organisation
                )
                messages.append(
                    DeviationMessage(
                        deviation_id=pk,
                        author=self.reporters.get(organisation.pk),
                        organisation=organisation,
                        text=text,
                        created=moment,
                    )
                )
        DeviationMessage.objects.bulk_create(messages, batch_size=500)


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def _add_months(day: datetime.date, months: int) -> datetime.date:
    total = day.year * 12 + day.month - 1 + months
    return day.replace(year=total // 12, month=total % 12 + 1)


@transaction.atomic
def build_deviations_demo(now: datetime.datetime | None = None) -> int:
    """Configure deviations for the demo partnership and add two years of them
    (ending ``now``); returns how many were added (0 if it already had some)."""
    partnership = Partnership.objects.get(slug="hnt")
    ensure_configuration(partnership)
    if Deviation.objects.filter(partnership=partnership).exists():
        return 0
    builder = _Builder(partnership, now or timezone.now())
    builder.build()
    builder.save()
    _learning_loop(partnership)
    return len(builder.rows)


def _learning_loop(partnership: Partnership) -> None:
    """The discharge routine of the routines demo, revised through the loop:
    its deviations (late discharges, category C under guideline 1) taken to
    ASU in the last meeting held at least a month before the revision came
    in force, the decision, its follow-up "revise the routine" (done), and
    the revised version recording both. Fewer of the routine's deviations
    are reported after the revision (70 % of those deviations are linked to
    the routine before it, 25 % after), so its page shows the drop."""
    from agreements.models import AgreementVersion, Clause
    from councils.models import Decision, Meeting, Treatment
    from followups.models import FollowUp
    from routines.models import Routine, RoutineVersion

    routine = Routine.objects.filter(partnership=partnership, slug="utskrivning").first()
    guideline = Guideline.objects.filter(partnership=partnership, number=1).first()
    if routine is None or guideline is None:
        return
    revision = (
        routine.versions.filter(status=RoutineVersion.Status.IN_FORCE, previous__isnull=False)
        .exclude(in_force_from=None)
        .first()
    )
    if revision is None or revision.in_force_from is None:
        return
    clause = Clause.objects.filter(
        agreement_version__agreement=guideline.agreement,
        agreement_version__status=AgreementVersion.Status.IN_FORCE,
        key=routine.clause_key,
    ).first()
    rng = random.Random(SEED + 1)
    chosen = [
        pk
        for pk, submitted in Deviation.objects.filter(
            partnership=partnership, guideline=guideline, category__code="C"
        )
        .exclude(status=Deviation.Status.DRAFT)
        .order_by("pk")
        .values_list("pk", "submitted_at")
        if submitted is not None
        and rng.random() < (0.7 if timezone.localdate(submitted) < revision.in_force_from else 0.25)
    ]
    Deviation.objects.filter(pk__in=chosen).update(routine=routine, clause=clause)
    if TrendCase.objects.filter(routine=routine).exists():
        return  # the case and its decision are history already (a rebuild)
    held = [
        s for s in Meeting.Status.values if s not in ("planned", "notice_published", "cancelled")
    ]
    meeting = (
        Meeting.objects.filter(
            council__partnership=partnership,
            council__slug="asu",
            status__in=held,
            starts_at__lt=_start_of(revision.in_force_from - datetime.timedelta(days=30)),
        )
        .select_related("council")
        .order_by("-starts_at")
        .first()
    )
    sara = User.objects.filter(email="sara@hnt.example").first()
    if meeting is None:
        return
    day = timezone.localdate(meeting.starts_at) - datetime.timedelta(days=14)
    trend_case, _created = loop.open_case(
        partnership, loop.Subject(routine=routine), council=meeting.council, by=sara, today=day
    )
    last = meeting.treatments.order_by("-position").first()
    treatment = Treatment.objects.create(
        meeting=meeting,
        case=trend_case.case,
        kind=Treatment.Kind.DECISION,
        position=(last.position if last else 10) + 10,
    )
    text = richtext.text_of(trend_case.case.proposed_decision)
    decision = Decision.objects.create(
        treatment=treatment, recommendation=text, adopted_text=text, recorded_by=sara
    )
    followup = loop.revise_followup(trend_case, decision, by=sara)
    FollowUp.objects.filter(pk=followup.pk).update(
        status=FollowUp.Status.DONE, closed_at=_start_of(revision.in_force_from)
    )
    RoutineVersion.objects.filter(pk=revision.pk).update(
        decision=decision,
        followup=followup,
        reason=(
            "ASU ba om revisjon etter mange samhandlingsavvik ved sene utskrivninger. (Demodata.)"
        ),
    )
