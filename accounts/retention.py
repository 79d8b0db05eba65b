"""Accounts' retention rule (see :mod:`core.retention`): sessions that ended.

A session ends by log-out, by the idle timeout (``SAMSPILL_IDLE_TIMEOUT_MINUTES``)
or when the person ends it elsewhere. Its row in Django's session store and
our record of it (time, address, browser) serve nothing after that; a log-in
forgets the person's own ended sessions, but a person who never logs in again
would keep them for ever. Failed log-in attempts need no rule: the throttle
deletes them once the cool-off window has passed.
"""

from __future__ import annotations

from django.contrib.sessions.models import Session

from accounts.models import UserSession
from core.retention import Context, rule


@rule("accounts.ended_sessions", "Records of sessions that have ended are deleted.")
def ended_sessions(context: Context) -> int:
    expired = Session.objects.filter(expire_date__lte=context.now)
    alive = Session.objects.filter(expire_date__gt=context.now).values("session_key")
    records = UserSession.objects.exclude(session_key__in=alive)
    if context.dry_run:
        return expired.count() + records.count()
    forgotten, _by_model = records.delete()
    cleared, _by_model = expired.delete()
    return forgotten + cleared
