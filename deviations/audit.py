"""Audit trail for deviations, their dialogue, configuration and API tokens."""

from __future__ import annotations

from auditlog.registry import auditlog

from deviations import models

auditlog.register(models.DeviationConfig)
auditlog.register(models.DeviationCategory)
auditlog.register(models.Guideline)
auditlog.register(models.Deviation, exclude_fields=["client_key", "last_reminded_on"])
auditlog.register(models.DeviationMessage)
auditlog.register(models.OrganisationToken, exclude_fields=["token_hash", "last_used_on"])
auditlog.register(models.PartyReporting)
