"""Helpers the notification tests share."""

from __future__ import annotations

from typing import Any

from django.core import mail

from accounts.models import User


def bodies_by_recipient() -> dict[str, Any]:
    """Outbox messages by address; fails if anyone got two."""
    result: dict[str, Any] = {}
    for message in mail.outbox:
        (address,) = message.to
        assert address not in result, f"{address} got more than one e-mail"
        result[address] = message
    return result


def make_users(count: int, *, prefix: str = "person") -> list[User]:
    return [
        User.objects.create_user(email=f"{prefix}{i}@example.no", full_name=f"Person {i}")
        for i in range(count)
    ]
