"""Audit trail registration for accounts (see README: why django-auditlog)."""

from __future__ import annotations

from auditlog.registry import auditlog
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import ExternalIdentity, RecoveryCodeDevice, User

auditlog.register(User, exclude_fields=["password", "last_login"])

# Second factors: who set up, replaced or reset a device, and when.
auditlog.register(TOTPDevice, include_fields=["user", "name", "confirmed"])
auditlog.register(RecoveryCodeDevice, include_fields=["user", "name", "confirmed"])
# Linking and unlinking a sign-on identity; not each use of it.
auditlog.register(
    ExternalIdentity,
    include_fields=["user", "provider", "issuer", "subject", "linked_how", "linked_by"],
)
