"""The deviations panel on a routine's page (see :mod:`routines.panels`):
the routine's deviations per quarter before and after its latest revision,
and for insiders what led to each revision (the trend case, its deviations,
the decision and the follow-up). The public sees the counts only where the
partnership publishes its deviation statistics."""

from __future__ import annotations

from typing import Any

from deviations import loop
from deviations.models import DeviationConfig, TrendCase
from partnerships.capabilities import Capability
from routines.models import Routine
from routines.panels import PANELS, Panel


def _context(routine: Routine, access: Any) -> dict[str, Any] | None:
    if (
        access is None
        and not DeviationConfig.objects.filter(
            partnership_id=routine.partnership_id, public_statistics=True
        ).exists()
    ):
        return None
    figures = loop.before_after(routine)
    origins = loop.origins(routine) if access is not None else []
    # Trend cases about this routine decided by the council, with no
    # follow-up made yet (one query).
    waiting: list[TrendCase] = []
    if access is not None and access.can(Capability.MANAGE_FOLLOWUPS):
        waiting = list(
            TrendCase.objects.filter(
                routine=routine,
                followup__isnull=True,
                case__treatments__decision__isnull=False,
            )
            .select_related("case")
            .distinct()
        )
    if figures is None and not origins and not waiting:
        return None
    return {"figures": figures, "origins": origins, "waiting": waiting, "public": access is None}


PANELS.add(Panel("deviations/routine_panel.html", _context))
