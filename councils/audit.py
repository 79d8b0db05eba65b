"""Audit trail for councils, appointments, meetings, cases and agendas."""

from __future__ import annotations

from auditlog.registry import auditlog

from councils import models

auditlog.register(models.Council)
auditlog.register(models.Appointment)
auditlog.register(models.Meeting, m2m_fields={"joint_with"})
auditlog.register(models.Case, exclude_fields=["client_key"])
auditlog.register(models.Treatment)
auditlog.register(models.Decision)
auditlog.register(models.Attendance)
auditlog.register(models.MinutesApproval)
auditlog.register(models.Vote)
auditlog.register(models.CaseAttachment, exclude_fields=["sha256"])
