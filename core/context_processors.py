from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def shell(request: HttpRequest) -> dict[str, Any]:
    """What the base layout needs on every page: the partnership and what the
    person may do there (resolved once per request by the middleware)."""
    return {
        "partnership": getattr(request, "partnership", None),
        "access": getattr(request, "access", None),
        "session_warning": session_warning,
    }


def session_warning() -> dict[str, int]:
    """When an idle session ends and how long before that the person is
    warned and can stay logged in (WCAG 2.2.1: at least 20 seconds; here two
    minutes, or half the idle time when that is shorter). Called by the
    template only for a logged-in person."""
    idle = settings.SESSION_COOKIE_AGE
    warn = min(120, idle // 2)
    return {"idle_seconds": idle, "warn_seconds": warn, "warn_minutes": max(1, warn // 60)}
