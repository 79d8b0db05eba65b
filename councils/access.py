"""Who may see which councils, meetings and cases.

Council pages, composition and the dates of meetings are public (names and
roles of such bodies are public). Cases follow their visibility:

- public: everyone;
- partnership-internal: insiders of the partnership;
- council-internal: people with a current seat in the case's council
  (observers included, as they attend), and the secretariat;
- exempt from public access (restricted): members, deputies and the secretary
  of the case's council, and the secretariat — not observers; the public sees
  only the public title and legal basis on the agenda, never the papers.

As everywhere, something not yours to see answers 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from core.models import Visibility
from councils.models import Appointment, Case, Council, Meeting, Treatment
from partnerships.access import PartnershipAccess
from partnerships.capabilities import Capability


@dataclass(frozen=True)
class Seats:
    """The councils where a person has a current seat: any seat, and the
    seats that see exempt papers (member, deputy, secretary)."""

    any: frozenset[int] = frozenset()
    full: frozenset[int] = frozenset()


def seat_council_ids(access: PartnershipAccess) -> Seats:
    """One query for the person's current seats in this partnership."""
    if access.user_id is None:
        return Seats()
    rows = list(
        Appointment.objects.current()
        .filter(person_id=access.user_id, council__partnership=access.partnership)
        .values_list("council_id", "role")
    )
    return Seats(
        any=frozenset(c for c, _r in rows),
        full=frozenset(c for c, r in rows if r != Appointment.Role.OBSERVER),
    )


def visible_cases_filter(access: PartnershipAccess, seats: Seats) -> Q:
    allowed = Q(visibility=Visibility.PUBLIC)
    if access.can(Capability.VIEW_INTERNAL):
        allowed |= Q(visibility=Visibility.PARTNERSHIP)
    if access.can(Capability.VIEW_RESTRICTED):
        allowed |= Q(visibility__in=[Visibility.COUNCIL, Visibility.RESTRICTED])
        return allowed
    if seats.any:
        allowed |= Q(visibility=Visibility.COUNCIL, council_id__in=seats.any)
    if seats.full:
        allowed |= Q(visibility=Visibility.RESTRICTED, council_id__in=seats.full)
    return allowed


def can_see_case(access: PartnershipAccess, case: Case, seats: Seats) -> bool:
    if case.visibility == Visibility.PUBLIC:
        return True
    if case.visibility == Visibility.PARTNERSHIP:
        return access.can(Capability.VIEW_INTERNAL)
    if access.can(Capability.VIEW_RESTRICTED):
        return True
    if case.visibility == Visibility.COUNCIL:
        return case.council_id in seats.any
    return case.council_id in seats.full


def visible_cases(access: PartnershipAccess, seats: Seats) -> QuerySet[Case]:
    return Case.objects.filter(partnership=access.partnership).filter(
        visible_cases_filter(access, seats)
    )


def get_council(access: PartnershipAccess, slug: str) -> Council:
    council = Council.objects.filter(partnership=access.partnership, slug=slug).first()
    if council is None:
        raise Http404
    return council


def get_meeting(access: PartnershipAccess, pk: int) -> Meeting:
    """A meeting of one of the partnership's councils, with its council
    (one query)."""
    meeting = (
        Meeting.objects.filter(council__partnership=access.partnership, pk=pk)
        .select_related("council")
        .first()
    )
    if meeting is None:
        raise Http404
    return meeting


def get_appointment(access: PartnershipAccess, pk: int) -> Appointment:
    """A seat in one of the partnership's councils, with its council."""
    appointment = (
        Appointment.objects.filter(council__partnership=access.partnership, pk=pk)
        .select_related("council")
        .first()
    )
    if appointment is None:
        raise Http404
    return appointment


def get_treatment(access: PartnershipAccess, pk: int, *, with_case: bool = False) -> Treatment:
    """An agenda item of one of the partnership's meetings, with its meeting
    and council (and case: ``with_case`` also refuses standing items)."""
    items = Treatment.objects.filter(meeting__council__partnership=access.partnership, pk=pk)
    if with_case:
        items = items.exclude(case=None).select_related("case")
    treatment = items.select_related("meeting", "meeting__council").first()
    if treatment is None:
        raise Http404
    return treatment


def get_case_for_user(access: PartnershipAccess, pk: int, seats: Seats) -> Case:
    case = (
        Case.objects.filter(partnership=access.partnership, pk=pk)
        .select_related("council", "created_by")
        .first()
    )
    if case is None or not can_see_case(access, case, seats):
        raise Http404
    return case
