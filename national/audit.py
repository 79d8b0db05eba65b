"""Opting in or out, publishing a year, importing or withdrawing a file: all
in the audit trail (who, when, each field before and after)."""

from __future__ import annotations

from auditlog.registry import auditlog

from national import models

auditlog.register(models.Sharing)
auditlog.register(models.Snapshot, exclude_fields=["data"])
