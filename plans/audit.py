"""Every change to a plan, goal, measure or progress report is in the audit
trail (who, when, each field before and after)."""

from __future__ import annotations

from auditlog.registry import auditlog

from plans import models

auditlog.register(models.ActionPlan, exclude_fields=["client_key"])
auditlog.register(models.Goal, exclude_fields=["client_key"])
auditlog.register(
    models.Measure,
    m2m_fields={
        "responsible_parties",
        "cases",
        "decisions",
        "followups",
        "agreements",
        "indicators",
    },
    exclude_fields=["client_key"],
)
auditlog.register(models.ProgressEntry, exclude_fields=["client_key"])
auditlog.register(models.Project, m2m_fields={"parties"}, exclude_fields=["client_key"])
auditlog.register(models.ProjectReport, exclude_fields=["client_key"])
