"""Who may do what with a routine, and the helpers that fetch one.

Every insider (``VIEW_INTERNAL``) reads every routine and version, drafts
included. The secretariat (``MANAGE_ROUTINES``) creates and edits routines
and does everything below. A party's coordinator or leader
(``KEEP_OWN_ROUTINES`` for the owner party) drafts versions, puts them in
force and records reviews of the routines the party owns; the routine's
responsible person drafts versions and records reviews. A routine of
another partnership is 404 (the same answer as one that does not exist);
an insider who may not do a write gets 403.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from partnerships.access import PartnershipAccess
from partnerships.capabilities import Capability
from routines.models import Routine, RoutineVersion


@dataclass(frozen=True)
class Rights:
    """What one person may do with one routine."""

    edit: bool  # the routine itself: title, place, owner, responsible, interval
    draft: bool  # new versions and changes to drafts
    put_in_force: bool
    review: bool

    def require(self, allowed: bool) -> None:
        if not allowed:
            raise PermissionDenied


def rights(access: PartnershipAccess, routine: Routine) -> Rights:
    manages = access.can(Capability.MANAGE_ROUTINES)
    keeps = manages or (
        routine.owner_party_id is not None
        and access.can_for(Capability.KEEP_OWN_ROUTINES, routine.owner_party_id)
    )
    responsible = access.user_id is not None and routine.responsible_id == access.user_id
    return Rights(
        edit=manages,
        draft=keeps or responsible,
        put_in_force=keeps,
        review=keeps or responsible,
    )


def get_routine_for_user(access: PartnershipAccess, pk: int) -> tuple[Routine, Rights]:
    """A routine of the partnership for an insider, with its agreement,
    owner and responsible person (one query), and what the person may do."""
    access.require(Capability.VIEW_INTERNAL)
    routine = get_object_or_404(
        Routine.objects.select_related("agreement", "owner_council", "owner_party", "responsible"),
        pk=pk,
        partnership=access.partnership,
    )
    routine.partnership = access.partnership  # known: no query to load it again
    return routine, rights(access, routine)


def get_version_for_user(access: PartnershipAccess, pk: int) -> tuple[RoutineVersion, Rights]:
    """A version of one of the partnership's routines, with its routine (and
    the routine's agreement, owner and responsible person), the version it
    is based on and where it came from (one query)."""
    access.require(Capability.VIEW_INTERNAL)
    version = get_object_or_404(
        RoutineVersion.objects.select_related(
            "routine__agreement",
            "routine__owner_council",
            "routine__owner_party",
            "routine__responsible",
            "previous",
            "decision__treatment__case",
            "decision__treatment__meeting__council",
            "followup",
            "created_by",
        ),
        pk=pk,
        routine__partnership=access.partnership,
    )
    version.routine.partnership = access.partnership
    return version, rights(access, version.routine)
