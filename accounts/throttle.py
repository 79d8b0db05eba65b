"""Login throttling with a cool-off, stored in the database.

Failures are counted per e-mail address (and, more generously, per IP address)
over a sliding window of ``LOGIN_COOLOFF_MINUTES``. Once the count reaches
``LOGIN_MAX_FAILURES`` further attempts are refused *without checking the
password* until the oldest counted failure leaves the window. Refused attempts
are not recorded, so an attacker cannot extend the block forever and a person
is never locked out permanently. The database (not a per-process cache) holds
the count so every worker of a production server sees the same numbers.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from accounts.models import LoginFailure

IP_FACTOR = 10


def _window_start(now: datetime) -> datetime:
    return now - timedelta(minutes=settings.LOGIN_COOLOFF_MINUTES)


def _blocked_until(failure_times: list[datetime], limit: int) -> datetime | None:
    if len(failure_times) < limit:
        return None
    # The limit-th newest failure leaves the window first among those that count.
    return failure_times[limit - 1] + timedelta(minutes=settings.LOGIN_COOLOFF_MINUTES)


def minutes_until_allowed(email: str, ip_address: str | None, kind: str) -> int:
    """0 when an attempt may go ahead, otherwise whole minutes to wait."""
    now = timezone.now()
    start = _window_start(now)
    limit = settings.LOGIN_MAX_FAILURES
    recent = LoginFailure.objects.filter(kind=kind, created__gte=start).order_by("-created")
    by_email = list(recent.filter(email=email.lower()).values_list("created", flat=True)[:limit])
    until = _blocked_until(by_email, limit)
    if ip_address:
        ip_limit = limit * IP_FACTOR
        by_ip = list(
            recent.filter(ip_address=ip_address).values_list("created", flat=True)[:ip_limit]
        )
        ip_until = _blocked_until(by_ip, ip_limit)
        if ip_until and (until is None or ip_until > until):
            until = ip_until
    if until is None or until <= now:
        return 0
    return max(1, math.ceil((until - now).total_seconds() / 60))


def record_failure(email: str, ip_address: str | None, kind: str) -> None:
    now = timezone.now()
    LoginFailure.objects.filter(created__lt=_window_start(now)).delete()
    LoginFailure.objects.create(kind=kind, email=email.lower(), ip_address=ip_address, created=now)


def clear_failures(email: str, kind: str) -> None:
    LoginFailure.objects.filter(kind=kind, email=email.lower()).delete()
