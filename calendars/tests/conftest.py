"""Helpers the calendar tests share: reading a feed back as iCalendar."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.test import Client
from icalendar import Calendar, Event

from calendars import services
from councils.models import Council, Meeting


def parse(response: Any) -> Calendar:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def events(response: Any) -> dict[str, Event]:
    """The feed's events by UID (and no UID twice)."""
    found = parse(response).events
    by_uid = {str(e["uid"]): e for e in found}
    assert len(by_uid) == len(found)
    return by_uid


def uid(meeting: Meeting) -> str:
    host = settings.SITE_URL.split("://", 1)[1].split(":")[0].split("/")[0]
    return f"meeting-{meeting.pk}@{host}"


def council(slug: str, partnership: str = "hnt") -> Council:
    return Council.objects.get(partnership__slug=partnership, slug=slug)


def personal_url(user: Any) -> str:
    """A new secret link for the person, as a path."""
    token = services.create_token(user)
    return f"/kalender/{token}.ics"


def site_path(url: str) -> str:
    assert url.startswith(settings.SITE_URL + "/")
    return url[len(settings.SITE_URL) :]


def fetch(url: str) -> Any:
    """As a calendar program fetches: no session, no cookies."""
    return Client().get(url)
