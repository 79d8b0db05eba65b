"""Creating and revoking calendar links is logged with who and when
(django-auditlog). The hash is left out, and so is the day of last use (a
machine value, recorded with a plain UPDATE)."""

from __future__ import annotations

from auditlog.registry import auditlog

from calendars import models

auditlog.register(models.CalendarToken, exclude_fields=["token_hash", "last_used_on"])
