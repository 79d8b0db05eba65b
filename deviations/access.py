"""Who sees which deviation.

A deviation is seen by the coordinators and leaders of its two parties and
by the secretariat, nobody else: a third kommune, observers and members
without a handling role get 404. A draft is seen only by the reporting party.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from deviations.models import Deviation
from partnerships.access import PartnershipAccess
from partnerships.capabilities import Capability
from partnerships.models import Membership

HANDLING_ROLES = (Membership.Role.COORDINATOR, Membership.Role.LEADER)


def handling_organisation_ids(access: PartnershipAccess) -> frozenset[int]:
    """The parties this person reports and answers deviations for: where they
    are a current coordinator or leader (one query; none for the public)."""
    if access.user_id is None or not access.can(Capability.HANDLE_DEVIATIONS):
        return frozenset()
    return frozenset(
        Membership.objects.current()
        .filter(
            user_id=access.user_id,
            role__in=HANDLING_ROLES,
            organisation_id__in=access.organisation_ids,
        )
        .values_list("organisation_id", flat=True)
    )


def visible_filter(access: PartnershipAccess, own: frozenset[int]) -> Q:
    mine = Q(reporting_organisation_id__in=own) | (
        Q(receiving_organisation_id__in=own) & ~Q(status=Deviation.Status.DRAFT)
    )
    if access.can(Capability.MANAGE_DEVIATIONS):
        return mine | ~Q(status=Deviation.Status.DRAFT)
    return mine


def visible_deviations(access: PartnershipAccess, own: frozenset[int]) -> QuerySet[Deviation]:
    if not (own or access.can(Capability.MANAGE_DEVIATIONS)):
        return Deviation.objects.none()
    return Deviation.objects.filter(partnership=access.partnership).filter(
        visible_filter(access, own)
    )


def get_deviation(access: PartnershipAccess, pk: int, own: frozenset[int]) -> Deviation:
    deviation = (
        visible_deviations(access, own)
        .filter(pk=pk)
        .select_related(
            "reporting_organisation",
            "receiving_organisation",
            "category",
            "guideline",
            "reported_by",
            "assigned_to",
            "escalated_case",
        )
        .first()
    )
    if deviation is None:
        raise Http404
    return deviation


def side_of(deviation: Deviation, own: frozenset[int]) -> str | None:
    """ "reporter", "receiver" or None (the secretariat, reading)."""
    if deviation.reporting_organisation_id in own:
        return "reporter"
    if deviation.receiving_organisation_id in own:
        return "receiver"
    return None
