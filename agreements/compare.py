"""Two versions of an agreement, clause by clause.

A clause keeps its ``key`` from version to version (a new version copies the
clauses of the one it is based on), so the comparison pairs clauses by key,
never by number or heading: a clause renumbered from 4 to 5 is the same
clause, changed; a clause whose key is new was added; one whose key is gone
was removed.

The functions here are pure: they take the clauses as loaded (anything with
``key``, ``number``, ``heading`` and ``text``) and, for what a clause covers
of § 6-2, a function that reads it from what is already loaded. No queries.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from core import richtext


class ClauseLike(Protocol):
    @property
    def key(self) -> str: ...
    @property
    def number(self) -> str: ...
    @property
    def heading(self) -> str: ...
    @property
    def text(self) -> str: ...


class Change(enum.StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"
    UNCHANGED = "unchanged"


# What can differ between two clauses of one key, in the order we name them.
FIELDS = ("number", "heading", "text", "points")


@dataclass(frozen=True)
class ClauseChange[C: ClauseLike]:
    """One clause in the comparison: the old and the new clause (one of them
    None when the clause was added or removed) and what differs."""

    change: Change
    old: C | None
    new: C | None
    fields: tuple[str, ...] = field(default=())

    @property
    def clause(self) -> C:
        """The clause to name the line by: the new one, else the removed one."""
        found = self.new if self.new is not None else self.old
        assert found is not None
        return found


def _same_text(old: str, new: str) -> bool:
    """Equal once both are stored the same way (plain text from before the
    editor as paragraphs, markup through the sanitiser). Emphasis or a link's
    address is a change even when the words are the same."""
    return old == new or richtext.to_html(old) == richtext.to_html(new)


def changed_fields[C: ClauseLike](
    old: C, new: C, points: Callable[[C], frozenset[int]] | None = None
) -> tuple[str, ...]:
    """Which of number, heading, text and the § 6-2 points differ."""
    found = []
    if old.number.strip() != new.number.strip():
        found.append("number")
    if old.heading.strip() != new.heading.strip():
        found.append("heading")
    if not _same_text(old.text, new.text):
        found.append("text")
    if points is not None and points(old) != points(new):
        found.append("points")
    return tuple(found)


def compare[C: ClauseLike](
    old: Sequence[C],
    new: Sequence[C],
    points: Callable[[C], frozenset[int]] | None = None,
) -> list[ClauseChange[C]]:
    """The clauses of ``new`` in its order, each marked added, changed or
    unchanged against ``old``; a removed clause is placed after the clause
    that came before it in ``old`` (or first, when it was the first)."""
    new_keys = {c.key for c in new}
    old_by_key = {c.key: c for c in old}
    # Removed clauses, by the key of the surviving clause they followed.
    removed_after: dict[str | None, list[C]] = {}
    anchor: str | None = None
    for clause in old:
        if clause.key in new_keys:
            anchor = clause.key
        else:
            removed_after.setdefault(anchor, []).append(clause)

    result: list[ClauseChange[C]] = [
        ClauseChange(Change.REMOVED, c, None) for c in removed_after.get(None, [])
    ]
    for clause in new:
        before = old_by_key.get(clause.key)
        if before is None:
            result.append(ClauseChange(Change.ADDED, None, clause))
        else:
            differs = changed_fields(before, clause, points)
            kind = Change.CHANGED if differs else Change.UNCHANGED
            result.append(ClauseChange(kind, before, clause, differs))
        result.extend(
            ClauseChange(Change.REMOVED, c, None) for c in removed_after.get(clause.key, [])
        )
    return result


def counts[C: ClauseLike](changes: Iterable[ClauseChange[C]]) -> dict[Change, int]:
    """How many clauses were added, removed, changed and left unchanged."""
    found = dict.fromkeys(Change, 0)
    for line in changes:
        found[line.change] += 1
    return found
