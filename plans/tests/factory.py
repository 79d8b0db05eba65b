"""Plans, goals and measures for the tests, made directly (the services'
rules are tested where they are used)."""

from __future__ import annotations

import datetime
from typing import Any

from partnerships.models import Organisation, Partnership
from plans.models import ActionPlan, Goal, Measure, PriorityGroup


def kommune(number: str) -> Organisation:
    return Organisation.objects.get(municipality_number=number)


def plan(
    partnership: Partnership,
    title: str = "Testplan 2025–2028",
    status: str = ActionPlan.Status.ADOPTED,
    first_year: int = 2025,
) -> ActionPlan:
    return ActionPlan.objects.create(
        partnership=partnership,
        title=title,
        first_year=first_year,
        last_year=first_year + 3,
        status=status,
    )


def goal(
    in_plan: ActionPlan, group: str = PriorityGroup.FRAIL_ELDERLY, weight: int = 1, **kw: Any
) -> Goal:
    return Goal.objects.create(
        plan=in_plan, priority_group=group, title=kw.pop("title", "Et mål"), weight=weight, **kw
    )


def measure(
    under: Goal,
    title: str = "Et tiltak",
    *,
    parties: list[Organisation] = (),  # type: ignore[assignment]
    parent: Measure | None = None,
    progress: int = 0,
    weight: int = 1,
    status: str = Measure.Status.ONGOING,
    starts_on: datetime.date | None = datetime.date(2025, 1, 1),
    last_reported_on: datetime.date | None = None,
    **kw: Any,
) -> Measure:
    made = Measure.objects.create(
        goal=under,
        title=title,
        parent=parent,
        progress=progress,
        weight=weight,
        status=status,
        starts_on=starts_on,
        last_reported_on=last_reported_on,
        **kw,
    )
    made.responsible_parties.set(parties)
    return made
