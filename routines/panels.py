"""What apps above ``routines`` show on a routine's page, without this app
importing them (:class:`core.registry.Registry`).

An app adds a :class:`Panel` in its own ``routine_panels.py``: a template
and a function that gives its context for one routine, or None when it has
nothing to show. The deviations app shows the routine's deviations before
and after its revision, and what led to the revision (the learning loop).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from core.registry import Registry
from routines.models import Routine


@dataclass(frozen=True)
class Panel:
    template: str
    # (routine, the person's access or None for the public) → context or None
    context: Callable[[Routine, Any], dict[str, Any] | None]


PANELS: Registry[Panel] = Registry("routine_panels", same=lambda a, b: a.template == b.template)


def panels_for(routine: Routine, access: Any) -> list[tuple[str, dict[str, Any]]]:
    """The panels that have something to show, as (template, context)."""
    shown = []
    for panel in PANELS.items():
        context = panel.context(routine, access)
        if context is not None:
            shown.append((panel.template, context))
    return shown
