"""The person's calendar links, for their download (see
:mod:`core.personal_data`). One query."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext_lazy as _

from calendars.models import CalendarToken
from core.personal_data import Section, source, when


@source
def calendar_links(user: Any) -> Iterator[Section]:
    yield Section(
        "calendars.links",
        _("Calendar links"),
        [
            {
                "created": when(t.created),
                "last_used": when(t.last_used_on),
                "revoked": when(t.revoked_at),
            }
            for t in CalendarToken.objects.filter(user=user).order_by("created", "pk")
        ],
        _("A link itself is stored only as a hash, which is not included."),
    )
