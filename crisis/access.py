"""Who sees and does what in a crisis.

- Every insider with ``VIEW_CRISIS`` (coordinators, leaders, observers such
  as Statsforvalteren, the secretariat) reads the crisis, its shared
  picture, the submitted reports, the log and the resource requests.
  Observers only read.
- A party's coordinators and leaders (``REPORT_CRISIS``) fill, submit and
  change their own party's reports, declare its level and make and answer
  resource requests for it. A draft is the party's alone.
- The secretariat (``MANAGE_CRISIS``) opens and stands down crises, unlocks
  reports, keeps the log, declares the partnership level and generates the
  coordination meeting's agenda.
- Outsiders and other partnerships get 404; insiders without the right 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from crisis.models import Crisis, Report
from partnerships.access import PartnershipAccess
from partnerships.capabilities import Capability


def require_viewer(access: PartnershipAccess) -> None:
    """404 for outsiders, 403 for insiders who may not read crises."""
    access.require_insider()
    if not (access.can(Capability.VIEW_CRISIS) or access.can(Capability.MANAGE_CRISIS)):
        raise PermissionDenied


def reporting_organisation_ids(access: PartnershipAccess) -> frozenset[int]:
    """The parties this person reports for: where their own role gives
    ``REPORT_CRISIS`` (no query: the access knows)."""
    return access.parties_where(Capability.REPORT_CRISIS)


def get_crisis(access: PartnershipAccess, pk: int) -> Crisis:
    require_viewer(access)
    crisis = (
        Crisis.objects.filter(partnership=access.partnership, pk=pk)
        .select_related("form", "council", "partnership")
        .first()
    )
    if crisis is None:
        raise Http404
    return crisis


def can_read_report(access: PartnershipAccess, report: Report, own: frozenset[int]) -> bool:
    """A submitted report is read by every crisis viewer; a draft only by
    its own party."""
    if report.organisation_id in own:
        return True
    return report.status == Report.Status.SUBMITTED and (
        access.can(Capability.VIEW_CRISIS) or access.can(Capability.MANAGE_CRISIS)
    )
