"""How progress rolls up in an action plan.

A measure with nothing under it shows its own progress. A measure with
measures under it shows the weighted mean of theirs; a goal the weighted
mean of its top measures; a priority group and the plan the weighted mean
of their goals. Weights are the plan's (``Measure.weight``,
``Goal.weight``). A stopped measure is left out of its parent's mean (it
neither helps nor holds back what it was part of); a level with nothing
left to count has no progress (``None``), which the pages show as "–".
Everything here works on rows already loaded: no queries.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from plans.models import ActionPlan, Goal, Measure, PriorityGroup


@dataclass
class MeasureNode:
    measure: Measure
    children: list[MeasureNode] = field(default_factory=list)
    progress: float | None = None
    depth: int = 0

    @property
    def counts(self) -> bool:
        return self.measure.status != Measure.Status.STOPPED and self.progress is not None

    def walk(self) -> Iterable[MeasureNode]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class GoalNode:
    goal: Goal
    measures: list[MeasureNode]
    progress: float | None = None


@dataclass
class GroupNode:
    key: str
    label: str
    goals: list[GoalNode]
    progress: float | None = None


@dataclass
class PlanTree:
    plan: ActionPlan
    groups: list[GroupNode]
    progress: float | None

    def measures(self) -> Iterable[MeasureNode]:
        for group in self.groups:
            for goal in group.goals:
                for node in goal.measures:
                    yield from node.walk()


def weighted_mean(pairs: Iterable[tuple[float | None, int]]) -> float | None:
    """The mean of the values weighted by their weights, leaving out values
    that are ``None``; ``None`` when nothing is left."""
    total = weight_sum = 0.0
    for value, weight in pairs:
        if value is None:
            continue
        total += value * weight
        weight_sum += weight
    return total / weight_sum if weight_sum else None


def _roll(node: MeasureNode) -> float | None:
    for child in node.children:
        child.depth = node.depth + 1
        _roll(child)
    if node.children:
        node.progress = weighted_mean(
            (child.progress, child.measure.weight) for child in node.children if child.counts
        )
    else:
        node.progress = float(node.measure.progress)
    return node.progress


def _measure_nodes(measures: Iterable[Measure]) -> dict[int | None, list[MeasureNode]]:
    """Measures by goal (top measures) with their measures under them."""
    nodes = {m.pk: MeasureNode(m) for m in measures}
    tops: dict[int | None, list[MeasureNode]] = {}
    for node in nodes.values():
        parent = nodes.get(node.measure.parent_id) if node.measure.parent_id else None
        if parent is not None:
            parent.children.append(node)
        else:
            tops.setdefault(node.measure.goal_id, []).append(node)
    for node in nodes.values():
        node.children.sort(key=lambda n: (n.measure.position, n.measure.pk))
    return tops


def build(plan: ActionPlan, goals: Iterable[Goal], measures: Iterable[Measure]) -> PlanTree:
    """The plan as priority groups → goals → measures, with progress at every
    level. ``goals`` and ``measures`` are the plan's, in any order."""
    tops = _measure_nodes(measures)
    by_group: dict[str, list[GoalNode]] = {}
    for goal in sorted(goals, key=lambda g: (g.position, g.pk)):
        top = sorted(tops.get(goal.pk, []), key=lambda n: (n.measure.position, n.measure.pk))
        for node in top:
            _roll(node)
        progress = weighted_mean((n.progress, n.measure.weight) for n in top if n.counts)
        by_group.setdefault(goal.priority_group, []).append(GoalNode(goal, top, progress))
    groups = []
    for key, label in PriorityGroup.choices:
        if key not in by_group:
            continue
        goal_nodes = by_group[key]
        groups.append(
            GroupNode(
                key=key,
                label=str(label),
                goals=goal_nodes,
                progress=weighted_mean((g.progress, g.goal.weight) for g in goal_nodes),
            )
        )
    every_goal = [g for group in groups for g in group.goals]
    return PlanTree(
        plan=plan,
        groups=groups,
        progress=weighted_mean((g.progress, g.goal.weight) for g in every_goal),
    )
