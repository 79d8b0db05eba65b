"""Input rounds and report-backs on the demo meetings (relative to today).
Idempotent. All people invented; no personal data in the texts.

Lena sits in ASU for the Innherred region (Levanger and Verdal): two invented
colleagues in Verdal kommune are her constituency besides the Levanger
people. She asks for input before the next ASU meeting, has reported back
from an earlier one, and has a report-back due for the latest.
"""

from __future__ import annotations

import datetime
import uuid

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from councils.models import Appointment, Council, Meeting
from partnerships.demo import DEMO_PASSWORD
from partnerships.models import Membership, Organisation, Partnership
from representation import services
from representation.models import InputAnswer, InputRound, ReportBack

NAMESPACE = uuid.UUID("5a3c2d1e-0000-4000-8000-00000000a5e1")

# (first name, last name, e-mail) – members of Verdal kommune, invented.
CONSTITUENTS = [
    ("Vilde", "Fagleder", "vilde.fagleder@verdal.example"),
    ("Viktor", "Enhetsleder", "viktor.enhetsleder@verdal.example"),
]
AGENDA_MESSAGE = (
    "ASU møtes snart. Jeg vil gjerne høre hvordan dere ser på sakene, særlig hva som "
    "bør prioriteres i handlingsplanen og erfaringene med utskrivning fra sykehuset. "
    "Skriv kort; jeg tar innspillene med inn i møtet."
)
ANSWERS = [
    "Vi ønsker at ASU prioriterer bedre informasjon ved utskrivning. Epikrisen kommer ofte "
    "for sent til hjemmetjenesten.",
    "Enig i prioriteringene. Vi ber om at kommunene får være med tidlig i revisjonen av "
    "retningslinjene, ikke bare på høring.",
]
REPORT_NOTE = (
    "Fra min side: jeg tok opp innspillene om utskrivning, og de blir fulgt opp i "
    "fagrådet for eldre. Si gjerne fra om dere har spørsmål."
)


def _constituent(first: str, last: str, email: str, organisation: Organisation) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email, password=DEMO_PASSWORD, full_name=f"{first} {last}"
        )
    if not Membership.objects.current().filter(user=user, organisation=organisation).exists():
        Membership.objects.create(user=user, organisation=organisation, role=Membership.Role.MEMBER)
    return user


@transaction.atomic
def build_representation_demo() -> None:
    hnt = Partnership.objects.get(slug="hnt")
    lena = User.objects.filter(email="lena@levanger.example").first()
    asu = Council.objects.filter(partnership=hnt, slug="asu").first()
    if lena is None or asu is None:
        return
    seat = Appointment.objects.current().filter(council=asu, person=lena).first()
    if seat is None or not services.is_representing(seat):
        return
    verdal = Organisation.objects.get(municipality_number="5038")
    constituents = [_constituent(*who, verdal) for who in CONSTITUENTS]
    today = timezone.localdate()
    in_asu = Q(council=asu) | Q(joint_with=asu)

    upcoming = (
        Meeting.objects.filter(in_asu, status__in=services.ROUNDS_OPEN)
        .filter(starts_at__date__gte=today)
        .distinct()
        .order_by("starts_at")
        .first()
    )
    if upcoming is not None:
        key = uuid.uuid5(NAMESPACE, f"agenda-{upcoming.pk}")
        input_round = InputRound.objects.filter(client_key=key).first()
        if (
            input_round is None
            and not InputRound.objects.filter(
                appointment=seat, meeting=upcoming, case=None, closed_at=None
            ).exists()
        ):
            day = services.meeting_day(upcoming)
            input_round = services.open_input_round(
                appointment=seat,
                meeting=upcoming,
                deadline=max(today, day - datetime.timedelta(days=2)),
                message=AGENDA_MESSAGE,
                by=lena,
                client_key=key,
            )
        if input_round is not None and input_round.accepts_answers:
            for person, text in zip(constituents, ANSWERS, strict=True):
                if not InputAnswer.objects.filter(round=input_round, author=person).exists():
                    services.save_answer(input_round, author=person, text=text)

    # The latest held meeting stays due; the one before it has been reported back.
    held = list(
        Meeting.objects.filter(in_asu, status__in=services.REPORTABLE)
        .filter(starts_at__date__lt=today)
        .distinct()
        .order_by("-starts_at")[:2]
    )
    if len(held) == 2:
        earlier = held[1]
        if (
            services.seated_at(seat, earlier)
            and not ReportBack.objects.filter(meeting=earlier, appointment=seat).exists()
        ):
            summary = services.draft_summary(earlier, seat) + "\n" + REPORT_NOTE + "\n"
            services.save_report_back(earlier, seat, summary=summary, by=lena)
            services.mark_reported_back(earlier, seat, by=lena)
