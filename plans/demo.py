"""The demo partnership's action plan (Helsefellesskap Nord-Trøndelag).

A plan for four years — from two years before the year the demo is built to
the year after (2024–2027 when built in 2026) — adopted by PSU in March of
its first year (before the demo's year of meetings, so no decision of the
demo is linked to it), with goals in every priority group and for all groups,
measures with believable progress, one measure made up of three measures of
its own, a stopped and a completed measure, and measures under way whose
progress report is overdue (they wait in the work queues of their parties'
coordinators and the secretariat); and three joint projects serving its
measures, two of them public, one completed. Everything is invented;
dates are relative to the day the demo is built. :func:`build_plans_demo`
is idempotent: a partnership that has a plan gets nothing added.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from indicators.models import Indicator
from partnerships.models import Organisation, Partnership
from plans.models import (
    ActionPlan,
    Goal,
    Measure,
    PriorityGroup,
    ProgressEntry,
    Project,
    ProjectReport,
)

Status = Measure.Status

# The indicators a measure is to move (shown beside it).
INDICATORS_MOVED = {
    "Felles sjekkliste ved utskrivning av skrøpelige eldre": ["reinnleggelser-67"],
    "Tidlig varsling av forventet utskrivning": ["utskrivningsklare", "overliggedogn"],
    "Digital hjemmeoppfølging ved KOLS og hjertesvikt": ["akuttinnleggelser-80"],
    "Felles statistikk om utskrivningsklare pasienter": ["overliggedogn"],
}

# (priority group, goal, [measure]); a measure is (title, parties by kommune
# number or "hf", start and end in months from the plan's start, status,
# [(days before the build, progress, text)], [measures under it]).
PLAN: list[tuple[str, str, list[tuple[Any, ...]]]] = [
    (
        PriorityGroup.FRAIL_ELDERLY,
        "Skrøpelige eldre får trygge overganger mellom sykehus og kommune",
        [
            (
                "Felles sjekkliste ved utskrivning av skrøpelige eldre",
                ["hf", "5037", "5038"],
                (0, 18),
                Status.COMPLETED,
                [
                    (420, 60, "Sjekklisten prøvd ut på medisinsk avdeling i Levanger."),
                    (300, 100, "Sjekklisten er tatt i bruk ved begge sykehusene."),
                ],
                [],
            ),
            (
                "Tidlig varsling av forventet utskrivning",
                ["hf", "5006", "5007"],
                (6, 36),
                Status.ONGOING,
                [],
                [
                    (
                        "Varsel i meldingsløftet innen 24 timer",
                        ["hf"],
                        (6, 24),
                        Status.ONGOING,
                        [
                            (200, 40, "Maler laget; teknisk test med to kommuner."),
                            (40, 65, "I drift ved Sykehuset Levanger."),
                        ],
                        [],
                    ),
                    (
                        "Opplæring av kommunale tildelingskontor",
                        ["5006", "5007"],
                        (8, 30),
                        Status.ONGOING,
                        [(150, 50, "Fire av åtte kurs holdt.")],
                        [],
                    ),
                    ("Evaluering av varslingen", ["hf"], (30, 36), Status.PLANNED, [], []),
                ],
            ),
        ],
    ),
    (
        PriorityGroup.CHRONIC,
        "Personer med flere kroniske lidelser har én plan for oppfølging",
        [
            (
                "Felles oppfølgingsplan i primærhelsetjenesten",
                ["5007", "5047"],
                (3, 30),
                Status.DELAYED,
                [
                    (380, 20, "Arbeidsgruppe etablert."),
                    (250, 30, "Forsinket: venter på avklaring om journalsystem."),
                ],
                [],
            ),
            (
                "Digital hjemmeoppfølging ved KOLS og hjertesvikt",
                ["5037", "hf"],
                (12, 42),
                Status.ONGOING,
                [(60, 35, "20 pasienter følges opp digitalt i Levanger.")],
                [],
            ),
        ],
    ),
    (
        PriorityGroup.CHILDREN,
        "Barn og unge med store behov får koordinerte tjenester",
        [
            (
                "Felles rutine for barn som pårørende",
                ["hf", "5006", "5038", "5037"],
                (0, 24),
                Status.ONGOING,
                [
                    (330, 50, "Rutine på høring hos partene."),
                    (90, 80, "Rutinen vedtatt i ASU; opplæring pågår."),
                ],
                [],
            ),
            (
                "Ambulant team for barn med sammensatte behov",
                ["hf"],
                (18, 48),
                Status.PLANNED,
                [],
                [],
            ),
        ],
    ),
    (
        PriorityGroup.MENTAL_HEALTH,
        "Personer med alvorlige psykiske lidelser og rusproblemer får sammenhengende tjenester",
        [
            (
                "FACT-team i Namdalen",
                ["5007", "5047", "5049", "hf"],
                (0, 36),
                Status.ONGOING,
                [(540, 20, "Finansiering avklart."), (380, 45, "Teamet i drift.")],
                [],
            ),
            (
                "Felles kurs i rusmestring for ansatte",
                ["5038"],
                (6, 12),
                Status.STOPPED,
                [(400, 10, "Stoppet: erstattet av nasjonalt kurstilbud.")],
                [],
            ),
        ],
    ),
    (
        PriorityGroup.COMMON,
        "Partene deler kunnskap og data om samhandlingen",
        [
            (
                "Felles statistikk om utskrivningsklare pasienter",
                ["hf", "5007", "5037"],
                (0, 48),
                Status.ONGOING,
                [(100, 55, "Kvartalsvise tall presenteres i ASU.")],
                [],
            ),
        ],
    ),
]


def _month(start: datetime.date, months: int) -> datetime.date:
    year, month = divmod(start.month - 1 + months, 12)
    return datetime.date(start.year + year, month + 1, 1)


def _parties(codes: list[str], trust: Organisation) -> list[Organisation]:
    numbers = [c for c in codes if c != "hf"]
    parties = list(Organisation.objects.filter(municipality_number__in=numbers))
    return ([trust] if "hf" in codes else []) + parties


def _add_measure(
    goal: Goal,
    parent: Measure | None,
    spec: tuple[Any, ...],
    position: int,
    start: datetime.date,
    today: datetime.date,
    trust: Organisation,
    author: User | None,
) -> None:
    title, codes, (from_month, to_month), status, entries, children = spec
    measure = Measure.objects.create(
        goal=goal,
        parent=parent,
        title=title,
        starts_on=_month(start, from_month),
        ends_on=_month(start, to_month) - datetime.timedelta(days=1),
        status=status if not children else Status.ONGOING,
        position=position,
    )
    parties = _parties(codes, trust)
    measure.responsible_parties.set(parties)
    codes_moved = INDICATORS_MOVED.get(title)
    if codes_moved:
        measure.indicators.set(Indicator.objects.filter(code__in=codes_moved))
    for days, progress, text in entries:
        date = today - datetime.timedelta(days=days)
        ProgressEntry.objects.create(
            measure=measure,
            date=date,
            progress=progress,
            status=Status.COMPLETED if progress == 100 else status,
            text=text,
            author=author,
            organisation=parties[0] if parties else None,
        )
        measure.progress = progress
        measure.last_reported_on = date
    if entries:
        measure.save(update_fields=["progress", "last_reported_on"])
    for index, child in enumerate(children):
        _add_measure(goal, measure, child, index, start, today, trust, author)


def build_plans_demo(people: dict[str, User]) -> int:
    """Build HNT's action plan; return how many measures were created (none
    once a plan exists)."""
    hnt = Partnership.objects.filter(slug="hnt").first()
    if hnt is None or ActionPlan.objects.filter(partnership=hnt).exists():
        return 0
    today = timezone.localdate()
    trust = Organisation.objects.get(kind=Organisation.Kind.HELSEFORETAK, name__contains="Nord")
    first_year = today.year - 2
    with transaction.atomic():
        plan = ActionPlan.objects.create(
            partnership=hnt,
            title=f"Handlingsplan for samhandling {first_year}–{first_year + 3}",
            first_year=first_year,
            last_year=first_year + 3,
            summary=(
                "Demotall og demotekst. Planen følger opp samarbeidsavtalen og Nasjonal helse- "
                "og samhandlingsplan med mål for de fire prioriterte pasientgruppene."
            ),
            status=ActionPlan.Status.ADOPTED,
            adopted_on=datetime.date(first_year, 3, 12),
        )
        start = datetime.date(first_year, 1, 1)
        author = people.get("sara")
        for index, (group, title, measures) in enumerate(PLAN):
            goal = Goal.objects.create(plan=plan, priority_group=group, title=title, position=index)
            for position, spec in enumerate(measures):
                _add_measure(goal, None, spec, position, start, today, trust, author)
        _projects(hnt, plan, trust, start, today, author)
    return Measure.objects.filter(goal__plan=plan).count()


# (title, owner by kommune number or "hf", parties, months from the plan's
# start (from, to), status, NOK, source, the measure it serves, public,
# [(days before the build, period, text)], results).
PROJECTS: list[tuple[Any, ...]] = [
    (
        "FACT Namdal",
        "5007",
        ["5047", "5049", "hf"],
        (0, 36),
        Project.Status.ONGOING,
        4_200_000,
        "Helsedirektoratets tilskudd til FACT-team og partenes egenandel",
        "FACT-team i Namdalen",
        True,
        [
            (400, "halvår", "Teamet bemannet; de første brukerne tatt inn."),
            (220, "halvår", "35 brukere følges opp; færre innleggelser enn før."),
        ],
        "",
    ),
    (
        "Digital hjemmeoppfølging i Levanger",
        "5037",
        ["hf"],
        (12, 36),
        Project.Status.ONGOING,
        1_800_000,
        "Tilskudd til digital hjemmeoppfølging",
        "Digital hjemmeoppfølging ved KOLS og hjertesvikt",
        True,
        [(90, "halvår", "20 pasienter med i ordningen; evaluering bestilt.")],
        "",
    ),
    (
        "Forprosjekt felles journalløsning for oppfølgingsplaner",
        "5007",
        ["5047"],
        (3, 15),
        Project.Status.COMPLETED,
        350_000,
        "Partenes egne midler",
        "Felles oppfølgingsplan i primærhelsetjenesten",
        False,
        [(500, "Sluttrapport", "Forprosjektet anbefaler å vente på nasjonal løsning.")],
        "Anbefaling om å vente på nasjonal løsning; tiltaket i planen er forsinket.",
    ),
]


def _half_year_before(day: datetime.date) -> str:
    """The half-year a report written on ``day`` covers: the one just ended."""
    if day.month <= 6:
        return f"2. halvår {day.year - 1}"
    return f"1. halvår {day.year}"


def _projects(
    hnt: Partnership,
    plan: ActionPlan,
    trust: Organisation,
    start: datetime.date,
    today: datetime.date,
    author: User | None,
) -> None:
    measures = {m.title: m for m in Measure.objects.filter(goal__plan=plan)}
    for spec in PROJECTS:
        (
            title,
            owner,
            parties,
            (from_month, to_month),
            status,
            funding,
            source,
            measure,
            public,
            reports,
            results,
        ) = spec
        project = Project.objects.create(
            partnership=hnt,
            title=title,
            summary="Demotekst: et felles prosjekt mellom partene.",
            owner=_parties([owner], trust)[0],
            starts_on=_month(start, from_month),
            ends_on=_month(start, to_month) - datetime.timedelta(days=1),
            status=status,
            funding=funding,
            funding_source=source,
            measure=measures.get(measure),
            public=public,
            results=results,
        )
        project.parties.set(_parties(parties, trust))
        for days, period, text in reports:
            date = today - datetime.timedelta(days=days)
            ProjectReport.objects.create(
                project=project,
                period=_half_year_before(date) if period == "halvår" else period,
                date=date,
                status=status,
                text=text,
                author=author,
            )
