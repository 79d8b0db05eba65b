"""Test helpers: transfers made the way the parties and the secretariat make
them — through the services, never by setting a status."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from agreements import consultations
from agreements.models import ConsultationAnswer
from councils import services as council_services
from councils.models import Council, Decision, Meeting, Treatment
from partnerships.models import Organisation, Partnership
from transfers import services
from transfers.models import ASPECTS, TaskTransfer

Kind = TaskTransfer.Kind
FNR = "150788 10022"  # a valid fødselsnummer, written with a space

FULL = {name: f"{label}: ingen endring. (Test.)" for name, label in ASPECTS}


def hnt() -> Partnership:
    return Partnership.objects.get(slug="hnt")


def party(number: str) -> Organisation:
    return Organisation.objects.get(municipality_number=number)


def trust() -> Organisation:
    return Organisation.objects.get(kind="helseforetak", name__contains="Nord-Trøndelag")


def asu() -> Council:
    return Council.objects.get(partnership__slug="hnt", slug="asu")


def proposal(people: Any, **overrides: Any) -> TaskTransfer:
    """The trust (Hanne, its leader) proposes that Levanger takes a task."""
    fields: dict[str, Any] = {
        "by": people.hanne,
        "proposing_party": trust(),
        "title": "Sårbehandling etter dagkirurgi",
        "task": "Kommunen skifter bandasje og fjerner sting etter dagkirurgi.",
        "from_party": trust(),
        "to_party": party("5037"),
        "patients": "Voksne etter planlagt dagkirurgi.",
        "from_date": timezone.localdate() + datetime.timedelta(days=120),
        "assessment": FULL,
    }
    fields.update(overrides)
    return services.create(hnt(), Kind.PROPOSAL, **fields)


def registered(people: Any, **overrides: Any) -> TaskTransfer:
    """Levanger (Lena) registers that the trust moved a task to it."""
    fields: dict[str, Any] = {
        "by": people.lena,
        "proposing_party": party("5037"),
        "title": "Oppfølging av INR-prøver",
        "task": "Sykehuset ber nå fastlegene følge opp INR etter utskrivning.",
        "from_party": trust(),
        "to_party": party("5037"),
        "patients": "Pasienter som bruker warfarin.",
        "from_date": timezone.localdate() - datetime.timedelta(days=30),
    }
    fields.update(overrides)
    return services.create(hnt(), Kind.UNAGREED, **fields)


def on_consultation(
    transfer: TaskTransfer, people: Any, *others: Organisation, days: int = 30
) -> TaskTransfer:
    transfer.refresh_from_db()
    return services.send_on_consultation(
        transfer,
        transfer.version,
        deadline=timezone.localdate() + datetime.timedelta(days=days),
        message="Hva mener partene?",
        parties=others,
        by=people.sara,
    )


def answer_all(transfer: TaskTransfer, people: Any) -> None:
    """Every party asked answers (the secretariat writes them down)."""
    assert transfer.consultation is not None
    for addressed in transfer.consultation.addressed.all():
        consultations.answer(
            transfer.consultation,
            addressed.organisation,
            None,
            position=ConsultationAnswer.Position.SUPPORTS,
            text="Vi støtter forslaget.",
            comments={},
            document=None,
            by=people.sara,
        )


def for_decision(transfer: TaskTransfer, people: Any, meeting: Meeting | None = None) -> Any:
    """The council's case made (after every party answered)."""
    transfer.refresh_from_db()
    if transfer.kind == Kind.PROPOSAL and transfer.status == TaskTransfer.Status.DRAFT:
        transfer = on_consultation(transfer, people)
    if transfer.consultation is not None and transfer.consultation.is_open:
        answer_all(transfer, people)
    case, _created = services.prepare_case(transfer, council=asu(), by=people.sara, meeting=meeting)
    transfer.refresh_from_db()
    return case


def decided(transfer: TaskTransfer, people: Any) -> Decision:
    """ASU decided the transfer's case in a meeting held since."""
    meeting = council_services.plan_meeting(
        asu(), starts_at=timezone.now() + datetime.timedelta(days=7)
    )
    case = for_decision(transfer, people, meeting)
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.HELD)
    treatment = Treatment.objects.select_related("meeting").get(meeting=meeting, case=case)
    transfer.refresh_from_db()
    return council_services.record_decision(
        treatment, adopted_as_recommended=True, adopted_text="", by=people.sara
    )
