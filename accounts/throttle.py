"""Log-in throttling that resists guessing without locking the owner out.

OWASP ASVS 5.0 6.3.1 asks for brute-force protection that cannot be turned
into a denial of service against the account's owner. Failures are stored in
the database (every worker sees the same numbers) and counted three ways over
a sliding window of ``LOGIN_COOLOFF_MINUTES``:

- **per account and client address** (the pair): after
  ``LOGIN_MAX_FAILURES`` the pair is locked, and its attempts are refused
  *without checking the password* until the oldest counted failure leaves the
  window. This stops one client guessing one person's password.
- **per account**, whatever the address: beyond ``LOGIN_MAX_FAILURES`` every
  attempt on the account is *slowed down* — checked only after a delay that
  doubles with each further failure, up to ``LOGIN_MAX_DELAY_SECONDS`` — but
  never refused. Someone guessing from many addresses is slowed; the owner,
  typing the right password from their own address, still gets in.
- **per client address**, over every account: beyond ten times the limit the
  address is slowed down the same way (password spraying), never refused, so
  that one guesser behind a shared NAT does not lock out their colleagues.

Refused attempts are not recorded, so nobody can extend a lock forever, and a
success clears only its own pair. The address comes from
:func:`accounts.services.client_ip`, which trusts ``X-Forwarded-For`` only
behind the configured proxy (``SAMSPILL_BEHIND_PROXY``).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from accounts.models import LoginFailure

IP_FACTOR = 10


@dataclass(frozen=True)
class Verdict:
    """What to do with one attempt: refuse it for ``locked_minutes`` (the
    pair is locked), or check it after ``delay_seconds``."""

    locked_minutes: int = 0
    delay_seconds: float = 0.0


def _window_start(now: datetime) -> datetime:
    return now - timedelta(minutes=settings.LOGIN_COOLOFF_MINUTES)


def _growing_delay(failures: int, free: int) -> float:
    """0 up to ``free`` failures, then 1, 2, 4 … seconds, capped."""
    if failures <= free:
        return 0.0
    return float(min(2 ** (failures - free - 1), settings.LOGIN_MAX_DELAY_SECONDS))


def check(email: str, ip_address: str | None, kind: str) -> Verdict:
    """Look up the counts for one attempt (three small indexed queries)."""
    now = timezone.now()
    limit = settings.LOGIN_MAX_FAILURES
    recent = LoginFailure.objects.filter(kind=kind, created__gte=_window_start(now))
    account = recent.filter(email=email.lower())
    pair = list(
        account.filter(ip_address=ip_address)
        .order_by("-created")
        .values_list("created", flat=True)[:limit]
    )
    if len(pair) >= limit:
        # The limit-th newest failure leaves the window first among those that count.
        until = pair[limit - 1] + timedelta(minutes=settings.LOGIN_COOLOFF_MINUTES)
        if until > now:
            return Verdict(locked_minutes=max(1, math.ceil((until - now).total_seconds() / 60)))
    delay = _growing_delay(account.count(), limit)
    if ip_address:
        delay = max(
            delay, _growing_delay(recent.filter(ip_address=ip_address).count(), limit * IP_FACTOR)
        )
    return Verdict(delay_seconds=delay)


def pause(seconds: float) -> None:
    """Wait before checking a slowed-down attempt (tests replace this)."""
    if seconds > 0:
        time.sleep(seconds)


def record_failure(email: str, ip_address: str | None, kind: str) -> None:
    now = timezone.now()
    LoginFailure.objects.filter(created__lt=_window_start(now)).delete()
    LoginFailure.objects.create(kind=kind, email=email.lower(), ip_address=ip_address, created=now)


def clear_failures(email: str, ip_address: str | None, kind: str) -> None:
    """A success forgets the failures of its own pair only: an attacker's
    lock elsewhere stays, and the account stays slowed while it is attacked."""
    LoginFailure.objects.filter(kind=kind, email=email.lower(), ip_address=ip_address).delete()
