"""The internal home page as each person's work queue.

Nothing is stored for it: each app that gives people work registers, in its
own ``workqueue.py``, a *source* that reads what exists (meetings, input
rounds, deviations, follow-ups, situation reports …) and returns the lines
for one person in one partnership. This module finds those modules the way
Django's admin finds ``admin.py`` (so no app here imports an app above it)
and puts the lines in order:

- **To do**: what the person, or a party they act for, should act on; late
  first, then by when it is due, then what has no date.
- **Stuck** (the secretariat's view of the whole partnership): what has
  waited too long for somebody (deviations not answered by the deadline,
  decisions without follow-up, meetings held without minutes).

Each source makes a fixed number of queries, whatever the number of lines
(at most :data:`LIMIT` of each kind are shown, with the count of the rest);
sources that do not concern the person make none.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from core.registry import Registry

if TYPE_CHECKING:
    from partnerships.access import PartnershipAccess

# Lines of one kind shown on the page; the rest are counted and linked.
LIMIT = 8

TODO = "todo"
STUCK = "stuck"


@dataclass(frozen=True)
class Line:
    """One thing waiting: what it is, where to act, and by when."""

    kind: str  # an app-local key, e.g. "deviation_answer"
    label: Any  # what kind of work, translatable ("Deviation to answer")
    title: str
    url: str
    due: datetime.date | None = None
    note: Any = ""  # one short sentence more, translatable
    section: str = TODO
    late: bool | None = None  # when the source knows better than the date

    def is_late(self, today: datetime.date) -> bool:
        if self.late is not None:
            return self.late
        return self.due is not None and self.due < today


@dataclass(frozen=True)
class Group:
    """Lines of one kind: shown, and how many more there are."""

    kind: str
    label: Any
    lines: list[Line]
    more: int = 0
    more_url: str = ""


@dataclass
class Context:
    """What every source is given: who, where, and which day it is."""

    access: PartnershipAccess
    user: Any
    today: datetime.date
    now: datetime.datetime


Source = Callable[[Context], Iterable[Line | Group]]

_SOURCES: Registry[Source] = Registry("workqueue")


def source(function: Source) -> Source:
    """Register a source (used as a decorator in an app's ``workqueue.py``)."""
    return _SOURCES.add(function)


@dataclass
class WorkQueue:
    todo: list[Line] = field(default_factory=list)
    stuck: list[Line] = field(default_factory=list)
    more: list[Group] = field(default_factory=list)  # kinds cut at LIMIT
    today: datetime.date = field(default_factory=timezone.localdate)

    @property
    def late_count(self) -> int:
        return sum(1 for line in self.todo if line.late)

    def __bool__(self) -> bool:
        return bool(self.todo or self.stuck)


def _order(line: Line) -> tuple[int, datetime.date, str]:
    # Dated first, oldest first (so the late ones lead), then undated, by title.
    return (0 if line.due is not None else 1, line.due or datetime.date.max, line.title)


def collect(
    access: PartnershipAccess, user: Any, now: datetime.datetime | None = None
) -> WorkQueue:
    """The person's work queue in the partnership."""
    now = now or timezone.now()
    context = Context(access=access, user=user, today=timezone.localdate(now), now=now)
    queue = WorkQueue(today=context.today)
    for function in _SOURCES.items():
        for item in function(context):
            lines = item.lines if isinstance(item, Group) else [item]
            for line in lines:
                # Settled here, so the page asks ``line.late`` only.
                line = replace(line, late=line.is_late(context.today))
                (queue.stuck if line.section == STUCK else queue.todo).append(line)
            if isinstance(item, Group) and item.more:
                queue.more.append(item)
    queue.todo.sort(key=_order)
    queue.stuck.sort(key=_order)
    return queue


def cut(kind: str, label: Any, lines: list[Line], total: int, more_url: str = "") -> Group:
    """A group of at most LIMIT lines of one kind, counting the rest."""
    return Group(kind, label, lines[:LIMIT], more=max(0, total - LIMIT), more_url=more_url)


def take(queryset: Any) -> tuple[list[Any], int]:
    """At most LIMIT rows and how many there are in all, in one query (a
    window count over the filtered rows, computed before the slice)."""
    from django.db.models import Count, Window

    rows = list(queryset.annotate(queue_total=Window(Count("pk")))[:LIMIT])
    return rows, (rows[0].queue_total if rows else 0)
