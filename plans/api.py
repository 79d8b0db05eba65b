"""The adopted action plans, read-only and open to all.

Mounted under ``/api/plans/{partnership}``; the same rules as the public
pages: adopted and replaced plans only, drafts never (a draft plan's id is
404 like an id that names nothing); who reported progress is not shown.

- ``GET …/{partnership}``: the plans, newest first, without their goals.
- ``GET …/{partnership}/{id}``: one plan with its priority groups, goals
  and measures (nested as in the plan) and every level's rolled-up progress.
- ``GET …/{partnership}/measures/{id}``: one measure with its dated
  progress reports.

Each answer takes a fixed number of queries, however many rows.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Field, Router, Schema

from core.schemas import PartyOut, party_out
from councils.public_views import public_cases
from partnerships.access import partnership_or_404
from plans import rollup, services
from plans.models import ActionPlan, Measure

router = Router(tags=["plans"])

PROGRESS = "Per cent, 0–100, rolled up from what is under it; null: nothing to count."


class PlanOut(Schema):
    id: int
    title: str
    first_year: int
    last_year: int
    status: str = Field(description="adopted or replaced. Drafts are not published.")
    adopted_on: datetime.date | None
    summary: str
    url: str = Field(description="The plan's public page (a path on this site).")


class MeasureOut(Schema):
    id: int
    title: str
    description: str
    status: str = Field(description="planned, ongoing, delayed, completed or stopped.")
    progress: float | None = Field(description=PROGRESS)
    weight: int
    starts_on: datetime.date | None
    ends_on: datetime.date | None
    responsible_parties: list[PartyOut]
    measures: list[MeasureOut] = Field(description="The measures that make up this one.")
    url: str


class GoalOut(Schema):
    id: int
    title: str
    description: str
    weight: int
    progress: float | None = Field(description=PROGRESS)
    measures: list[MeasureOut]


class PriorityGroupOut(Schema):
    key: str = Field(
        description="children, mental_health, chronic, frail_elderly, or common (all groups)."
    )
    name: str
    progress: float | None = Field(description=PROGRESS)
    goals: list[GoalOut]


class PlanDetailOut(PlanOut):
    progress: float | None = Field(description=PROGRESS)
    priority_groups: list[PriorityGroupOut]


class ProgressReportOut(Schema):
    date: datetime.date
    progress: int
    status: str
    text: str


class LinkOut(Schema):
    key: str = Field(description="An indicator's code, or a case's number.")
    title: str
    url: str = Field(description="Its public page (a path on this site).")


class MeasureDetailOut(Schema):
    id: int
    plan: int
    title: str
    description: str
    status: str
    progress: float | None = Field(description=PROGRESS)
    responsible_parties: list[PartyOut]
    reports: list[ProgressReportOut] = Field(description="Newest first.")
    indicators: list[LinkOut] = Field(
        description="The indicators the measure is to move; their figures are at the "
        "statistics API (/api/statistics/{partnership}/{code})."
    )
    cases: list[LinkOut] = Field(description="The public council cases it concerns.")
    url: str


def _plan_out(plan: ActionPlan, slug: str) -> dict[str, Any]:
    return {
        "id": plan.pk,
        "title": plan.title,
        "first_year": plan.first_year,
        "last_year": plan.last_year,
        "status": plan.status,
        "adopted_on": plan.adopted_on,
        "summary": plan.summary,
        "url": reverse("public_plans:plan", args=[slug, plan.pk]),
    }


def _measure_out(node: rollup.MeasureNode, slug: str) -> dict[str, Any]:
    m = node.measure
    return {
        "id": m.pk,
        "title": m.title,
        "description": m.description,
        "status": m.status,
        "progress": node.progress,
        "weight": m.weight,
        "starts_on": m.starts_on,
        "ends_on": m.ends_on,
        "responsible_parties": [party_out(p) for p in m.responsible_parties.all()],
        "measures": [_measure_out(child, slug) for child in node.children],
        "url": reverse("public_plans:measure", args=[slug, m.pk]),
    }


@router.get("/{partnership}", response=list[PlanOut], summary="The adopted action plans")
def list_plans(request: HttpRequest, partnership: str) -> list[dict[str, Any]]:
    """Newest first. Two queries."""
    found = partnership_or_404(partnership)
    return [_plan_out(p, found.slug) for p in services.plans_of(found, public=True)]


@router.get(
    "/{partnership}/{plan_id}",
    response=PlanDetailOut,
    summary="One plan with its goals and measures and their progress",
)
def get_plan(request: HttpRequest, partnership: str, plan_id: int) -> dict[str, Any]:
    """Five queries, however many goals and measures."""
    found = partnership_or_404(partnership)
    plan = get_object_or_404(services.plans_of(found, public=True), pk=plan_id)
    tree = services.tree(plan)
    return {
        **_plan_out(plan, found.slug),
        "progress": tree.progress,
        "priority_groups": [
            {
                "key": group.key,
                "name": group.label,
                "progress": group.progress,
                "goals": [
                    {
                        "id": g.goal.pk,
                        "title": g.goal.title,
                        "description": g.goal.description,
                        "weight": g.goal.weight,
                        "progress": g.progress,
                        "measures": [_measure_out(n, found.slug) for n in g.measures],
                    }
                    for g in group.goals
                ],
            }
            for group in tree.groups
        ],
    }


@router.get(
    "/{partnership}/measures/{measure_id}",
    response=MeasureDetailOut,
    summary="One measure with its dated progress reports",
)
def get_measure(request: HttpRequest, partnership: str, measure_id: int) -> dict[str, Any]:
    """Nine queries at most."""
    found = partnership_or_404(partnership)
    measure = get_object_or_404(
        Measure.objects.select_related("goal__plan").exclude(
            goal__plan__status=ActionPlan.Status.DRAFT
        ),
        pk=measure_id,
        goal__plan__partnership=found,
    )
    node = next(
        n for n in services.tree(measure.goal.plan).measures() if n.measure.pk == measure.pk
    )
    return {
        "id": measure.pk,
        "plan": measure.goal.plan_id,
        "title": measure.title,
        "description": measure.description,
        "status": measure.status,
        "progress": node.progress,
        "responsible_parties": [party_out(p) for p in node.measure.responsible_parties.all()],
        "reports": [
            {"date": e.date, "progress": e.progress, "status": e.status, "text": e.text}
            for e in measure.entries.order_by("-date", "-pk")
        ],
        "indicators": [
            {
                "key": i.code,
                "title": i.name,
                "url": reverse("public_indicators:indicator", args=[found.slug, i.code]),
            }
            for i in measure.indicators.all()
        ],
        "cases": [
            {
                "key": case.number,
                "title": case.title,
                "url": reverse("public_councils:case", args=[found.slug, case.pk]),
            }
            for case in public_cases(found).filter(plan_measures=measure).order_by("pk")
        ],
        "url": reverse("public_plans:measure", args=[found.slug, measure.pk]),
    }
