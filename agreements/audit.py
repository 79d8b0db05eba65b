"""Every change to an agreement, a version, a clause, a ratification or a
consultation and its answers is in the audit trail (who, when, each field
before and after)."""

from __future__ import annotations

from auditlog.registry import auditlog

from agreements import models

auditlog.register(models.AgreementLevel)
auditlog.register(models.Agreement)
auditlog.register(models.AgreementVersion)
auditlog.register(models.Clause)
auditlog.register(models.ClauseCoverage)
auditlog.register(models.JointMeasure)
auditlog.register(models.Ratification)
auditlog.register(models.Termination)
auditlog.register(models.Document, exclude_fields=["file"])
auditlog.register(models.Consultation)
auditlog.register(models.ConsultationParty)
auditlog.register(models.ConsultationAnswer)
auditlog.register(models.ClauseComment)
