"""Audit trail for councils, appointments, meetings, cases and agendas."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from auditlog.context import auditlog_value, set_actor
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.db import models as db_models

from councils import models

# "modified" and "created" are when, which every entry says already.
WHEN = ["created", "modified"]
auditlog.register(models.Council, exclude_fields=WHEN)
auditlog.register(models.Appointment, exclude_fields=WHEN)
auditlog.register(models.Meeting, m2m_fields={"joint_with"}, exclude_fields=WHEN)
# paper_text is the case paper's own text again (for search): not a change of its own.
auditlog.register(models.Case, exclude_fields=["client_key", "paper_text", "modified"])
auditlog.register(models.Treatment, exclude_fields=WHEN)
auditlog.register(models.Decision)
auditlog.register(models.Attendance)
auditlog.register(models.MinutesApproval)
auditlog.register(models.Vote)
auditlog.register(models.CaseAttachment, exclude_fields=["sha256"])


@contextlib.contextmanager
def acting(by: Any) -> Iterator[None]:
    """Record the audit entries made inside as made by ``by``.

    In a request the middleware already names the person (and their
    address); a command or a test names nobody. auditlog's ``set_actor``
    replaces the request's context and does not put it back, so the
    request's own context is restored afterwards, and the address kept when
    the person is the one making the request.
    """
    if by is None:
        yield
        return
    outer = auditlog_value.get(None)
    same = outer is not None and outer.get("actor") == by
    try:
        with set_actor(
            by,
            remote_addr=outer.get("remote_addr") if same else None,  # type: ignore[union-attr]
            remote_port=outer.get("remote_port") if same else None,  # type: ignore[union-attr]
        ):
            yield
    finally:
        if outer is not None:
            auditlog_value.set(outer)


def record_change(
    instance: db_models.Model, name: str, before: str, after: str, *, by: Any
) -> None:
    """An entry in a record's change history for something that is not one of
    its fields (the order of a meeting's agenda), made by ``by``."""
    LogEntry.objects.log_create(
        instance,
        action=LogEntry.Action.UPDATE,
        changes={name: [before, after]},
        actor=by,
    )
