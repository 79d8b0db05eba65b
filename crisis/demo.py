"""Two years of covid-19 reporting for the demo partnership (HNT), and a
local outbreak.

- The Covid-19 weekly form, and the coordination group "Koordineringsgruppen"
  with seats for the secretariat, the hospital, the region leaders and
  Statsforvalteren.
- "Covid-19": weekly reports from every party from the week of 9 March 2020
  to the week of 21 March 2022 (the last one due 29 March; stood down
  1 April 2022). Values follow the waves: a small spring 2020, the winter
  2020/21, delta in the autumn of 2021 and a large omicron wave in
  January–February 2022; equipment short in the spring of 2020, occupancy
  about 70–95 %, personnel strained in the omicron weeks, vaccination rising
  through 2021. A few reports are late or missing in the first weeks, a
  handful say "no change", a few were corrected after submission, and some
  carry a declared level with a reason.
- "Lokalt utbrudd Frosta": Værnesregionen and the hospital, six weeks in the
  autumn of 2021, stood down.
- A crisis log of significant events, partnership levels declared in the
  hardest weeks, and resource requests in every status.

Levels are computed as :func:`crisis.services.save_report` computes them
(the rule version in force, the worst indicator's level). Everything is
invented: no names in the texts, no identity numbers. A fixed seed and fixed
dates make the data the same on every run. Reports, values and revisions are
bulk-created for speed (the identity-number guard and the audit log do not
see bulk inserts, so the tests check the texts). :func:`build_crisis_demo`
is idempotent: once the demo crisis has reports, it adds nothing. Both
crises are stood down: the demo has no active crisis.
"""

from __future__ import annotations

import datetime
import math
import random
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import User
from councils import services as council_services
from councils.models import Appointment, Council
from crisis import figures, periods, services
from crisis.catalogue import ensure_covid_form
from crisis.models import (
    Crisis,
    FormIndicator,
    Indicator,
    LogEntry,
    PartnershipLevel,
    Report,
    ReportForm,
    ReportRevision,
    ResourceRequest,
    Value,
)
from crisis.numbers import plain
from partnerships.models import Membership, Organisation, Participation, Partnership, Region

SEED = 2020_03
NAMESPACE = uuid.UUID("5a3c2d1e-0000-4000-8000-00000000c0de")
COVID_KEY = uuid.uuid5(NAMESPACE, "covid-19")
OUTBREAK_KEY = uuid.uuid5(NAMESPACE, "lokalt-utbrudd-frosta")

COVID_FIRST = datetime.date(2020, 3, 9)
# The last period (21–27 March 2022) is due on 29 March; the crisis is stood
# down on 1 April, so the week of 28 March is never reported.
COVID_LAST = datetime.date(2022, 3, 21)
COVID_OPENED = datetime.datetime(2020, 3, 6, 14, 0)
COVID_STOOD_DOWN = datetime.datetime(2022, 4, 1, 12, 0)
OUTBREAK_FIRST = datetime.date(2021, 10, 4)
OUTBREAK_LAST = datetime.date(2021, 11, 8)
OUTBREAK_OPENED = datetime.datetime(2021, 10, 5, 9, 0)
OUTBREAK_STOOD_DOWN = datetime.datetime(2021, 11, 19, 15, 0)
FROSTA = "5036"
# (week number, kommunenummer) of drafts never submitted: Røyrvik, Leka.
NEVER_SUBMITTED = {(1, "5043"), (2, "5052")}
VAERNES = "Værnesregionen"
# Extra cases and cases in institutions in Frosta, week by week of the outbreak.
FROSTA_OUTBREAK = [(4, 3), (14, 6), (27, 9), (19, 5), (9, 2), (3, 0)]
COUNCIL_SLUG = "koordineringsgruppen"
COUNCIL_MANDATE = (
    "Koordineringsgruppen samler helsesjefer og kommuneoverleger fra regionene, "
    "helseforetaket og Statsforvalteren når beredskapen heves. Gruppen lager et felles "
    "situasjonsbilde hver uke, fordeler ressurser mellom partene og følger opp tiltak."
)

# Waves: (peak week, cases per 100,000 inhabitants per week at the peak, width in weeks).
WAVES = [
    (datetime.date(2020, 3, 30), 16.0, 3.0),
    (datetime.date(2020, 11, 16), 45.0, 4.0),
    (datetime.date(2021, 1, 11), 30.0, 3.0),
    (datetime.date(2021, 3, 15), 70.0, 4.5),
    (datetime.date(2021, 12, 6), 260.0, 6.0),
    (datetime.date(2022, 2, 7), 1800.0, 3.5),
]
# Share of the week's cases admitted to hospital, by period.
ADMISSION_RATES = [
    (datetime.date(2021, 1, 1), 0.05),
    (datetime.date(2021, 12, 20), 0.025),
    (datetime.date(2099, 1, 1), 0.006),
]
EQUIPMENT_SHORT = ("munnbind", "andedrettsvern", "frakker")
SPRING_2020_END = datetime.date(2020, 6, 1)
OMICRON = (datetime.date(2022, 1, 3), datetime.date(2022, 2, 28))
VACCINATION_START = datetime.date(2021, 1, 4)

CHALLENGES = {
    "spring2020": [
        "Lite munnbind og åndedrettsvern i hjemmetjenesten; forbruket må rasjoneres.",
        "Usikkerhet om testkriterier og kapasitet på prøvetaking.",
        "Besøksstans på sykehjemmet krever ekstra bemanning og informasjon til pårørende.",
        "Legekontoret har delt seg i luftveisklinikk og ordinær drift.",
        "Ansatte er bekymret for smitte; behov for tydelige rutiner.",
    ],
    "winter": [
        "Smittesporingen tar mye kapasitet fra helsestasjonen.",
        "Flere ansatte i karantene etter smitte i nærmiljøet.",
        "Testkapasiteten er presset i helgene.",
        "Mange henvendelser fra innbyggere om regler for besøk og reiser.",
    ],
    "vaccination": [
        "Stor pågang på vaksinasjonstelefonen.",
        "Leveransene av vaksine varierer fra uke til uke og gjør planleggingen vanskelig.",
        "Vaksinasjonen tar personell fra hjemmetjenesten.",
    ],
    "delta": [
        "Økt smitte blant barn og unge; flere skoleklasser i karantene.",
        "Smittesporingsteamet er forsterket med ansatte fra andre enheter.",
        "Oppfriskningsdoser til eldre over 65 år må organiseres samtidig med smittesporing.",
    ],
    "omicron": [
        "Høyt sykefravær i hjemmetjenesten og på sykehjemmet.",
        "Mange positive selvtester; registreringen henger etter.",
        "Vanskelig å skaffe vikarer; overtid i flere enheter.",
        "TISK trappes ned etter nasjonale endringer; innbyggerne trenger informasjon.",
    ],
    "hospital": [
        "Høyt belegg på medisinsk avdeling; pasienter på korridor.",
        "Kohortisolering av pasienter med covid-19 binder personell.",
        "Planlagt kirurgi er utsatt for å frigjøre intensivkapasitet.",
        "Utskrivningsklare pasienter venter på kommunal plass.",
    ],
    "outbreak": [
        "Utbrudd på sykehjemmet i Frosta; besøksstans og kohortisolering.",
        "Regional smittesporing i Værnesregionen med hjelp fra nabokommunene.",
        "Testing av alle ansatte og beboere på sykehjemmet i Frosta.",
    ],
}
NEEDS = {
    "spring2020": [
        "Trenger åndedrettsvern til to ukers forbruk.",
        "Ønsker felles opplæring i bruk av smittevernutstyr.",
        "Behov for smittefrakker til hjemmetjenesten.",
    ],
    "winter": [
        "Behov for hjelp til smittesporing i helgene.",
        "Ønsker felles informasjon til innbyggerne på flere språk.",
    ],
    "vaccination": ["Behov for flere vaksinatører i to uker."],
    "delta": ["Behov for sykepleiere til smittesporing."],
    "omicron": [
        "Behov for vikarer til hjemmetjenesten.",
        "Ønsker bistand fra nabokommunene til oppfriskningsdoser.",
    ],
    "hospital": ["Ber kommunene ta imot utskrivningsklare pasienter samme dag."],
    "outbreak": ["Behov for sykepleiere til sykehjemmet i Frosta under utbruddet."],
}
BIG_NUMBER_COMMENT = "Omikronbølgen; tallet omfatter positive selvtester."

# (day, text) of the Covid-19 crisis log.
COVID_LOG = [
    (datetime.date(2020, 3, 10), "Koordineringsgruppen er etablert og møtes hver tirsdag."),
    (
        datetime.date(2020, 3, 12),
        "Nasjonale tiltak innført: skoler og barnehager stengt, besøksstans på sykehjem.",
    ),
    (
        datetime.date(2020, 3, 24),
        "Felles lager av smittevernutstyr opprettet ved Sykehuset Levanger.",
    ),
    (
        datetime.date(2020, 4, 20),
        "Første leveranse av åndedrettsvern fra nasjonalt innkjøp fordelt til kommunene.",
    ),
    (
        datetime.date(2020, 6, 15),
        "Gradvis gjenåpning; rapporteringen fortsetter hver uke.",
    ),
    (datetime.date(2020, 11, 5), "Nye nasjonale tiltak: sosial kontakt begrenses."),
    (datetime.date(2020, 12, 28), "Vaksinasjon starter på sykehjemmene."),
    (datetime.date(2021, 1, 11), "Vaksinasjon starter i alle kommuner."),
    (
        datetime.date(2021, 3, 15),
        "Økt smitte i regionen; regionene vurderer lokale tiltak sammen med kommuneoverlegene.",
    ),
    (
        datetime.date(2021, 9, 25),
        "Samfunnet gjenåpnes; partene fortsetter å rapportere hver uke.",
    ),
    (
        datetime.date(2021, 10, 5),
        "Lokalt utbrudd i Frosta: regionalt møte for Værnesregionen og sykehuset.",
    ),
    (
        datetime.date(2021, 12, 13),
        "Omikron påvist i regionen; nasjonale tiltak strammes inn.",
    ),
    (
        datetime.date(2022, 1, 14),
        "Omikron: TISK endres; smittesporing og karantene trappes ned.",
    ),
    (
        datetime.date(2022, 1, 25),
        "Høyt sykefravær: partene deler vikarlister gjennom koordineringsgruppen.",
    ),
    (datetime.date(2022, 2, 12), "De fleste nasjonale tiltak oppheves."),
    (
        datetime.date(2022, 4, 1),
        "Beredskapen trappes ned; rapporteringen avsluttes.",
    ),
]
OUTBREAK_LOG = [
    (
        datetime.date(2021, 10, 5),
        "Utbrudd på sykehjemmet i Frosta er meldt til Koordineringsgruppen.",
    ),
    (
        datetime.date(2021, 10, 6),
        "Regionalt møte: Frosta, Stjørdal, Meråker og sykehuset avtaler felles smittesporing.",
    ),
    (datetime.date(2021, 10, 13), "Alle ansatte og beboere på sykehjemmet er testet."),
    (datetime.date(2021, 11, 19), "Utbruddet er over; den regionale rapporteringen avsluttes."),
]
# (party number or "hf", kind, description, quantity, created, status, offered by, offer)
RequestSpec = tuple[str, str, str, str, datetime.date, str, str, str]
REQUESTS: list[RequestSpec] = [
    (
        "5034",
        ResourceRequest.Kind.EQUIPMENT,
        "Åndedrettsvern til hjemmetjenesten",
        "500 stk",
        datetime.date(2020, 3, 17),
        ResourceRequest.Status.DELIVERED,
        "hf",
        "Leveres fra felles lager ved Sykehuset Levanger.",
    ),
    (
        "5052",
        ResourceRequest.Kind.EQUIPMENT,
        "Smittefrakker til sykehjemmet",
        "200 stk",
        datetime.date(2020, 3, 31),
        ResourceRequest.Status.WITHDRAWN,
        "",
        "",
    ),
    (
        "5006",
        ResourceRequest.Kind.PERSONNEL,
        "Vaksinatører til oppfriskningsdoser",
        "2 sykepleiere i 3 uker",
        datetime.date(2021, 12, 14),
        ResourceRequest.Status.OFFERED,
        "5053",
        "Kan låne ut én sykepleier fra vaksinasjonsteamet.",
    ),
    (
        "hf",
        ResourceRequest.Kind.BEDS,
        "Kommunene tar imot utskrivningsklare pasienter samme dag",
        "10 korttidsplasser",
        datetime.date(2022, 1, 24),
        ResourceRequest.Status.AGREED,
        "5037",
        "Levanger åpner ekstra korttidsplasser på helsehuset i omikronperioden.",
    ),
    (
        "5041",
        ResourceRequest.Kind.PERSONNEL,
        "Sykepleier til hjemmetjenesten i to uker",
        "1 sykepleier",
        datetime.date(2022, 2, 1),
        ResourceRequest.Status.REQUESTED,
        "",
        "",
    ),
]
OUTBREAK_REQUESTS: list[RequestSpec] = [
    (
        FROSTA,
        ResourceRequest.Kind.PERSONNEL,
        "Sykepleiere til sykehjemmet under utbruddet",
        "3 sykepleiere i 2 uker",
        datetime.date(2021, 10, 6),
        ResourceRequest.Status.DELIVERED,
        "5035",
        "Stjørdal låner ut tre sykepleiere fra korttidsavdelingen.",
    ),
]
ValueRow = tuple[Decimal | None, str, str]
VALUE_FIELDS = ("report", "indicator", "item", "number", "text", "comment")


def _aware(moment: datetime.datetime) -> datetime.datetime:
    return timezone.make_aware(moment)


def _at(day: datetime.date, hour: float) -> datetime.datetime:
    """The moment ``hour`` hours after midnight at the start of ``day``."""
    return _aware(datetime.datetime.combine(day, datetime.time.min)) + datetime.timedelta(
        hours=hour
    )


def incidence(day: datetime.date) -> float:
    """Cases per 100,000 inhabitants in the week starting ``day``."""
    total = 2.0 if day < datetime.date(2021, 7, 1) else 6.0
    for peak, height, width in WAVES:
        weeks = (day - peak).days / 7
        total += height * math.exp(-0.5 * (weeks / width) ** 2)
    return total


def pressure(day: datetime.date) -> float:
    """0 (calm) … 1 (the worst omicron week), on a log scale of incidence."""
    return min(1.0, max(0.0, math.log10(incidence(day) / 5) / math.log10(1800 / 5)))


def phase(day: datetime.date) -> str:
    """Which texts fit the week."""
    if day < SPRING_2020_END:
        return "spring2020"
    if day >= OMICRON[0]:
        return "omicron"
    if datetime.date(2021, 9, 20) <= day:
        return "delta"
    if VACCINATION_START <= day < datetime.date(2021, 7, 1):
        return "vaccination"
    return "winter"


@dataclass
class _Party:
    organisation: Organisation
    is_kommune: bool
    population: int
    region: str
    region_id: int | None
    reporter: User | None
    capacity: dict[str, int]
    factor: float
    stock: dict[str, float] = field(default_factory=dict)
    vaccine_offset: float = 0.0
    target: float = 80.0
    last: dict[tuple[str, str], ValueRow] | None = None


@dataclass
class _Draft:
    """A report being built, with its values by (code, item)."""

    party: _Party
    start: datetime.date
    values: dict[tuple[str, str], ValueRow]
    status: str = Report.Status.SUBMITTED
    submitted_at: datetime.datetime | None = None
    no_change: bool = False
    earlier: dict[tuple[str, str], ValueRow] | None = None
    declared: tuple[int, str, User | None] | None = None


class _Builder:
    def __init__(self, partnership: Partnership, form: ReportForm, sara: User | None) -> None:
        self.partnership = partnership
        self.form = form
        self.sara = sara
        self.rng = random.Random(SEED)
        self.indicators = {i.code: i for i in Indicator.objects.filter(partnership=partnership)}
        self.rule = services.current_rule(partnership)
        self.equipment = [i["code"] for i in self.indicators["smittevernutstyr"].items]
        self.parties = self._parties()
        lines = services.form_lines(form)
        self.keys = {
            kind: {
                (line.indicator.code, item)
                for line in lines
                if line.applies_to in (FormIndicator.For.ALL, kind)
                for _key, item in services.keys_of(line)
            }
            for kind in (FormIndicator.For.KOMMUNE, FormIndicator.For.HOSPITAL)
        }
        # (organisation pk, period) → values, shared by the outbreak crisis.
        self.week_values: dict[tuple[int, datetime.date], dict[tuple[str, str], ValueRow]] = {}

    def _parties(self) -> list[_Party]:
        rows = (
            Participation.objects.current()
            .filter(partnership=self.partnership, role=Participation.Role.PARTY)
            .select_related("organisation", "region")
            .order_by("organisation__name")
        )
        population = {
            o.pk: o.inhabitants
            for o in Organisation.objects.filter(
                pk__in=[row.organisation_id for row in rows]
            ).annotate(inhabitants=Max("population__inhabitants"))
        }
        reporters: dict[int, User] = {}
        for membership in (
            Membership.objects.current()
            .filter(
                organisation__in=[row.organisation_id for row in rows],
                role__in=(Membership.Role.COORDINATOR, Membership.Role.LEADER),
            )
            .select_related("user")
            .order_by("pk")
        ):
            reporters.setdefault(membership.organisation_id, membership.user)
        parties = []
        for row in rows:
            org = row.organisation
            is_kommune = org.kind == Organisation.Kind.KOMMUNE
            people = population.get(org.pk) or (3000 if not is_kommune else 1000)
            if is_kommune:
                capacity = {
                    "sykehjem": max(8, round(people * 0.0075)),
                    "kad": max(2, round(people / 4000)),
                    "senger": 0,
                }
            else:
                capacity = {"sykehjem": 0, "kad": 0, "senger": 290}
            party = _Party(
                organisation=org,
                is_kommune=is_kommune,
                population=people,
                region=row.region.name if row.region else "",
                region_id=row.region_id,
                reporter=reporters.get(org.pk),
                capacity=capacity,
                factor=self.rng.lognormvariate(0, 0.35),
                vaccine_offset=self.rng.uniform(-4, 4),
                target=self.rng.uniform(65, 100),
            )
            party.stock = {item: self.rng.uniform(50, 110) for item in self.equipment}
            if is_kommune:
                for item in EQUIPMENT_SHORT:
                    if self.rng.random() < 0.6:
                        party.stock[item] = self.rng.uniform(8, 30)
            parties.append(party)
        return parties

    # --- values ----------------------------------------------------------------

    def _cases(self, party: _Party, start: datetime.date) -> int:
        if not party.is_kommune:  # infected hospital staff
            expected = incidence(start) * 3500 / 100_000 * 0.8
        else:
            expected = incidence(start) * party.population / 100_000 * party.factor
        noisy = self.rng.gauss(expected, math.sqrt(expected) + 0.4)
        cases = max(0, round(noisy))
        extra = self._outbreak(party, start)
        return cases + extra[0]

    def _outbreak(self, party: _Party, start: datetime.date) -> tuple[int, int]:
        """Extra (cases, cases in institutions) of the Frosta outbreak."""
        if not OUTBREAK_FIRST <= start <= OUTBREAK_LAST:
            return 0, 0
        week = (start - OUTBREAK_FIRST).days // 7
        cases, institution = FROSTA_OUTBREAK[week]
        if party.organisation.municipality_number == FROSTA:
            return cases, institution
        if party.region == VAERNES and party.is_kommune:
            return cases // 4, 0
        return 0, 0

    def _equipment(self, party: _Party, start: datetime.date) -> dict[str, int]:
        days: dict[str, int] = {}
        for item in self.equipment:
            stock = party.stock[item]
            if start < SPRING_2020_END:
                # Deliveries catch up during the spring.
                stock += self.rng.uniform(-4, 9)
            else:
                # Stocks are refilled towards nine to fourteen weeks; a rare dip.
                stock += 0.3 * (party.target - stock) + self.rng.uniform(-6, 6)
                if self.rng.random() < 0.004:
                    stock = self.rng.uniform(32, 41)
            stock = max(stock, 7 if start < SPRING_2020_END else 30)
            party.stock[item] = stock
            days[item] = round(stock)
        return days

    def _values(self, party: _Party, start: datetime.date) -> dict[tuple[str, str], ValueRow]:
        rng = self.rng
        squeeze = pressure(start)
        values: dict[tuple[str, str], ValueRow] = {}

        def put(
            code: str, item: str, number: float | int | Decimal | None, comment: str = ""
        ) -> None:
            values[(code, item)] = (None if number is None else Decimal(str(number)), "", comment)

        cases = self._cases(party, start)
        smittetall = self.indicators["smittetall"]
        over = smittetall.soft_max is not None and cases > smittetall.soft_max
        put("smittetall", "", cases, BIG_NUMBER_COMMENT if over else "")
        if party.is_kommune:
            institution = 0
            if rng.random() < squeeze * 0.25 * min(1.0, party.population / 10_000):
                institution = rng.randint(1, 3 + round(squeeze * 4))
            put("smitte-institusjon", "", institution + self._outbreak(party, start)[1])
        else:
            region_cases = incidence(start) * 140_000 / 100_000
            rate = next(rate for until, rate in ADMISSION_RATES if start < until)
            put("innlagte", "", max(0, round(rng.gauss(region_cases * rate, 1.2))))
        for item, days in self._equipment(party, start).items():
            put("smittevernutstyr", item, days)
        for item, capacity in party.capacity.items():
            put("kapasitet", item, capacity)
            if capacity == 0:
                put("belegg", item, 0)
            elif item == "sykehjem":
                share = min(0.96, max(0.68, rng.gauss(0.77 + 0.06 * squeeze, 0.04)))
                put("belegg", item, min(capacity, round(capacity * share)))
            elif item == "kad":
                used = sum(rng.random() < 0.35 + 0.2 * squeeze for _ in range(capacity))
                if used >= capacity and rng.random() > 0.15 * squeeze:
                    used = capacity - 1
                put("belegg", item, used)
            else:
                share = min(0.99, max(0.7, rng.gauss(0.8 + 0.12 * squeeze, 0.03)))
                put("belegg", item, round(capacity * share))
        omicron = OMICRON[0] <= start <= OMICRON[1]
        roll = rng.random()
        if omicron:
            personell = 3 if roll < 0.3 else 2 if roll < 0.85 else 1
        else:
            personell = 3 if roll < 0.02 * squeeze else 2 if roll < 0.03 + 0.3 * squeeze else 1
        put("personell", "", personell)
        risk = 0.45 if omicron else 0.12 if start < SPRING_2020_END else 0.08 * squeeze
        put("overbelastning", "", 1 if rng.random() < risk else 0)
        if party.is_kommune and start >= VACCINATION_START:
            weeks = (start - VACCINATION_START).days / 7
            share = 91 / (1 + math.exp(-(weeks - 24) / 6)) + party.vaccine_offset
            put("vaksinasjon", "", Decimal(str(round(min(99.0, max(0.3, share)), 1))))
        self._texts(party, start, values)
        return values

    def _texts(
        self, party: _Party, start: datetime.date, values: dict[tuple[str, str], ValueRow]
    ) -> None:
        rng = self.rng
        key = phase(start) if party.is_kommune else "hospital"
        in_outbreak = OUTBREAK_FIRST <= start <= OUTBREAK_LAST and (
            party.region == VAERNES or not party.is_kommune
        )
        if in_outbreak and (party.organisation.municipality_number == FROSTA or rng.random() < 0.5):
            key = "outbreak"
        chance = 0.08 + 0.25 * pressure(start) + (0.5 if key == "outbreak" else 0)
        if rng.random() < chance:
            values[("utfordringer", "")] = (None, rng.choice(CHALLENGES[key]), "")
        if rng.random() < chance * 0.4:
            values[("behov", "")] = (None, rng.choice(NEEDS[key]), "")

    # --- reports ---------------------------------------------------------------

    def _submitted_at(self, party: _Party, start: datetime.date, late: bool) -> datetime.datetime:
        deadline = periods.deadline(self.form, party.organisation, start)
        if late:
            return deadline + datetime.timedelta(hours=self.rng.uniform(2, 50))
        end = periods.period_end(self.form, start)
        latest = (deadline - _at(end, 0)).total_seconds() / 3600 - 0.5
        return _at(end, self.rng.uniform(8, max(9.0, latest)))

    def covid(self) -> list[_Draft]:
        drafts: list[_Draft] = []
        day = COVID_FIRST
        index = 0
        no_change_left = 12
        while day <= COVID_LAST:
            early = index < 6
            calm = pressure(day) < 0.15
            for party in self.parties:
                values = self._values(party, day)
                self.week_values[(party.organisation.pk, day)] = values
                never = (index, party.organisation.municipality_number) in NEVER_SUBMITTED
                if self.rng.random() < (0.07 if early else 0.003) and not never:
                    continue  # missing
                late = self.rng.random() < (0.15 if early else 0.01)
                draft = _Draft(party, day, values)
                if never:
                    draft.status = Report.Status.DRAFT
                elif (
                    calm
                    and party.last is not None
                    and no_change_left > 0
                    and self.rng.random() < 0.02
                ):
                    draft.values = dict(party.last)
                    draft.no_change = True
                    no_change_left -= 1
                if draft.status == Report.Status.SUBMITTED:
                    draft.submitted_at = self._submitted_at(party, day, late)
                    party.last = draft.values
                drafts.append(draft)
            day += datetime.timedelta(days=7)
            index += 1
        self._corrections(drafts)
        self._declarations(drafts)
        return drafts

    def outbreak(self) -> list[_Draft]:
        drafts = []
        for party in self.parties:
            if party.is_kommune and party.region != VAERNES:
                continue
            day = OUTBREAK_FIRST
            while day <= OUTBREAK_LAST:
                values = dict(self.week_values[(party.organisation.pk, day)])
                text = CHALLENGES["outbreak"][(day - OUTBREAK_FIRST).days // 7 % 3]
                values[("utfordringer", "")] = (None, text, "")
                draft = _Draft(party, day, values)
                draft.submitted_at = self._submitted_at(party, day, late=False)
                drafts.append(draft)
                day += datetime.timedelta(days=7)
        return drafts

    def _corrections(self, drafts: list[_Draft]) -> None:
        """A few reports corrected after submission: the first revision had
        another number of cases."""
        submitted = [d for d in drafts if d.status == Report.Status.SUBMITTED and not d.no_change]
        for draft in self.rng.sample(submitted, 6):
            number, text, comment = draft.values[("smittetall", "")]
            assert number is not None
            draft.earlier = dict(draft.values)
            draft.earlier[("smittetall", "")] = (number + self.rng.randint(1, 4), text, comment)

    def _declarations(self, drafts: list[_Draft]) -> None:
        """Declared levels with a reason, where the party saw more (or less)
        than the numbers: the hospital before the first wave and in the
        omicron peak, kommuner short of staff in the omicron weeks, kommuner
        with equipment promised in the spring of 2020."""
        submitted = [d for d in drafts if d.status == Report.Status.SUBMITTED]
        by_key = {(d.party.organisation.pk, d.start): d for d in submitted}
        hf = next(p for p in self.parties if not p.is_kommune)
        plan: list[tuple[_Draft | None, int, str]] = [
            (
                by_key.get((hf.organisation.pk, datetime.date(2020, 3, 16))),
                3,
                "Sykehuset forbereder mange innleggelser; planlagt aktivitet er trappet ned.",
            ),
            (
                by_key.get((hf.organisation.pk, datetime.date(2022, 1, 31))),
                4,
                "Høyt sykefravær og fullt belegg på medisinsk avdeling ved begge sykehusene.",
            ),
        ]
        omicron = [
            d
            for d in submitted
            if d.party.is_kommune
            and datetime.date(2022, 1, 24) <= d.start <= datetime.date(2022, 2, 14)
            and self._level(d.values) == 2
        ]
        for draft in self.rng.sample(omicron, min(6, len(omicron))):
            plan.append(
                (draft, 3, "Sykefraværet i hjemmetjenesten gir større press enn tallene viser.")
            )
        spring = [
            d
            for d in submitted
            if datetime.date(2020, 4, 6) <= d.start <= datetime.date(2020, 4, 20)
            and self._level(d.values) == 3
        ]
        for draft in self.rng.sample(spring, min(3, len(spring))):
            plan.append((draft, 2, "Leveranse av smittevernutstyr er bekreftet for neste uke."))
        for found, level, reason in plan:
            if found is not None and self._level(found.values) != level:
                found.declared = (level, reason, found.party.reporter or self.sara)

    # --- saving ----------------------------------------------------------------

    def _level(self, values: dict[tuple[str, str], ValueRow]) -> int:
        levels = services.indicator_levels(
            {key: number for key, (number, _text, _comment) in values.items()},
            self.rule.thresholds,
        )
        return services.party_level(levels)

    def _snapshot(self, values: dict[tuple[str, str], ValueRow]) -> dict[str, dict[str, Any]]:
        return {
            services.key_of(code, item): {
                "number": None if number is None else plain(number),
                "text": text,
                "comment": comment,
            }
            for (code, item), (number, text, comment) in values.items()
        }

    def save(self, crisis: Crisis, drafts: list[_Draft]) -> int:
        rows = []
        for draft in drafts:
            kind = (
                FormIndicator.For.KOMMUNE if draft.party.is_kommune else FormIndicator.For.HOSPITAL
            )
            assert set(draft.values) <= self.keys[kind], set(draft.values) - self.keys[kind]
            reporter = draft.party.reporter
            end = periods.period_end(self.form, draft.start)
            first = draft.submitted_at
            report = Report(
                crisis=crisis,
                organisation=draft.party.organisation,
                period_start=draft.start,
                status=draft.status,
                no_change=draft.no_change,
                created=first - datetime.timedelta(hours=self.rng.uniform(0.1, 6))
                if first
                else _at(end, self.rng.uniform(8, 14)),
                created_by=reporter,
                version=1 + (draft.earlier is not None) + (draft.declared is not None),
            )
            if first is not None:
                report.first_submitted_at = report.submitted_at = first
                if draft.earlier is not None:  # corrected the next day or so
                    report.submitted_at = first + datetime.timedelta(hours=self.rng.uniform(2, 30))
                report.submitted_by = reporter
                report.computed_level = self._level(draft.values)
                report.rule_version = self.rule.version
                report.figure_group = figures.group_of(
                    draft.party.organisation, draft.party.region_id
                )
            if draft.declared is not None:
                level, reason, by = draft.declared
                report.declared_level = level
                report.declared_reason = reason
                report.declared_by = by
                assert report.submitted_at is not None
                report.declared_at = report.submitted_at + datetime.timedelta(hours=3)
            rows.append(report)
        Report.objects.bulk_create(rows, batch_size=500)
        values = []
        revisions = []
        for draft, report in zip(drafts, rows, strict=True):
            values += [
                (report.pk, self.indicators[code].pk, item, number, text, comment)
                for (code, item), (number, text, comment) in draft.values.items()
            ]
            if report.status != Report.Status.SUBMITTED:
                continue
            assert report.submitted_at is not None and report.first_submitted_at is not None
            history = [(draft.values, report.submitted_at)]
            if draft.earlier is not None:
                history.insert(0, (draft.earlier, report.first_submitted_at))
            for number, (snapshot, moment) in enumerate(history, 1):
                revisions.append(
                    ReportRevision(
                        report_id=report.pk,
                        number=number,
                        submitted_at=moment,
                        submitted_by=report.submitted_by,
                        values=self._snapshot(snapshot),
                        computed_level=self._level(snapshot),
                        no_change=draft.no_change,
                    )
                )
        _insert_values(values)
        ReportRevision.objects.bulk_create(revisions, batch_size=500)
        figures.rebuild(crisis)
        return len(rows)


def _insert_values(rows: list[tuple[int, int, str, Decimal | None, str, str]]) -> None:
    """Insert value rows (report, indicator, item, number, text, comment) in
    one ``executemany``: the same rows as ``Value.objects.bulk_create`` (no
    signals either way), but the demo's 34,000 values take a tenth of the
    time, which every test session pays for."""
    meta = Value._meta
    fields = {f.name: f for f in meta.concrete_fields}
    columns = [str(fields[name].column) for name in VALUE_FIELDS]
    number = fields["number"]
    params = [
        (report, indicator, item, number.get_db_prep_save(n, connection), text, comment)
        for report, indicator, item, n, text, comment in rows
    ]
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names from the model
        connection.ops.quote_name(meta.db_table),
        ", ".join(connection.ops.quote_name(c) for c in columns),
        ", ".join(["%s"] * len(columns)),
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


# --- the coordination group and the crises ---------------------------------------------


def ensure_coordination_group(partnership: Partnership) -> Council:
    """The partnership's "Koordineringsgruppen" with its seats (idempotent)."""
    council = Council.objects.filter(partnership=partnership, slug=COUNCIL_SLUG).first()
    if council is None:
        council = Council.objects.create(
            partnership=partnership,
            slug=COUNCIL_SLUG,
            kind=Council.Kind.COORDINATION,
            name="Koordineringsgruppen",
            short_name="KG",
            mandate=COUNCIL_MANDATE,
            parent=Council.objects.filter(partnership=partnership, slug="asu").first(),
            meetings_per_year=0,
            position=10,
        )
    start = datetime.date(2020, 3, 10)
    hf = Organisation.objects.filter(name="Helse Nord-Trøndelag HF").first()
    statsforvalteren = Organisation.objects.filter(kind=Organisation.Kind.STATSFORVALTER).first()
    regions = {r.name: r for r in Region.objects.filter(partnership=partnership)}
    seats: list[tuple[str, str, str, Organisation | None, Region | None]] = [
        ("sara@hnt.example", "secretary", "sekretariatet", None, None),
        ("hanne@hnt-hf.example", "member", "beredskapsleder", hf, None),
        ("stine@statsforvalteren.example", "observer", "", statsforvalteren, None),
    ]
    for name, area in regions.items():
        slug = name.lower().replace(" ", "-").replace("æ", "ae").replace("ø", "o")
        seats.append((f"helsesjef.{slug}@demo.example", "member", "helsesjef", None, area))
    users = {u.email: u for u in User.objects.filter(email__in=[seat[0] for seat in seats])}
    for email, role, title, org, region in seats:
        person = users.get(email)
        if person is None:
            continue
        if Appointment.objects.filter(council=council, person=person).exists():
            continue
        council_services.appoint(
            council,
            person=person,
            role=role,
            position_title=title,
            on_behalf_of_organisation=org,
            on_behalf_of_region=region,
            valid_from=start,
        )
    return council


def _open(
    partnership: Partnership,
    form: ReportForm,
    *,
    key: uuid.UUID,
    name: str,
    description: str,
    first: datetime.date,
    opened: datetime.datetime,
    stood_down: datetime.datetime,
    council: Council,
    by: User | None,
    regions: list[Region],
) -> Crisis:
    crisis = services.open_crisis(
        partnership,
        name=name,
        form=form,
        starts_on=first,
        by=by,
        description=description,
        regions=regions,
        council=council,
        client_key=key,
    )
    Crisis.objects.filter(pk=crisis.pk).update(
        opened_at=_aware(opened),
        status=Crisis.Status.STOOD_DOWN,
        stood_down_at=_aware(stood_down),
        stood_down_by=by,
    )
    crisis.refresh_from_db()
    return crisis


def _log(crisis: Crisis, entries: list[tuple[datetime.date, str]], by: User | None) -> None:
    for number, (day, text) in enumerate(entries):
        moment = _at(day, 10 + number % 5)
        LogEntry.objects.create(
            crisis=crisis,
            occurred_at=moment,
            text=text,
            by=by,
            created=moment + datetime.timedelta(minutes=20),
            client_key=uuid.uuid5(NAMESPACE, f"log-{crisis.client_key}-{number}"),
        )


def _requests(
    crisis: Crisis,
    specs: list[RequestSpec],
    by: User | None,
) -> None:
    hf = Organisation.objects.get(name="Helse Nord-Trøndelag HF")

    def party(number: str) -> Organisation:
        return hf if number == "hf" else Organisation.objects.get(municipality_number=number)

    for index, (who, kind, text, quantity, day, status, offered_by, offer) in enumerate(specs):
        created = _at(day, 11)
        ResourceRequest.objects.create(
            crisis=crisis,
            requesting_organisation=party(who),
            kind=kind,
            description=text,
            quantity=quantity,
            needed_by=day + datetime.timedelta(days=7),
            status=status,
            offering_organisation=party(offered_by) if offered_by else None,
            offer=offer,
            created=created,
            created_by=by,
            changed=created + datetime.timedelta(days=2 if status != "requested" else 0),
            client_key=uuid.uuid5(NAMESPACE, f"request-{crisis.client_key}-{index}"),
        )


def _partnership_levels(crisis: Crisis, by: User | None) -> None:
    declared = [
        (
            datetime.date(2020, 3, 16),
            3,
            "Nasjonale tiltak og usikker forsyning av smittevernutstyr.",
        ),
        (datetime.date(2022, 1, 24), 3, "Omikron: høyt sykefravær hos alle parter."),
        (datetime.date(2022, 1, 31), 3, "Omikron: høyt sykefravær og fullt belegg på sykehuset."),
        (datetime.date(2022, 2, 7), 3, "Omikron: fortsatt høyt press; bedring ventes om to uker."),
    ]
    PartnershipLevel.objects.bulk_create(
        PartnershipLevel(
            crisis=crisis,
            period_start=start,
            level=level,
            reason=reason,
            by=by,
            at=_at(periods.period_end(crisis.form, start), 14),
        )
        for start, level, reason in declared
    )


@transaction.atomic
def build_crisis_demo(now: datetime.datetime | None = None) -> int:
    """Build the covid-19 demo (see the module docstring); returns how many
    reports were added (0 when the demo crisis already has reports).

    The history has fixed dates (2020–2022): ``now`` (default: now) only
    decides whether it has happened yet; before April 2022 nothing is added."""
    if (now or timezone.now()) < _aware(COVID_STOOD_DOWN):
        return 0
    partnership = Partnership.objects.get(slug="hnt")
    form = ensure_covid_form(partnership)
    council = ensure_coordination_group(partnership)
    existing = Crisis.objects.filter(client_key=COVID_KEY).first()
    if existing is not None and existing.reports.exists():
        return 0
    sara = User.objects.filter(email="sara@hnt.example").first()
    vaernes = list(Region.objects.filter(partnership=partnership, name=VAERNES))
    covid = _open(
        partnership,
        form,
        key=COVID_KEY,
        name="Covid-19",
        description="Pandemien: ukentlig situasjonsrapport fra alle parter.",
        first=COVID_FIRST,
        opened=COVID_OPENED,
        stood_down=COVID_STOOD_DOWN,
        council=council,
        by=sara,
        regions=[],
    )
    outbreak = _open(
        partnership,
        form,
        key=OUTBREAK_KEY,
        name="Lokalt utbrudd Frosta",
        description="Utbrudd på sykehjemmet i Frosta; regional rapportering i Værnesregionen.",
        first=OUTBREAK_FIRST,
        opened=OUTBREAK_OPENED,
        stood_down=OUTBREAK_STOOD_DOWN,
        council=council,
        by=sara,
        regions=vaernes,
    )
    builder = _Builder(partnership, form, sara)
    added = builder.save(covid, builder.covid())
    added += builder.save(outbreak, builder.outbreak())
    _log(covid, COVID_LOG, sara)
    _log(outbreak, OUTBREAK_LOG, sara)
    _requests(covid, REQUESTS, sara)
    _requests(outbreak, OUTBREAK_REQUESTS, sara)
    _partnership_levels(covid, sara)
    return added
