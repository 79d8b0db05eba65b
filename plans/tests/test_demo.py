"""The demo's action plan: adopted, with goals in every priority group,
nested measures, progress reports and overdue ones; built once."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from partnerships.models import Partnership
from plans import services
from plans.demo import build_plans_demo
from plans.models import ActionPlan, Measure, PriorityGroup, Project


def test_the_demo_plan_covers_every_priority_group_with_progress(people: Any) -> None:
    hnt = Partnership.objects.get(slug="hnt")
    today = timezone.localdate()
    plan = services.plan_in_force(hnt, today.year)
    assert plan is not None and plan.status == ActionPlan.Status.ADOPTED
    assert plan.first_year == today.year - 2 and plan.last_year == today.year + 1
    tree = services.tree(plan)
    assert {group.key for group in tree.groups} == set(PriorityGroup.values)
    assert tree.progress is not None and 20 < tree.progress < 80
    nodes = list(tree.measures())
    assert any(node.children for node in nodes)
    assert {node.measure.status for node in nodes} >= {
        Measure.Status.COMPLETED,
        Measure.Status.STOPPED,
        Measure.Status.ONGOING,
        Measure.Status.PLANNED,
    }
    assert all(node.measure.responsible_parties.all() for node in nodes)
    waiting = services.waiting_reports(hnt, today, None)
    assert waiting, "some measures under way wait for their progress report"


def test_it_is_built_once(people: Any) -> None:
    assert build_plans_demo(vars(people)) == 0


def test_the_demo_has_three_projects_two_public_each_serving_a_measure(people: Any) -> None:
    projects = list(Project.objects.filter(partnership__slug="hnt"))
    assert len(projects) == 3
    assert sum(p.public for p in projects) == 2
    assert all(p.measure is not None and p.reports.exists() for p in projects)
    assert {p.status for p in projects} >= {Project.Status.ONGOING, Project.Status.COMPLETED}
