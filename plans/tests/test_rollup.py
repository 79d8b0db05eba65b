"""Progress rolls up: a measure with measures under it shows their weighted
mean, a goal its top measures', a priority group and the plan their goals';
a stopped measure counts for nothing; nothing to count is no progress."""

from __future__ import annotations

import pytest

from plans import rollup
from plans.models import ActionPlan, Goal, Measure, PriorityGroup

Status = Measure.Status


def _m(
    pk: int,
    goal: Goal,
    progress: int = 0,
    *,
    parent: int | None = None,
    weight: int = 1,
    status: str = Status.ONGOING,
) -> Measure:
    return Measure(
        pk=pk,
        goal=goal,
        parent_id=parent,
        progress=progress,
        weight=weight,
        status=status,
        title=f"m{pk}",
        position=pk,
    )


def test_weighted_mean_leaves_out_what_has_no_value() -> None:
    assert rollup.weighted_mean([(100, 3), (0, 1)]) == 75
    assert rollup.weighted_mean([(50, 1), (None, 5)]) == 50
    assert rollup.weighted_mean([]) is None
    assert rollup.weighted_mean([(None, 1)]) is None


def test_nested_measures_roll_up_by_their_weights() -> None:
    plan = ActionPlan(pk=1, title="P", first_year=2025, last_year=2028)
    elderly = Goal(pk=1, plan=plan, priority_group=PriorityGroup.FRAIL_ELDERLY, title="g1")
    measures = [
        _m(1, elderly),  # its own 0 is ignored: it has measures under it
        _m(2, elderly, 100, parent=1, weight=3),
        _m(3, elderly, 20, parent=1, weight=1),
        _m(4, elderly, 90, parent=1, status=Status.STOPPED),  # counts for nothing
        _m(5, elderly, 40, weight=1),
    ]
    tree = rollup.build(plan, [elderly], measures)
    top = tree.groups[0].goals[0].measures
    assert [n.measure.pk for n in top] == [1, 5]
    assert top[0].progress == pytest.approx((100 * 3 + 20) / 4)  # 80
    assert [c.depth for c in top[0].children] == [1, 1, 1]
    assert tree.groups[0].goals[0].progress == pytest.approx((80 + 40) / 2)
    assert tree.progress == pytest.approx(60)


def test_goals_weigh_in_their_group_and_the_plan() -> None:
    plan = ActionPlan(pk=1, title="P", first_year=2025, last_year=2028)
    g1 = Goal(pk=1, plan=plan, priority_group=PriorityGroup.CHILDREN, title="a", weight=3)
    g2 = Goal(pk=2, plan=plan, priority_group=PriorityGroup.CHILDREN, title="b", weight=1)
    g3 = Goal(pk=3, plan=plan, priority_group=PriorityGroup.CHRONIC, title="c", weight=1)
    g4 = Goal(pk=4, plan=plan, priority_group=PriorityGroup.COMMON, title="d", weight=1)
    tree = rollup.build(plan, [g4, g3, g2, g1], [_m(1, g1, 100), _m(2, g2, 0), _m(3, g3, 50)])
    by_key = {group.key: group for group in tree.groups}
    # The national groups in their order, the common goals last.
    assert [group.key for group in tree.groups] == ["children", "chronic", "common"]
    assert by_key["children"].progress == pytest.approx(75)
    assert by_key["common"].progress is None  # a goal with no measures
    assert tree.progress == pytest.approx((100 * 3 + 0 + 50) / 5)


def test_a_measure_whose_measures_are_all_stopped_has_no_progress() -> None:
    plan = ActionPlan(pk=1, title="P", first_year=2025, last_year=2028)
    goal = Goal(pk=1, plan=plan, priority_group=PriorityGroup.CHRONIC, title="g")
    tree = rollup.build(
        plan, [goal], [_m(1, goal), _m(2, goal, 30, parent=1, status=Status.STOPPED)]
    )
    assert tree.groups[0].goals[0].measures[0].progress is None
    assert tree.groups[0].goals[0].progress is None
    assert tree.progress is None
