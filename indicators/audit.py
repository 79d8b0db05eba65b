"""Every import (uploaded, stored, discarded) and every change to the
catalogue is in the audit trail (who, when, each field before and after).
The values an import stores name it as their provenance."""

from __future__ import annotations

from auditlog.registry import auditlog

from indicators import models

auditlog.register(models.ImportBatch, exclude_fields=["content", "client_key"])
auditlog.register(models.Indicator)
auditlog.register(models.ImportProfile)
auditlog.register(models.DailyRate)
