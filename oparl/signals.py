"""OParl 1.1: a change to an object embedded in another (an agenda item in
its meeting, a consultation in its paper, a file in either) changes the
``modified`` of the object that holds it, so a client asking for what
changed since a time finds it."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.utils import timezone


def _touch(meeting_id: int | None = None, case_id: int | None = None) -> None:
    from councils.models import Case, Meeting

    now = timezone.now()
    if meeting_id is not None:
        Meeting.objects.filter(pk=meeting_id).update(modified=now)
    if case_id is not None:
        Case.objects.filter(pk=case_id).update(modified=now)


def _treatment_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    _touch(instance.meeting_id, instance.case_id)


def _decision_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    from councils.models import Treatment

    found = Treatment.objects.filter(pk=instance.treatment_id).values("meeting_id", "case_id")
    for row in found:
        _touch(row["meeting_id"], row["case_id"])


def _attachment_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    _touch(case_id=instance.case_id)


def connect() -> None:
    from councils.models import CaseAttachment, Decision, Treatment

    for signal in (post_save, post_delete):
        signal.connect(_treatment_changed, sender=Treatment, dispatch_uid=f"oparl.t.{signal}")
        signal.connect(_decision_changed, sender=Decision, dispatch_uid=f"oparl.d.{signal}")
        signal.connect(_attachment_changed, sender=CaseAttachment, dispatch_uid=f"oparl.a.{signal}")
