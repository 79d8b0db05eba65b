"""The one rule for small numbers in public (core.disclosure)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core import disclosure
from core.disclosure import Cell


@pytest.mark.parametrize(
    ("count", "small"),
    [(None, False), (0, False), (1, True), (4, True), (5, False), (Decimal("4.4"), True)],
)
def test_small_counts_are_one_to_four(count: int | None, small: bool) -> None:
    assert disclosure.is_small(count) is small


def test_an_indicator_may_set_its_own_limit() -> None:
    assert disclosure.is_small(9, limit=10)
    assert not disclosure.is_small(10, limit=10)
    # 0 or 1 as the limit: the figure does not count people.
    assert not disclosure.is_small(1, limit=0)


@pytest.mark.parametrize(
    ("count", "shown"), [(0, "0"), (1, "<5"), (4, "<5"), (5, "5"), (7, "5"), (8, "10"), (23, "25")]
)
def test_the_deviation_statistics_round_by_the_same_limit(count: int, shown: str) -> None:
    assert disclosure.rounded_count(count) == shown


def test_a_region_with_one_small_kommune_hides_the_next_smallest_too() -> None:
    # Region R = A + B + C; A is 3, so A is hidden. Had nothing else been
    # hidden, A = R − B − C. The smallest other member, B, goes as well.
    cells = {
        "A": Cell(count=Decimal(3)),
        "B": Cell(count=Decimal(12)),
        "C": Cell(count=Decimal(40)),
    }
    cells["R"] = Cell(count=Decimal(55))
    assert disclosure.hidden(cells, [("R", ["A", "B", "C"])]) == {"A", "B"}


def test_two_hidden_members_need_nothing_more() -> None:
    cells = {"A": Cell(count=Decimal(3)), "B": Cell(count=Decimal(2)), "C": Cell(count=Decimal(40))}
    cells["R"] = Cell(count=Decimal(45))
    assert disclosure.hidden(cells, [("R", ["A", "B", "C"])]) == {"A", "B"}


def test_a_single_member_group_hides_its_total() -> None:
    cells = {"A": Cell(count=Decimal(3)), "R": Cell(count=Decimal(30))}
    assert disclosure.hidden(cells, [("R", ["A"])]) == {"A", "R"}


def test_two_unknowns_in_a_group_are_enough() -> None:
    # R = A + B with A = 0 shown: R and B are both hidden, and R = B tells
    # nobody what either is.
    cells = {"A": Cell(count=Decimal(0)), "B": Cell(count=Decimal(3)), "R": Cell(count=Decimal(3))}
    assert disclosure.hidden(cells, [("R", ["A", "B"])]) == {"R", "B"}


def test_zero_is_shown() -> None:
    cells = {"A": Cell(count=Decimal(0)), "B": Cell(count=Decimal(9)), "R": Cell(count=Decimal(9))}
    assert disclosure.hidden(cells, [("R", ["A", "B"])]) == set()


def test_hiding_spreads_to_the_group_above() -> None:
    # Region R1's total is small after all: the partnership P = R1 + R2 would
    # give it away, so R2 goes too.
    cells = {
        "A": Cell(count=Decimal(2)),
        "B": Cell(count=Decimal(2)),
        "R1": Cell(count=Decimal(4)),
        "C": Cell(count=Decimal(30)),
        "R2": Cell(count=Decimal(30)),
        "P": Cell(count=Decimal(34)),
    }
    groups = [("R1", ["A", "B"]), ("R2", ["C"]), ("P", ["R1", "R2"])]
    # R2 alone in its region: hiding it must hide C, which equals it.
    assert disclosure.hidden(cells, groups) == {"A", "B", "R1", "R2", "C"}


def test_a_rate_is_hidden_by_the_count_it_implies() -> None:
    # 3.5 per 1,000 of 570 inhabitants is two people.
    count = disclosure.implied_count(Decimal("3.5"), Decimal(570), 1000)
    assert count == 2
    assert Cell(count=count).is_small(5)
    # Only an upper bound known: hidden when even that is small.
    assert Cell(upper_bound=Decimal(3)).is_small(5)
    assert not Cell(upper_bound=Decimal(30)).is_small(5)
