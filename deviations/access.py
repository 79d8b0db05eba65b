"""Who sees which deviation.

A deviation is seen by the coordinators and leaders of its two parties and
by the secretariat, nobody else: a third kommune, observers and members
without a handling role get 404. A draft is seen only by the reporting party.

A party may let all its members report (``PartyReporting``). Such a member
sees, follows and writes in the dialogue of the deviations they reported
themselves while they remain a member of the party; handling, answering and
closing stay with the coordinators and leaders.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from deviations.models import Deviation, PartyReporting
from partnerships.access import PartnershipAccess
from partnerships.capabilities import Capability
from partnerships.models import Organisation


def handling_organisation_ids(access: PartnershipAccess) -> frozenset[int]:
    """The parties this person reports and answers deviations for: where their
    own role gives ``HANDLE_DEVIATIONS`` (no query: the access knows)."""
    return access.parties_where(Capability.HANDLE_DEVIATIONS)


def parties_in_charge(access: PartnershipAccess) -> list[Organisation]:
    """The parties whose deviation set-up this person looks after (API tokens,
    who may report): all of the partnership's parties for the secretariat,
    otherwise those they coordinate or lead (one or two queries)."""
    from deviations.services import parties

    all_parties = parties(access.partnership)
    if access.can(Capability.MANAGE_DEVIATIONS):
        return all_parties
    own = handling_organisation_ids(access)
    return [o for o in all_parties if o.pk in own]


def member_reporting_ids(access: PartnershipAccess) -> frozenset[int]:
    """The parties that let all members report and that this person is a
    current member of (one query; none for the public)."""
    if access.user_id is None or not access.organisation_ids:
        return frozenset()
    return frozenset(
        PartyReporting.objects.filter(
            partnership=access.partnership,
            organisation_id__in=access.organisation_ids,
            members_may_report=True,
        ).values_list("organisation_id", flat=True)
    )


def authored_filter(access: PartnershipAccess) -> Q:
    """The deviations this person reported for a party they still belong to."""
    if access.user_id is None:
        return Q(pk__in=[])
    return Q(reported_by_id=access.user_id, reporting_organisation_id__in=access.organisation_ids)


def visible_filter(access: PartnershipAccess, own: frozenset[int], *, authored: bool = True) -> Q:
    mine = Q(reporting_organisation_id__in=own) | (
        Q(receiving_organisation_id__in=own) & ~Q(status=Deviation.Status.DRAFT)
    )
    if authored:
        mine |= authored_filter(access)
    if access.can(Capability.MANAGE_DEVIATIONS):
        return mine | ~Q(status=Deviation.Status.DRAFT)
    return mine


def visible_deviations(
    access: PartnershipAccess, own: frozenset[int], *, authored: bool = True
) -> QuerySet[Deviation]:
    """Deviations the person may read. ``authored=False`` leaves out those
    seen only as their author (the statistics count for parties)."""
    if access.user_id is None or not (own or authored or access.can(Capability.MANAGE_DEVIATIONS)):
        return Deviation.objects.none()
    return Deviation.objects.filter(partnership=access.partnership).filter(
        visible_filter(access, own, authored=authored)
    )


def get_deviation(access: PartnershipAccess, pk: int, own: frozenset[int]) -> Deviation:
    deviation = (
        visible_deviations(access, own)
        .filter(pk=pk)
        .select_related(
            "reporting_organisation",
            "receiving_organisation",
            "category",
            "guideline__agreement",
            "clause",
            "routine",
            "reported_by",
            "assigned_to",
            "escalated_case",
        )
        .first()
    )
    if deviation is None:
        raise Http404
    return deviation


def side_of(deviation: Deviation, own: frozenset[int], user_id: int | None = None) -> str | None:
    """ "reporter", "receiver", "author" (a member following what they
    reported) or None (the secretariat, reading)."""
    if deviation.reporting_organisation_id in own:
        return "reporter"
    if deviation.receiving_organisation_id in own:
        return "receiver"
    if user_id is not None and deviation.reported_by_id == user_id:
        return "author"
    return None
