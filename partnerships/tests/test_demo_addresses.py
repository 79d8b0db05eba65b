"""The demo's e-mail addresses are written as real ones are: ASCII only
(Meråker's coordinating unit is at meraker, not meråker)."""

from __future__ import annotations

from typing import Any

from accounts.models import User
from partnerships.models import Contact


def test_every_demo_address_is_ascii(people: Any) -> None:
    addresses = list(User.objects.values_list("email", flat=True)) + list(
        Contact.objects.exclude(email="").values_list("email", flat=True)
    )
    assert len(addresses) > 50
    assert [a for a in addresses if not a.isascii()] == []
    assert "koordinerende.enhet@meraker.example" in addresses
