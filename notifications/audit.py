"""Changes of a person's notification preference are logged with who and when
(django-auditlog). The notifications themselves are machine records, made and
stamped by the services, and are not logged."""

from __future__ import annotations

from auditlog.registry import auditlog

from notifications import models

auditlog.register(models.NotificationPreference, exclude_fields=["updated"])
