"""The demo partnership's task transfers (Helsefellesskap Nord-Trøndelag).

- An agreed proposal: Helse Nord-Trøndelag HF proposed, about 200 days
  before the build, that Levanger kommune gives intravenous antibiotics in
  its nursing homes. Both wrote their consequence assessment; the proposal
  was on consultation with the trust, Levanger and Verdal for six weeks
  (all three answered); ASU decided it in its first held meeting after the
  deadline (a case and decision added to that meeting, as history), and the
  transfer is described in the latest version of the samarbeidsavtale.
- A task moved without agreement: Namsos kommune registered, 40 days before
  the build, that blood samples after outpatient check-ups at the hospital
  are now taken by the kommune; it wrote its assessment, and the secretariat
  has made the ASU case, not yet decided (nor on an agenda).
- Two proposals on their way, so that every step has an example: the trust
  proposed six days before the build that Steinkjer's home nursing follows
  up home dialysis (not yet sent on consultation), and that Verdal takes
  over pulmonary rehabilitation after a COPD flare-up (on consultation; the
  deadline passed a week ago, Verdal has not answered, the case is not made).

Everything is invented and labelled demo data; dates are relative to the day
the demo is built. :func:`build_transfers_demo` is idempotent: a partnership
that has task transfers gets nothing added.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from accounts.models import User
from agreements.models import (
    AgreementVersion,
    Consultation,
    ConsultationAnswer,
    ConsultationParty,
)
from core import richtext
from councils import services as council_services
from councils.models import Council, Decision, Meeting, Treatment
from partnerships.models import Organisation, Partnership
from transfers import services
from transfers.models import ConsequenceAssessment, TaskTransfer

Position = ConsultationAnswer.Position
Status = TaskTransfer.Status

ANTIBIOTICS_TRUST = {
    "economy": (
        "Færre liggedøgn i sykehuset for pasienter som bare trenger antibiotika. Helseforetaket "
        "dekker opplæring og utstyr det første året. (Demodata.)"
    ),
    "personnel_and_competence": (
        "Infeksjonsavdelingen lærer opp sykepleiere i sykehjemmene og har veiledning på telefon "
        "hele døgnet. (Demodata.)"
    ),
    "capacity": "Frigjør om lag 300 liggedøgn i året ved Sykehuset Levanger. (Demodata.)",
    "patient_safety": (
        "Pasientene slipper transport og innleggelse; behandlingen følger en felles prosedyre "
        "med klare kriterier for innleggelse. (Demodata.)"
    ),
    "legal_basis": (
        "Kommunens ansvar etter helse- og omsorgstjenesteloven § 3-1; avtales etter § 6-2 "
        "nr. 1. (Demodata.)"
    ),
    "ict": "Forordning og observasjoner i kurve og e-meldinger som i dag. (Demodata.)",
}
ANTIBIOTICS_KOMMUNE = {
    "economy": (
        "Kostnader til legemidler og utstyr om lag 400 000 kroner i året; dekkes de første "
        "to årene etter avtale med helseforetaket. (Demodata.)"
    ),
    "personnel_and_competence": (
        "Tre sykehjem trenger sykepleiere med opplæring i intravenøs behandling på alle vakter. "
        "(Demodata.)"
    ),
    "capacity": "Inntil fire pasienter samtidig i kommunen. (Demodata.)",
    "patient_safety": (
        "Forutsetter legetilsyn samme dag og at sykehuset tar imot pasienten igjen ved "
        "forverring. (Demodata.)"
    ),
    "legal_basis": "",
    "ict": "Krever tilgang til sykehusets prosedyre i kommunens fagsystem. (Demodata.)",
}
BLOOD_TESTS_KOMMUNE = {
    "economy": "Om lag 1 200 ekstra prøver i året uten finansiering. (Demodata.)",
    "personnel_and_competence": (
        "Legekontorene bruker bioingeniør- og sykepleiertid som var planlagt til andre "
        "oppgaver. (Demodata.)"
    ),
    "capacity": "Ventetiden for time på legekontoret har økt med en uke. (Demodata.)",
    "patient_safety": (
        "Uklart hvem som følger opp svarene: svar går til sykehuslegen, men kommunen har tatt "
        "prøven. (Demodata.)"
    ),
    "legal_basis": (
        "Oppfølging etter poliklinisk kontroll er spesialisthelsetjenestens ansvar inntil "
        "annet er avtalt. (Demodata.)"
    ),
    "ict": "Rekvirering skjer på papir; svarene kommer ikke i kommunens journal. (Demodata.)",
}


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(
        day.year, day.month, day.day, hour, tzinfo=ZoneInfo(settings.TIME_ZONE)
    )


@transaction.atomic
def build_transfers_demo(people: dict[str, User]) -> int:
    """Build HNT's task transfers; return how many were created (none once
    they exist)."""
    hnt = Partnership.objects.get(slug="hnt")
    if TaskTransfer.objects.filter(partnership=hnt).exists():
        return 0
    asu = Council.objects.filter(partnership=hnt, slug="asu").first()
    if asu is None:
        return 0
    today = timezone.localdate()
    trust = Organisation.objects.get(kind=Organisation.Kind.HELSEFORETAK, name__contains="Nord")
    levanger = Organisation.objects.get(municipality_number="5037")
    verdal = Organisation.objects.get(municipality_number="5038")
    namsos = Organisation.objects.get(municipality_number="5007")
    _agreed(hnt, asu, trust, levanger, verdal, people, today)
    _unagreed(hnt, asu, trust, namsos, people, today)
    _on_their_way(hnt, trust, verdal, people, today)
    made = list(TaskTransfer.objects.filter(partnership=hnt))
    for transfer in made:
        _backdate(transfer)
    return len(made)


def _backdate(transfer: TaskTransfer) -> None:
    """The proposing party's assessment was written with the transfer, and
    the audit trail says each record was made when the demo says it was."""
    from auditlog.models import LogEntry

    transfer.assessments.filter(organisation=transfer.proposing_party).update(
        updated=transfer.created
    )
    created = LogEntry.Action.CREATE
    LogEntry.objects.get_for_object(transfer).filter(action=created).update(
        timestamp=transfer.created
    )
    for assessment in transfer.assessments.all():
        LogEntry.objects.get_for_object(assessment).filter(action=created).update(
            timestamp=assessment.updated
        )


def _agreed(
    hnt: Partnership,
    asu: Council,
    trust: Organisation,
    levanger: Organisation,
    verdal: Organisation,
    people: dict[str, User],
    today: datetime.date,
) -> None:
    sara, hanne, lena = people.get("sara"), people.get("hanne"), people.get("lena")
    proposed = today - datetime.timedelta(days=200)
    opened = proposed + datetime.timedelta(days=10)
    deadline = opened + datetime.timedelta(days=42)
    meeting = (
        Meeting.objects.filter(
            council=asu, starts_at__gt=_at(deadline, 23), starts_at__lt=_at(today, 0)
        )
        .order_by("starts_at")
        .first()
    )
    if meeting is None:
        return
    decided = timezone.localtime(meeting.starts_at).date()
    # From the first day of the second month after the decision.
    moves = (decided.replace(day=1) + datetime.timedelta(days=62)).replace(day=1)
    transfer = services.create(
        hnt,
        TaskTransfer.Kind.PROPOSAL,
        by=hanne,
        proposing_party=trust,
        title="Intravenøs antibiotikabehandling i sykehjem",
        task=(
            "Pasienter som er avklart av sykehuset og bare trenger intravenøs antibiotika, får "
            "behandlingen i sykehjem i Levanger kommune i stedet for å være innlagt. Sykehuset "
            "forordner og gir første dose; kommunen gir resten av kuren. (Demodata.)"
        ),
        from_party=trust,
        to_party=levanger,
        patients=(
            "Voksne med urinveis-, hud- eller lungeinfeksjon i stabil fase, som bor i eller kan "
            "få korttidsplass i sykehjem. (Demodata.)"
        ),
        from_date=moves,
        assessment=ANTIBIOTICS_TRUST,
    )
    levangers = services.assess(transfer, levanger, None, by=lena, **ANTIBIOTICS_KOMMUNE)
    consultation = Consultation.objects.create(
        partnership=hnt,
        title=services.consultation_title(transfer),
        message=services.consultation_message(transfer) + " (Demodata.)",
        deadline=deadline,
        opened_at=_at(opened),
        opened_by=sara,
        closed_at=_at(decided, 8),
    )
    answers = [
        (trust, Position.SUPPORTS, "Helseforetaket står bak forslaget. (Demodata.)", 20),
        (
            levanger,
            Position.SUPPORTS_WITH_COMMENTS,
            "Levanger kommune støtter forslaget, forutsatt at opplæringen er på plass før "
            "oppstart og at ordningen evalueres etter ett år. (Demodata.)",
            35,
        ),
        (verdal, Position.NO_COMMENT, "", 38),
    ]
    ConsultationParty.objects.bulk_create(
        ConsultationParty(consultation=consultation, organisation=party)
        for party, *_rest in answers
    )
    for party, position, text, days in answers:
        ConsultationAnswer.objects.create(
            consultation=consultation,
            organisation=party,
            position=position,
            text=text,
            answered_at=_at(opened + datetime.timedelta(days=days)),
            read_at=_at(opened + datetime.timedelta(days=days + 2)),
            read_by=sara,
        )
    TaskTransfer.objects.filter(pk=transfer.pk).update(
        created=_at(proposed), status=Status.CONSULTATION, consultation=consultation
    )
    ConsequenceAssessment.objects.filter(pk=levangers.pk).update(
        updated=_at(opened + datetime.timedelta(days=33))
    )
    transfer.refresh_from_db()
    # ASU's case, decided in the meeting (history: added to a held meeting).
    with translation.override(hnt.content_language):
        paper = services.case_paper(transfer)
    case, _created = council_services.create_case(
        council=asu,
        title=f"Forslag om oppgaveoverføring: {transfer.title}",
        by=sara,
        background=paper,
        proposed_decision=(
            f"ASU godkjenner at intravenøs antibiotikabehandling i sykehjem overføres fra "
            f"{trust.name} til {levanger.name} fra {moves:%d.%m.%Y}. Ordningen evalueres etter "
            "ett år. (Demodata.)"
        ),
        year=decided.year,
    )
    last = meeting.treatments.order_by("-position").first()
    treatment = Treatment.objects.create(
        meeting=meeting,
        case=case,
        kind=Treatment.Kind.DECISION,
        position=(last.position if last else 10) + 10,
    )
    decision = Decision.objects.create(
        treatment=treatment,
        recommendation=richtext.text_of(case.proposed_decision),
        adopted_text=richtext.text_of(case.proposed_decision),
        recorded_by=sara,
    )
    version = (
        AgreementVersion.objects.filter(
            agreement__partnership=hnt, agreement__slug="samarbeidsavtale"
        )
        .order_by("-created")
        .first()
    )
    TaskTransfer.objects.filter(pk=transfer.pk).update(
        status=Status.AGREED, case=case, decision=decision, agreement_version=version
    )


def _unagreed(
    hnt: Partnership,
    asu: Council,
    trust: Organisation,
    namsos: Organisation,
    people: dict[str, User],
    today: datetime.date,
) -> None:
    nils, sara = people.get("nils"), people.get("sara")
    if sara is None:
        return
    transfer = services.create(
        hnt,
        TaskTransfer.Kind.UNAGREED,
        by=nils,
        proposing_party=namsos,
        title="Blodprøvetaking etter poliklinisk kontroll flyttet til kommunene uten avtale",
        task=(
            "Pasienter som har vært til poliklinisk kontroll ved Sykehuset Namsos, får beskjed om "
            "å ta blodprøvene til neste kontroll hos fastlegen. Før ble prøvene tatt ved "
            "sykehusets laboratorium. Endringen ble ikke drøftet med kommunen. (Demodata.)"
        ),
        from_party=trust,
        to_party=namsos,
        patients=(
            "Pasienter som følges opp poliklinisk for kreft, nyresykdom og revmatisk sykdom. "
            "(Demodata.)"
        ),
        from_date=today - datetime.timedelta(days=75),
        assessment=BLOOD_TESTS_KOMMUNE,
    )
    TaskTransfer.objects.filter(pk=transfer.pk).update(
        created=_at(today - datetime.timedelta(days=40))
    )
    transfer.refresh_from_db()
    services.prepare_case(transfer, council=asu, by=sara)


DIALYSIS_TRUST = {
    "economy": "Sparer reiser til dialyse ved sykehuset; utstyr dekkes av sykehuset. (Demodata.)",
    "personnel_and_competence": (
        "Dialysesykepleiere lærer opp hjemmesykepleien og er tilgjengelige på telefon. (Demodata.)"
    ),
    "capacity": "Gjelder fem til åtte pasienter i året. (Demodata.)",
    "patient_safety": "Felles prosedyre for tegn på bukhinnebetennelse. (Demodata.)",
    "legal_basis": "Avtales etter helse- og omsorgstjenesteloven § 6-2 nr. 1. (Demodata.)",
    "ict": "Målinger sendes til sykehuset med e-melding. (Demodata.)",
}
REHABILITATION_TRUST = {
    "economy": "Kortere liggetid; kommunen får midler fra et felles prosjekt i to år. (Demodata.)",
    "personnel_and_competence": (
        "Sykehusets fysioterapeuter veileder kommunens fysioterapeuter det første året. (Demodata.)"
    ),
    "capacity": "Om lag 40 pasienter i året fra Verdal. (Demodata.)",
    "patient_safety": (
        "Tydelige kriterier for når pasienten skal tilbake til sykehuset. (Demodata.)"
    ),
    "legal_basis": "Rehabilitering er et delt ansvar etter § 6-2 nr. 2. (Demodata.)",
    "ict": "Epikrise og rehabiliteringsplan sendes som e-melding. (Demodata.)",
}


def _on_their_way(
    hnt: Partnership,
    trust: Organisation,
    verdal: Organisation,
    people: dict[str, User],
    today: datetime.date,
) -> None:
    hanne, sara = people.get("hanne"), people.get("sara")
    steinkjer = Organisation.objects.get(municipality_number="5006")
    dialysis = services.create(
        hnt,
        TaskTransfer.Kind.PROPOSAL,
        by=hanne,
        proposing_party=trust,
        title="Oppfølging av hjemmedialyse",
        task=(
            "Hjemmesykepleien i Steinkjer kommune følger opp pasienter som har "
            "peritonealdialyse hjemme: ukentlig besøk, målinger og hjelp ved poseskift. "
            "(Demodata.)"
        ),
        from_party=trust,
        to_party=steinkjer,
        patients="Voksne med peritonealdialyse i hjemmet. (Demodata.)",
        from_date=(today + datetime.timedelta(days=150)).replace(day=1),
        assessment=DIALYSIS_TRUST,
    )
    TaskTransfer.objects.filter(pk=dialysis.pk).update(
        created=_at(today - datetime.timedelta(days=6))
    )
    rehabilitation = services.create(
        hnt,
        TaskTransfer.Kind.PROPOSAL,
        by=hanne,
        proposing_party=trust,
        title="Lungerehabilitering etter KOLS-forverring",
        task=(
            "Pasienter som skrives ut etter en forverring av KOLS, får rehabiliteringen i "
            "Verdal kommune i stedet for ved sykehusets poliklinikk. (Demodata.)"
        ),
        from_party=trust,
        to_party=verdal,
        patients="Voksne med KOLS som bor i Verdal. (Demodata.)",
        from_date=(today + datetime.timedelta(days=120)).replace(day=1),
        assessment=REHABILITATION_TRUST,
    )
    opened = today - datetime.timedelta(days=50)
    consultation = Consultation.objects.create(
        partnership=hnt,
        title=services.consultation_title(rehabilitation),
        message=services.consultation_message(rehabilitation) + " (Demodata.)",
        deadline=opened + datetime.timedelta(days=42),
        opened_at=_at(opened),
        opened_by=sara,
    )
    ConsultationParty.objects.bulk_create(
        [
            ConsultationParty(consultation=consultation, organisation=trust),
            ConsultationParty(
                consultation=consultation,
                organisation=verdal,
                reminded_at=_at(opened + datetime.timedelta(days=35)),
            ),
        ]
    )
    ConsultationAnswer.objects.create(
        consultation=consultation,
        organisation=trust,
        position=Position.SUPPORTS,
        text="Helseforetaket står bak forslaget. (Demodata.)",
        answered_at=_at(opened + datetime.timedelta(days=12)),
    )
    TaskTransfer.objects.filter(pk=rehabilitation.pk).update(
        created=_at(opened - datetime.timedelta(days=14)),
        status=Status.CONSULTATION,
        consultation=consultation,
    )
