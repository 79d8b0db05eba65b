"""Audit trail for crisis data: every change attributable, before and after."""

from __future__ import annotations

from auditlog.registry import auditlog

from crisis import models

for model in (
    models.Indicator,
    models.ReportForm,
    models.FormIndicator,
    models.CrossRule,
    models.ActionCard,
    models.Crisis,
    models.PartnershipLevel,
    models.LogEntry,
    models.ReportUnlock,
):
    auditlog.register(model)
auditlog.register(models.Report, exclude_fields=["client_key"])
auditlog.register(models.ResourceRequest, exclude_fields=["client_key"])
