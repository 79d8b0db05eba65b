"""Small numbers in public: the one rule for every public figure.

A public page, file or API answer never shows a count of people from 1 to
the limit less one (1–4 by default; KOSTRA hides numbers below 5, an
indicator may set its own limit), nor a figure from which such a count can
be worked out:

1. **Primary.** A count from 1 to limit − 1 is hidden. A rate or share is
   hidden when the count behind it is: its numerator where that is known,
   otherwise the count it implies over its denominator (rate × denominator ÷
   scale), otherwise — neither known — the largest count it could imply over
   all the area's inhabitants. So a rate per 1,000 in Leka (about 570
   inhabitants) that stands for two patients is hidden.
2. **Secondary (differencing).** A total is shown, and so are the members
   of its group (a region's kommuner, the partnership's regions): one hidden
   member would be the total minus the others. When exactly one member of a
   group is hidden, or only the total, the smallest member still shown is
   hidden too; when there is none, the total is. Repeated until nothing more
   changes, because what one group hides can leave a single unknown in
   another (a region hidden in the partnership's group hides a kommune in
   its own).

Zero is shown: "nobody" discloses nobody.

The deviation statistics follow rule 1 with the same limit and, in place of
rule 2, round every other count to the nearest 5 (``ROUND_TO``): their
tables overlap (by quarter, by category, by direction, by region, all
counting the same deviations), so a cell hidden in one table could be
worked out from another table's total; rounding every published count
defeats that for all the tables at once (:func:`rounded_count`).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

SMALL_NUMBER_LIMIT = 5
ROUND_TO = 5

Number = Decimal | int | float


def is_small(count: Number | None, limit: int = SMALL_NUMBER_LIMIT) -> bool:
    """Whether a count of people is too small to publish (1 to limit − 1)."""
    if count is None or limit <= 1:
        return False
    return 0 < count < limit


def rounded_count(count: int, limit: int = SMALL_NUMBER_LIMIT) -> str:
    """A count as the deviation statistics publish it: 0 as 0, a small count
    as "<5", every other count rounded to the nearest 5."""
    if count == 0:
        return "0"
    if is_small(count, limit):
        return f"<{limit}"
    return str(ROUND_TO * round(count / ROUND_TO))


@dataclass(frozen=True, slots=True)
class Cell:
    """What the rule needs to know of one figure: the count of people behind
    it, or, where that is unknown, the largest it could be."""

    count: Decimal | None = None
    upper_bound: Decimal | None = None

    @property
    def size(self) -> Decimal | None:
        return self.count if self.count is not None else self.upper_bound

    def is_small(self, limit: int) -> bool:
        if self.count is not None:
            return is_small(self.count, limit)
        # Unknown count: hidden only when even the largest it could be is small.
        return is_small(self.upper_bound, limit)


def implied_count(value: Decimal | None, denominator: Decimal | None, scale: int) -> Decimal | None:
    """The count a rate (per ``scale``) stands for over its denominator."""
    if value is None or denominator is None:
        return None
    return (value * denominator / scale).quantize(Decimal(1))


def hidden[K: Hashable](
    cells: Mapping[K, Cell],
    groups: Iterable[tuple[K, Sequence[K]]],
    limit: int = SMALL_NUMBER_LIMIT,
) -> set[K]:
    """The keys of ``cells`` a public view must not show, by rules 1 and 2.

    ``groups`` pairs a total's key with its members' keys; a key missing
    from ``cells`` is a figure not shown anyway (not available)."""
    if limit <= 1:
        return set()
    result = {key for key, cell in cells.items() if cell.is_small(limit)}
    pairs = [(total, [m for m in members if m in cells]) for total, members in groups]
    changed = True
    while changed:
        changed = False
        for total, members in pairs:
            if total not in cells:
                continue
            # total = sum(members): one unknown among them is known after all.
            unknown = [key for key in (total, *members) if key in result]
            if len(unknown) != 1:
                continue
            others = [m for m in members if m not in result and cells[m].size is not None]
            if others:
                result.add(min(others, key=lambda m: cells[m].size or 0))
            else:
                result.add(total)
            changed = True
    return result
