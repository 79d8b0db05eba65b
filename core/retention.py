"""Retention: how long Samspill keeps what, applied by one daily job.

Each app that keeps something past its use contributes a *rule* in its own
``retention.py`` (found the way Django's admin finds ``admin.py``, so core
imports no app above it): what it removes, the setting that says after how
many days, and a function that finds the rows past that point and, unless it
is a dry run, removes them or their free text. ``manage.py apply_retention``
runs every rule (``--dry-run`` only counts).

The rules, by app (the README's "Privacy and retention" says why each default):

- core (here): entries of the audit trail older than
  ``SAMSPILL_RETAIN_AUDIT_DAYS`` are deleted;
- accounts: records of sessions that have ended are forgotten;
- partnerships: people whose every role ended ``SAMSPILL_RETAIN_LEFT_PEOPLE_DAYS``
  ago lose their log-in (their name stays on what they did);
- deviations: the free texts of deviations closed more than
  ``SAMSPILL_RETAIN_CLOSED_DEVIATIONS_DAYS`` ago are removed (the rows stay:
  statistics count them);
- crisis: free texts and drafts of situation reports go
  ``SAMSPILL_RETAIN_CRISIS_REPORTS_DAYS`` after the crisis was stood down.

Rules respect foreign keys: where other rows point at a row (``PROTECT``),
the rule empties its free text instead of deleting it. Every rule is
idempotent (a second run finds nothing left to do and counts 0), and each run
of a rule leaves an entry in the audit trail saying what it did
(:func:`record_run`), a dry run none.

Text removed from a record is removed from the audit trail's copies of it
too (:func:`forget_audited_fields`): otherwise the history of a deviation
would keep its description for as long as the audit trail is kept.

Who holds a role is told by *role tables* (:func:`role_table`): each app that
gives people roles with a period (``valid_from``/``valid_to``) registers the
model and its person field, so the rule for people who left asks every one
of them (partnerships: memberships and partnership roles; councils: seats).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Cast
from django.utils import timezone

from core.registry import Registry


@dataclass(frozen=True)
class Context:
    """What a rule is given: the moment it runs for and whether to change anything."""

    now: datetime.datetime
    dry_run: bool

    def cutoff(self, days: int) -> datetime.datetime:
        """The moment ``days`` days before now: what is older is past keeping."""
        return self.now - datetime.timedelta(days=days)


RuleFunction = Callable[[Context], int]


@dataclass(frozen=True)
class Rule:
    key: str  # "deviations.closed_texts"
    description: str  # what the rule removes, for the operator (the command prints it)
    setting: str | None  # the setting holding its days; None for a fixed rule
    function: RuleFunction

    @property
    def days(self) -> int | None:
        return getattr(settings, self.setting) if self.setting else None


@dataclass(frozen=True)
class Outcome:
    rule: Rule
    count: int  # rows removed or emptied (or, in a dry run, that would be)
    cutoff: datetime.datetime | None


_RULES: Registry[Rule] = Registry("retention", same=lambda a, b: a.key == b.key)
_ROLE_TABLES: Registry[tuple[type[models.Model], str]] = Registry("retention")


def rule(
    key: str, description: str, setting: str | None = None
) -> Callable[[RuleFunction], RuleFunction]:
    """Register a rule (a decorator in an app's ``retention.py``). The function
    returns how many rows it removed or emptied, or would in a dry run."""

    def register(function: RuleFunction) -> RuleFunction:
        _RULES.add(Rule(key, description, setting, function))
        return function

    return register


def role_table(model: type[models.Model], person_field: str) -> None:
    """Register a model whose rows give a person a role for a period
    (``valid_from``, and ``valid_to``: the first day it no longer holds)."""
    _ROLE_TABLES.add((model, person_field))


def rules() -> list[Rule]:
    return _RULES.items()


def role_tables() -> list[tuple[type[models.Model], str]]:
    return _ROLE_TABLES.items()


def apply_all(now: datetime.datetime | None = None, *, dry_run: bool = False) -> list[Outcome]:
    """Run every rule, each in its own transaction, and say what each did."""
    context = Context(now=now or timezone.now(), dry_run=dry_run)
    outcomes = []
    for item in rules():
        days = item.days
        cutoff = context.cutoff(days) if days is not None else None
        with transaction.atomic():
            count = item.function(context)
            outcome = Outcome(item, count, cutoff)
            if not dry_run:
                record_run(outcome, context)
        outcomes.append(outcome)
    return outcomes


def record_run(outcome: Outcome, context: Context) -> LogEntry:
    """One entry in the audit trail per rule run, also when it found nothing:
    it shows that the rule is applied. Not tied to one record, it is filed
    under the audit trail's own content type with the rule's key."""
    rule_ = outcome.rule
    details = {
        "rule": rule_.key,
        "setting": rule_.setting,
        "days": rule_.days,
        "cutoff": outcome.cutoff.isoformat() if outcome.cutoff else None,
        "count": outcome.count,
    }
    return LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(LogEntry),
        object_pk=f"retention:{rule_.key}",
        object_repr=f"Retention rule {rule_.key}",
        action=LogEntry.Action.DELETE,
        changes={"retention": [None, f"{outcome.count} removed or emptied"]},
        additional_data=details,
        timestamp=context.now,
    )


def forget_audited_fields(rows: models.QuerySet[Any], fields: Iterable[str]) -> int:
    """Take ``fields`` out of every audit entry of ``rows`` (their before and
    after values are the text being removed); call it before the rows change.

    One query reads the entries of those rows that hold one of the fields
    (the rows are a subquery, however many they are), and one per 500 changed
    entries writes them back. Returns how many entries changed.
    """
    names = set(fields)
    keys = rows.annotate(_audit_key=Cast("pk", output_field=models.CharField())).values(
        "_audit_key"
    )
    holds_field = Q()
    for name in names:
        holds_field |= Q(changes__has_key=name)
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(rows.model), object_pk__in=keys
    ).filter(holds_field)
    touched = []
    for entry in entries.only("pk", "changes").iterator(chunk_size=500):
        if isinstance(entry.changes, dict):
            entry.changes = {k: v for k, v in entry.changes.items() if k not in names}
            touched.append(entry)
    LogEntry.objects.bulk_update(touched, ["changes"], batch_size=500)
    return len(touched)


@rule(
    "core.audit_trail",
    "Entries of the audit trail older than the retention period are deleted.",
    setting="SAMSPILL_RETAIN_AUDIT_DAYS",
)
def old_audit_entries(context: Context) -> int:
    old = LogEntry.objects.filter(timestamp__lt=context.cutoff(settings.SAMSPILL_RETAIN_AUDIT_DAYS))
    if context.dry_run:
        return old.count()
    deleted, _by_model = old.delete()
    return deleted
