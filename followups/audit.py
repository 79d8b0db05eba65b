"""Every create/update/delete of follow-ups and their log entries is logged
with who, when and before/after values (django-auditlog)."""

from __future__ import annotations

from auditlog.registry import auditlog

from followups import models

# The idempotency key and the reminder date are machine values, not changes a
# person makes; "log_entries" is the reverse relation, which auditlog would
# otherwise record as a meaningless "changed" field on creation.
auditlog.register(models.FollowUp, exclude_fields=["client_key", "last_reminded_on", "log_entries"])
auditlog.register(models.FollowUpLogEntry)
