"""Log-in rules shared by the password flow, two-factor flow and (later) SSO:
who needs a second factor, the pending log-in between the two steps, the one
place a person becomes logged in, recovery codes, and a person's sessions."""

from __future__ import annotations

import secrets
import time
from typing import Any

from auditlog.context import set_actor
from django.conf import settings
from django.contrib import auth
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import RecoveryCode, RecoveryCodeDevice, User, UserSession

PENDING_KEY = "samspill_pending_login"
PENDING_SECONDS = 300
# How the session's person logged in: {"provider": key, "acr": level} after a
# single sign-on, absent after the password (accounts.sso).
SIGN_IN_KEY = "samspill_sign_in"


def requires_two_factor(user: Any) -> bool:
    """Secretariat members, administrators, superusers and anyone with access
    to the Django admin must use a second factor."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or user.is_staff:
        return True
    from partnerships.models import PartnershipRole

    return PartnershipRole.objects.current().filter(user=user).exists()


def is_verified(user: Any) -> bool:
    """True when the session's log-in used a second factor (django-otp)."""
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def confirmed_totp_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def client_ip(request: HttpRequest) -> str | None:
    """The client's address for throttling.

    Behind the reverse proxy (``SAMSPILL_BEHIND_PROXY``) REMOTE_ADDR is the
    proxy, which appends the client's address to X-Forwarded-For; only then is
    that header trusted, and only its last entry (the one the proxy added).
    """
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.split(",")[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR") or None


def start_pending_login(
    request: HttpRequest, user: User, sign_in: dict[str, str] | None = None
) -> None:
    """Remember who passed the first factor, for a few minutes only, and how
    (``sign_in``: the sign-on provider and its level, for the session)."""
    request.session[PENDING_KEY] = {
        "user_id": user.pk,
        "at": int(time.time()),
        "sign_in": sign_in or {},
    }


def pending_user(request: HttpRequest) -> User | None:
    data = request.session.get(PENDING_KEY)
    if not data or int(time.time()) - int(data.get("at", 0)) > PENDING_SECONDS:
        return None
    return User.objects.filter(pk=data["user_id"], is_active=True).first()


def complete_login(
    request: HttpRequest,
    user: User,
    device: Device | None = None,
    sign_in: dict[str, str] | None = None,
) -> None:
    """The one place a person becomes logged in, whatever the way in: the
    password, a second factor after it, or single sign-on (``sign_in``: the
    provider's key and the level of assurance it reported; taken from the
    pending log-in when the second factor completes a sign-on).

    ``auth.login`` rotates the session key, so a session id seen before the
    login is worthless after it. The session is recorded so that the person
    can see it and end it (:func:`active_sessions`).
    """
    pending = request.session.pop(PENDING_KEY, None) or {}
    if sign_in is None and pending.get("user_id") == user.pk:
        sign_in = pending.get("sign_in") or None
    auth.login(request, user, backend="accounts.backends.EmailBackend")
    if device is not None:
        otp_login(request, device)
    if sign_in:
        request.session[SIGN_IN_KEY] = {"provider": sign_in["provider"], "acr": sign_in["acr"]}
    else:
        request.session.pop(SIGN_IN_KEY, None)
    request.session.save()
    forget_ended_sessions(user)
    UserSession.objects.update_or_create(
        session_key=request.session.session_key,
        defaults={
            "user": user,
            "ip_address": client_ip(request),
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300],
            "second_factor": device is not None,
            "provider": (sign_in or {}).get("provider", ""),
            "assurance": (sign_in or {}).get("acr", "")[:100],
            "created": timezone.now(),
        },
    )


# --- recovery codes ---------------------------------------------------------------

RECOVERY_CODES = 10
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed


def _new_code() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(10))  # 50 bits
    return f"{raw[:5]}-{raw[5:]}"


@transaction.atomic
def new_recovery_codes(user: User) -> list[str]:
    """Replace the person's recovery codes with ten new ones and return them
    in the clear, to be shown once. Only their digests are stored."""
    with set_actor(user):
        RecoveryCodeDevice.objects.filter(user=user).delete()
        device = RecoveryCodeDevice.objects.create(
            user=user, name="Gjenopprettingskoder", confirmed=True, salt=secrets.token_hex(16)
        )
    codes = [_new_code() for _ in range(RECOVERY_CODES)]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(device=device, digest=device.digest(c)) for c in codes
    )
    return codes


def recovery_device(user: User) -> RecoveryCodeDevice | None:
    return RecoveryCodeDevice.objects.filter(user=user, confirmed=True).first()


def unused_recovery_codes(user: User) -> int | None:
    """How many recovery codes the person has left; None without any (1 query)."""
    device = (
        RecoveryCodeDevice.objects.filter(user=user, confirmed=True)
        .annotate(left=Count("codes", filter=Q(codes__used_at__isnull=True)))
        .values_list("left", flat=True)
        .first()
    )
    return device


def reset_two_factor(user: User, *, by: User) -> int:
    """Remove every second factor of ``user`` (a lost phone and lost codes):
    done by another administrator, recorded in the audit trail with who did
    it, and ending the person's sessions. Returns how many devices went."""
    if by.pk == user.pk:
        raise ValueError("A person cannot reset their own second factor")
    with set_actor(by), transaction.atomic():
        removed = 0
        for model in (TOTPDevice, RecoveryCodeDevice):
            for device in model.objects.filter(user=user):
                device.delete()
                removed += 1
        end_sessions(user)
    return removed


# --- sessions ---------------------------------------------------------------------


def active_sessions(user: User) -> QuerySet[UserSession]:
    """The person's log-ins whose session is still alive (one query with a
    subquery on the session store); rows of sessions that ended are left to
    :func:`forget_ended_sessions`."""
    alive = Session.objects.filter(expire_date__gt=timezone.now()).values("session_key")
    return UserSession.objects.filter(user=user, session_key__in=alive)


def forget_ended_sessions(user: User) -> None:
    """Drop the rows of the person's sessions that ended (log-out, expiry, a
    rotated key); done at each log-in, so the table stays small."""
    alive = Session.objects.filter(expire_date__gt=timezone.now()).values("session_key")
    UserSession.objects.filter(user=user).exclude(session_key__in=alive).delete()


def end_sessions(user: User, *, keep: str | None = None) -> int:
    """End every session of the person but ``keep`` (the current one, when
    they end the others themselves). Returns how many were ended."""
    rows = UserSession.objects.filter(user=user)
    if keep:
        rows = rows.exclude(session_key=keep)
    keys = list(rows.values_list("session_key", flat=True))
    ended, _ = Session.objects.filter(session_key__in=keys).delete()
    rows.delete()
    return ended
