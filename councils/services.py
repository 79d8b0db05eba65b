"""Business rules for councils, meetings, cases and agendas.

Called from views, the API, the demo builder and tests alike.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from core.services import save_versioned
from councils.models import Appointment, Case, CaseCounter, Council, Meeting, Treatment

S = Meeting.Status

# The meeting workflow, in one place: from each state, the states that may follow.
MEETING_TRANSITIONS: dict[str, frozenset[str]] = {
    S.PLANNED: frozenset({S.NOTICE_PUBLISHED, S.CANCELLED}),
    S.NOTICE_PUBLISHED: frozenset({S.HELD, S.CANCELLED}),
    S.HELD: frozenset(),
    S.MINUTES_DRAFTED: frozenset(),
    S.MINUTES_APPROVED: frozenset(),
    S.PUBLISHED: frozenset(),
    S.CANCELLED: frozenset({S.PLANNED}),
}
# While the agenda may still change.
AGENDA_OPEN = frozenset({S.PLANNED, S.NOTICE_PUBLISHED})

STANDING_ITEMS = [
    (Treatment.Standing.APPROVE_NOTICE, 1),
    (Treatment.Standing.APPROVE_MINUTES, 2),
    (Treatment.Standing.ORIENTATIONS, 900),
    (Treatment.Standing.ANY_OTHER_BUSINESS, 999),
]


def allowed_meeting_transitions(meeting: Meeting) -> list[str]:
    return sorted(MEETING_TRANSITIONS[meeting.status])


def change_meeting_status(meeting: Meeting, new_status: str, expected_version: int) -> Meeting:
    if new_status not in MEETING_TRANSITIONS[meeting.status]:
        raise ValidationError(
            _("A meeting that is “%(current)s” cannot become “%(new)s”.")
            % {
                "current": S(meeting.status).label,
                "new": S(new_status).label if new_status in S.values else new_status,
            },
            code="transition_not_allowed",
        )
    meeting.status = new_status
    return save_versioned(meeting, expected_version, ["status"])  # type: ignore[return-value]


@transaction.atomic
def plan_meeting(
    council: Council,
    *,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime | None = None,
    title: str = "",
    location: str = "",
    video_url: str = "",
    papers_deadline: datetime.date | None = None,
    joint_with: list[Council] | None = None,
) -> Meeting:
    """Create a meeting with the standing items every agenda has."""
    meeting = Meeting.objects.create(
        council=council,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        location=location,
        video_url=video_url,
        papers_deadline=papers_deadline,
    )
    if joint_with:
        meeting.joint_with.set(joint_with)
    Treatment.objects.bulk_create(
        Treatment(meeting=meeting, kind=Treatment.Kind.STANDING, standing=key, position=pos)
        for key, pos in STANDING_ITEMS
    )
    return meeting


def create_case(
    *,
    council: Council,
    title: str,
    by: Any,
    visibility: str = "public",
    public_title: str = "",
    legal_basis: str = "",
    background: str = "",
    assessment: str = "",
    proposed_decision: str = "",
    client_key: uuid.UUID | None = None,
    year: int | None = None,
) -> tuple[Case, bool]:
    """Create a case with the next ``yy/nnn`` number; returns (case, created).

    The counter row is locked while the number is taken, so two secretaries
    creating cases at once get different numbers. A repeated ``client_key``
    (a double submit) returns the case the first submit created.
    """
    partnership = council.partnership
    if client_key is not None:
        existing = Case.objects.filter(partnership=partnership, client_key=client_key).first()
        if existing is not None:
            return existing, False
    number_year = year or timezone.localdate().year
    try:
        with transaction.atomic():
            CaseCounter.objects.get_or_create(partnership=partnership, year=number_year)
            counter = CaseCounter.objects.select_for_update().get(
                partnership=partnership, year=number_year
            )
            counter.last += 1
            counter.save(update_fields=["last"])
            case = Case(
                partnership=partnership,
                council=council,
                year=number_year,
                sequence=counter.last,
                title=title,
                visibility=visibility,
                public_title=public_title,
                legal_basis=legal_basis,
                background=background,
                assessment=assessment,
                proposed_decision=proposed_decision,
                created_by=by,
                client_key=client_key,
            )
            case.full_clean(exclude=["created_by", "client_key"])
            case.save()
    except IntegrityError:
        if client_key is None:
            raise
        return Case.objects.get(partnership=partnership, client_key=client_key), False
    return case, True


def update_case(case: Case, data: dict[str, Any], expected_version: int) -> Case:
    for name, value in data.items():
        setattr(case, name, value)
    case.full_clean(exclude=["created_by", "client_key", "version"])
    return save_versioned(case, expected_version, list(data))  # type: ignore[return-value]


def add_to_agenda(meeting: Meeting, case: Case, kind: str) -> Treatment:
    if meeting.status not in AGENDA_OPEN:
        raise ValidationError(
            _("The agenda of a meeting that is “%(status)s” can no longer be changed.")
            % {"status": S(meeting.status).label}
        )
    if case.partnership_id != meeting.council.partnership_id:
        raise ValidationError(_("The case belongs to another partnership."))
    if kind == Treatment.Kind.STANDING:
        raise ValidationError(_("Choose how the case is to be handled."))
    with transaction.atomic():
        if meeting.treatments.filter(case=case).exists():
            raise ValidationError(
                _("Case %(number)s is already on this agenda.") % {"number": case.number}
            )
        last = (
            meeting.treatments.exclude(kind=Treatment.Kind.STANDING)
            .aggregate(m=Max("position"))
            .get("m")
        )
        return Treatment.objects.create(
            meeting=meeting, case=case, kind=kind, position=max(last or 10, 10) + 10
        )


def remove_from_agenda(treatment: Treatment) -> None:
    if treatment.meeting.status not in AGENDA_OPEN:
        raise ValidationError(_("The agenda can no longer be changed."))
    if treatment.kind == Treatment.Kind.STANDING:
        raise ValidationError(_("Standing items stay on every agenda."))
    treatment.delete()


def appoint(
    council: Council,
    *,
    person: Any,
    role: str,
    has_vote: bool = True,
    position_title: str = "",
    on_behalf_of_organisation: Any = None,
    on_behalf_of_region: Any = None,
    deputy_for: Appointment | None = None,
    valid_from: datetime.date | None = None,
) -> Appointment:
    if on_behalf_of_organisation is not None and on_behalf_of_region is not None:
        raise ValidationError(_("Choose either a party or a region, not both."))
    if role in (Appointment.Role.OBSERVER, Appointment.Role.SECRETARY):
        has_vote = False
    return Appointment.objects.create(
        council=council,
        person=person,
        role=role,
        has_vote=has_vote,
        position_title=position_title,
        on_behalf_of_organisation=on_behalf_of_organisation,
        on_behalf_of_region=on_behalf_of_region,
        deputy_for=deputy_for,
        valid_from=valid_from or timezone.localdate(),
    )


def end_appointment(appointment: Appointment) -> None:
    if appointment.valid_to is None:
        appointment.valid_to = timezone.localdate()
        appointment.save(update_fields=["valid_to"])
