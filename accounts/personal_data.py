"""The account, its second factors, sessions and failed log-ins, for the
person's download (see :mod:`core.personal_data`). Five queries: the
authenticator apps, the recovery codes (counted in the database), the
sessions, the linked sign-on log-ins and the failed log-ins (the account row
itself is the person)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import ExternalIdentity, LoginFailure, RecoveryCodeDevice, UserSession
from core.personal_data import Section, source, when


@source
def account(user: Any) -> Iterator[Section]:
    yield Section(
        "accounts.account",
        _("Your account"),
        [
            {
                "email": user.email,
                "full_name": user.full_name,
                "job_title": user.title,
                "phone": user.phone,
                "active": user.is_active,
                "joined": when(user.date_joined),
                "last_login": when(user.last_login),
                "django_admin_access": user.is_staff,
                "superuser": user.is_superuser,
            }
        ],
        _("Your password is stored only as a salted hash, which is not included."),
    )
    apps = TOTPDevice.objects.filter(user=user).order_by("pk")
    recovery = RecoveryCodeDevice.objects.filter(user=user).annotate(
        total=Count("codes"), unused=Count("codes", filter=Q(codes__used_at__isnull=True))
    )
    yield Section(
        "accounts.second_factor",
        _("Two-factor authentication"),
        [
            {
                "kind": "authenticator app",
                "name": device.name,
                "confirmed": device.confirmed,
                "created": when(device.created_at),
                "last_used": when(device.last_used_at),
            }
            for device in apps
        ]
        + [
            {"kind": "recovery codes", "codes": device.total, "unused": device.unused}
            for device in recovery
        ],
        _(
            "The authenticator app's secret key and the recovery codes (as digests) are "
            "stored but not included: with them anyone could log in as you."
        ),
    )
    yield Section(
        "accounts.sessions",
        _("Log-ins (sessions)"),
        [
            {
                "started": when(login.created),
                "ip_address": login.ip_address,
                "browser": login.user_agent,
                "second_factor": login.second_factor,
                "sign_on_provider": login.provider,
                "assurance_level": login.assurance,
            }
            for login in UserSession.objects.filter(user=user).order_by("created", "pk")
        ],
        _("Records of sessions that have ended are deleted every day."),
    )
    yield Section(
        "accounts.linked_logins",
        _("Log-ins at identity providers linked to your account"),
        [
            {
                "provider": identity.name or identity.provider,
                "issuer": identity.issuer,
                "subject": identity.subject,
                "linked": when(identity.created),
                "linked_how": identity.linked_how,
                "linked_by": str(identity.linked_by) if identity.linked_by else None,
                "last_used": when(identity.last_used),
            }
            for identity in ExternalIdentity.objects.filter(user=user)
            .select_related("linked_by")
            .order_by("created", "pk")
        ],
        _(
            "Only the provider's identifier for you (subject) is kept. Your national identity "
            "number, which ID-porten and HelseID send, is never stored."
        ),
    )
    yield Section(
        "accounts.failed_logins",
        _("Failed log-in attempts with your e-mail address"),
        [
            {"time": when(failure.created), "kind": failure.kind, "ip_address": failure.ip_address}
            for failure in LoginFailure.objects.filter(email=user.email.lower()).order_by(
                "created", "pk"
            )
        ],
        _("Kept only for the cool-off window of the log-in throttle."),
    )
