"""Who may see and change follow-ups, in the style of :mod:`partnerships.access`.

Insiders who may read the partnership's internal pages see its follow-ups;
outsiders get 404 (the same answer as for a follow-up that does not exist),
and insiders who may see but not change one get 403 on writes.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from followups.models import FollowUp
from partnerships.access import PartnershipAccess
from partnerships.capabilities import Capability


def followups_for(access: PartnershipAccess) -> QuerySet[FollowUp]:
    """The partnership's follow-ups, for insiders who may see internal items."""
    access.require(Capability.VIEW_INTERNAL)
    return FollowUp.objects.filter(partnership=access.partnership)


def get_followup_for_user(access: PartnershipAccess, pk: int) -> FollowUp:
    """One follow-up of the partnership, or 404.

    Loads the responsible party and person and the creator with it (one query
    instead of four on the detail page).
    """
    followup = (
        followups_for(access)
        .select_related("responsible_organisation", "responsible_person", "created_by")
        .filter(pk=pk)
        .first()
    )
    if followup is None:
        raise Http404
    return followup


def can_edit(access: PartnershipAccess, followup: FollowUp) -> bool:
    """Edit, change status: the secretariat and administrators."""
    return access.can(Capability.MANAGE_FOLLOWUPS)


def can_report(access: PartnershipAccess, followup: FollowUp) -> bool:
    """Add log entries and report progress: those who manage follow-ups, the
    responsible party's coordinators and leaders, and the responsible person."""
    if access.can(Capability.MANAGE_FOLLOWUPS):
        return True
    # Per party: a coordinator of one party who is a plain member of the
    # responsible one does not report for it.
    if access.can_for(Capability.REPORT_FOLLOWUP_PROGRESS, followup.responsible_organisation_id):
        return True
    return access.user_id is not None and followup.responsible_person_id == access.user_id
