"""Every change to a routine, a version or a review is in the audit trail
(who, when, each field before and after)."""

from __future__ import annotations

from auditlog.registry import auditlog

from routines import models

_MACHINE = ["client_key", "reminded_soon_for", "reminded_overdue_for"]

auditlog.register(models.Routine, exclude_fields=_MACHINE)
auditlog.register(models.RoutineVersion, exclude_fields=["client_key"])
auditlog.register(models.RoutineReview, exclude_fields=["client_key"])
