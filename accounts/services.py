"""Log-in rules shared by the password flow, two-factor flow and (later) SSO."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib import auth
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User

PENDING_KEY = "samspill_pending_login"
PENDING_SECONDS = 300


def requires_two_factor(user: Any) -> bool:
    """Secretariat members, administrators and superusers must use TOTP."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
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


def start_pending_login(request: HttpRequest, user: User) -> None:
    """Remember who passed the first factor, for a few minutes only."""
    request.session[PENDING_KEY] = {"user_id": user.pk, "at": int(time.time())}


def pending_user(request: HttpRequest) -> User | None:
    data = request.session.get(PENDING_KEY)
    if not data or int(time.time()) - int(data.get("at", 0)) > PENDING_SECONDS:
        return None
    return User.objects.filter(pk=data["user_id"], is_active=True).first()


def complete_login(request: HttpRequest, user: User, device: TOTPDevice | None = None) -> None:
    """The one place a person becomes logged in, whatever the way in.

    ``auth.login`` rotates the session key, so a session id seen before the
    login is worthless after it.
    """
    request.session.pop(PENDING_KEY, None)
    auth.login(request, user, backend="accounts.backends.EmailBackend")
    if device is not None:
        otp_login(request, device)
