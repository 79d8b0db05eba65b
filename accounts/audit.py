"""Audit trail registration for accounts (see README: why django-auditlog)."""

from __future__ import annotations

from auditlog.registry import auditlog

from accounts.models import User

auditlog.register(User, exclude_fields=["password", "last_login"])
