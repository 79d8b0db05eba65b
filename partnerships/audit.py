"""Every create/update/delete of these records is logged with who, when and
before/after values (django-auditlog; the actor comes from its middleware)."""

from __future__ import annotations

from auditlog.registry import auditlog

from partnerships import models

auditlog.register(models.Partnership, exclude_fields=["created", "modified"])
auditlog.register(models.HospitalArea)
auditlog.register(models.Region, exclude_fields=["created", "modified"])
auditlog.register(models.Organisation, exclude_fields=["created", "modified"])
auditlog.register(models.Participation)
auditlog.register(models.Population)
auditlog.register(models.Contact)
auditlog.register(models.Membership)
auditlog.register(models.PartnershipRole)
auditlog.register(models.Invitation, exclude_fields=["token_hash"])
