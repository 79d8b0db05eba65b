"""Routines of our own for the tests, whatever the demo holds, made through
the services. Dates are given by the tests (fixed, or relative to a clock
they froze)."""

from __future__ import annotations

import datetime
from typing import Any

from agreements.models import Agreement
from councils.models import Council
from partnerships.models import Organisation, Partnership
from routines import services
from routines.models import Routine, RoutineVersion

TEXT = "<p>Sykehuset varsler kommunen før utskrivning.</p>"


def guideline(partnership: Partnership, slug: str = "retningslinje-1") -> Agreement:
    return Agreement.objects.get(partnership=partnership, slug=slug)


def council(partnership: Partnership, slug: str = "asu") -> Council:
    return Council.objects.get(partnership=partnership, slug=slug)


def levanger() -> Organisation:
    return Organisation.objects.get(municipality_number="5037")


def make(
    partnership: Partnership,
    title: str,
    slug: str,
    *,
    party: Organisation | None = None,
    owner: Council | None = None,
    **kw: Any,
) -> Routine:
    """A routine under guideline 1 (or ``agreement=``), owned by ASU unless
    a party or another council is given."""
    if "agreement" not in kw:
        kw["agreement"] = guideline(partnership)
    if party is None and owner is None:
        owner = council(partnership)
    return services.create_routine(
        partnership, title=title, slug=slug, owner_council=owner, owner_party=party, **kw
    )


def draft(routine: Routine, label: str, text: str = TEXT, by: Any = None) -> RoutineVersion:
    return services.new_version(routine, label=label, text=text, by=by)


def in_force(
    routine: Routine, label: str, day: datetime.date, text: str = TEXT, by: Any = None
) -> RoutineVersion:
    version = draft(routine, label, text, by)
    return services.put_in_force(version, version.version, day)
