"""Who may see and do what in representation, in the style of
:mod:`partnerships.access`.

- An input round is seen by its representative (with every answer) and by
  the people of the seat's constituency (with their own answer only). Anyone
  else — the secretariat included — gets 404: answers are between the
  representative and the author. The secretariat sees counts on the overview.
- A report-back is written by the seat holder and, once marked as reported
  back, read by the constituency; 404 for anyone else.
- A meeting's overview is for those who manage meetings and for people with
  a seat in the meeting's council(s); other insiders get 403.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404

from councils.access import get_meeting, seat_council_ids
from councils.models import Appointment, Meeting
from partnerships.access import PartnershipAccess
from partnerships.capabilities import Capability
from partnerships.models import Membership
from representation import services
from representation.models import InputRound, ReportBack


@dataclass(frozen=True)
class RoundAccess:
    input_round: InputRound
    # The representative who opened it, or else a person of the constituency
    # (with the membership that puts them there).
    is_representative: bool
    membership: Membership | None = None


def get_round_for_user(access: PartnershipAccess, pk: int) -> RoundAccess:
    """A round with its meeting, council, seat (person, party, region) and
    case in one query; one more to check the constituency of anyone but the
    representative."""
    access.require_insider()
    input_round = (
        InputRound.objects.filter(meeting__council__partnership=access.partnership, pk=pk)
        .select_related(
            "meeting",
            "meeting__council",
            "case",
            "appointment",
            "appointment__council",
            "appointment__person",
            "appointment__on_behalf_of_organisation",
            "appointment__on_behalf_of_region",
        )
        .first()
    )
    if input_round is None or access.user_id is None:
        raise Http404
    if input_round.appointment.person_id == access.user_id:
        return RoundAccess(input_round, is_representative=True)
    membership = services.constituency_membership_for(
        input_round.appointment, _Person(access.user_id)
    )
    if membership is None:
        raise Http404
    return RoundAccess(input_round, is_representative=False, membership=membership)


@dataclass(frozen=True)
class _Person:
    pk: int


def require_overview(access: PartnershipAccess, meeting: Meeting, council_ids: list[int]) -> None:
    """Those who manage meetings, and people with a seat in one of the
    meeting's councils (partnership-internal information); 403 for other
    insiders, 404 for outsiders."""
    access.require_insider()
    if access.can(Capability.MANAGE_MEETINGS):
        return
    if seat_council_ids(access).any & set(council_ids):
        return
    raise PermissionDenied


@dataclass(frozen=True)
class ReportAccess:
    meeting: Meeting
    appointment: Appointment
    is_writer: bool
    # Saved report-back, if any (for readers, always one that is reported).
    report: ReportBack | None


def get_report_for_user(
    access: PartnershipAccess, meeting_pk: int, appointment_pk: int
) -> ReportAccess:
    """The meeting, the seat and its saved report-back: the seat holder may
    write it; once reported back the constituency may read it; 404 else."""
    access.require_insider()
    meeting = get_meeting(access, meeting_pk)
    appointment = (
        Appointment.objects.filter(council__partnership=access.partnership, pk=appointment_pk)
        .select_related("council", "person", "on_behalf_of_organisation", "on_behalf_of_region")
        .first()
    )
    if appointment is None:
        raise Http404
    report = (
        ReportBack.objects.filter(meeting=meeting, appointment=appointment)
        .select_related("reported_by")
        .first()
    )
    if appointment.person_id == access.user_id:
        if not services.seated_at(appointment, meeting):
            raise Http404
        return ReportAccess(meeting, appointment, is_writer=True, report=report)
    if (
        report is None
        or not report.is_reported
        or access.user_id is None
        or services.constituency_membership_for(appointment, _Person(access.user_id)) is None
    ):
        raise Http404
    return ReportAccess(meeting, appointment, is_writer=False, report=report)
