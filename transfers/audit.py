"""Every change to a task transfer and to a party's consequence assessment
is in the audit trail (who, when, each field before and after)."""

from __future__ import annotations

from auditlog.registry import auditlog

from transfers import models

auditlog.register(models.TaskTransfer)
auditlog.register(models.ConsequenceAssessment)
