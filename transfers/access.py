"""Who may do what with a task transfer, and the helper that fetches one.

Every insider (``VIEW_INTERNAL``) reads every transfer, its assessments and
its case. A party's coordinator or leader (``PROPOSE_TASK_TRANSFER`` for
that party) proposes or registers transfers for it, changes and withdraws
the ones their party proposed, and writes their party's consequence
assessment; the secretariat may do all that for any party, and alone sends
proposals on consultation, makes the council's case and records the
outcome (``MANAGE_AGREEMENTS``). A transfer of another partnership is 404
(the same answer as one that does not exist); an insider who may not do a
write gets 403.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from partnerships.access import PartnershipAccess
from partnerships.capabilities import Capability
from transfers.models import TaskTransfer


@dataclass(frozen=True)
class Rights:
    """What one person may do with one transfer (whatever its status)."""

    manage: bool  # consultation, the council's case, the outcome
    change: bool  # the facts, and withdrawing it: the proposing party

    def require(self, allowed: bool) -> None:
        if not allowed:
            raise PermissionDenied


def rights(access: PartnershipAccess, transfer: TaskTransfer) -> Rights:
    manage = access.can(Capability.MANAGE_AGREEMENTS)
    return Rights(
        manage=manage,
        change=manage
        or access.can_for(Capability.PROPOSE_TASK_TRANSFER, transfer.proposing_party_id),
    )


def may_assess_for(access: PartnershipAccess, organisation_id: int) -> bool:
    return access.can(Capability.MANAGE_AGREEMENTS) or access.can_for(
        Capability.PROPOSE_TASK_TRANSFER, organisation_id
    )


def get_transfer_for_user(access: PartnershipAccess, pk: int) -> tuple[TaskTransfer, Rights]:
    """A transfer of the partnership for an insider, with its parties,
    consultation, case (with its council), decision (with its meeting) and
    agreement version (one query), and what the person may do."""
    access.require(Capability.VIEW_INTERNAL)
    transfer = get_object_or_404(
        TaskTransfer.objects.select_related(
            "partnership",
            "from_party",
            "to_party",
            "proposing_party",
            "consultation",
            "case__council",
            "decision__treatment__meeting__council",
            "agreement_version__agreement",
        ),
        pk=pk,
        partnership=access.partnership,
    )
    return transfer, rights(access, transfer)
