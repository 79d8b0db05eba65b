"""Every change to an agreement, a version, a clause or a ratification is in
the audit trail (who, when, each field before and after)."""

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
