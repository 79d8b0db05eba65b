from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def shell(request: HttpRequest) -> dict[str, Any]:
    """What the base layout needs on every page: the partnership and what the
    person may do there (resolved once per request by the middleware)."""
    return {
        "partnership": getattr(request, "partnership", None),
        "access": getattr(request, "access", None),
    }
