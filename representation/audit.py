"""Every create/update/delete of input rounds, answers and report-backs is
logged with who, when and before/after values (django-auditlog)."""

from __future__ import annotations

from auditlog.registry import auditlog

from representation import models

# The idempotency key is a machine value; "answers" is the reverse relation,
# which auditlog would otherwise record as a meaningless change on creation.
auditlog.register(models.InputRound, exclude_fields=["client_key", "answers"])
auditlog.register(models.InputAnswer)
auditlog.register(models.ReportBack)
