"""iCalendar feeds of meetings, and the secret links to personal feeds.

Two feeds:

- a council's public feed: the meetings its public council page shows, each
  linking to the public meeting page;
- a person's feed, reached by a secret link: the meetings of every council
  where the person has a current seat (any role), in every partnership, with
  the joint meetings of those councils, each linking to the internal meeting
  page.

Only what is public about a meeting goes into either feed: the council, the
meeting's title, its time and place (and, in the personal feed only, the video
link). Never cases, papers or decisions: a calendar program stores the feed
wherever it likes.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vDuration

from accounts.models import User
from calendars.models import CalendarToken
from councils.models import Appointment, Council, Meeting
from partnerships.models import Partnership

PRODID = "-//Samspill//Meeting calendar//EN"
# A meeting without an end time is shown as lasting this long.
DEFAULT_DURATION = datetime.timedelta(hours=2)
# How far back the personal feed reaches (it reaches forward without limit).
PERSONAL_FEED_DAYS_BACK = 365
# The same as the public council page shows (councils.public_views.council_page).
PUBLIC_FEED_MEETINGS = 30
# How often calendar programs are asked to fetch the feed again.
REFRESH_INTERVAL = datetime.timedelta(hours=6)
# secrets.token_urlsafe(32): 32 random bytes, 43 characters.
TOKEN_BYTES = 32


# --- Secret links ----------------------------------------------------------


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def active_token(user: User) -> CalendarToken | None:
    """The person's working link, if any (one query)."""
    return CalendarToken.objects.filter(user=user, revoked_at__isnull=True).first()


def _revoke(user: User, now: datetime.datetime) -> int:
    """Revoke through ``save()`` so the audit trail records who and when."""
    tokens = list(
        CalendarToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True)
    )
    for token in tokens:
        token.user = user  # for the audit trail's description, without a query
        token.revoked_at = now
        token.save(update_fields=["revoked_at"])
    return len(tokens)


def create_token(user: User) -> str:
    """A new secret link for the person; the old one stops working.

    Returns the token, which is not stored anywhere (only its hash is): show
    it to the person now or never. Two submits at once end with one working
    link: the person's row is locked while the old link is revoked and the new
    one made, and a unique constraint allows one active link per person (if
    it still trips, the attempt is made again, revoking the other one).
    """
    for attempt in range(3):
        token = secrets.token_urlsafe(TOKEN_BYTES)
        try:
            with transaction.atomic():
                User.objects.select_for_update().filter(pk=user.pk).first()
                _revoke(user, timezone.now())
                CalendarToken.objects.create(user=user, token_hash=hash_token(token))
            return token
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def revoke_tokens(user: User) -> int:
    """Revoke the person's link; returns how many were working (0 or 1)."""
    with transaction.atomic():
        return _revoke(user, timezone.now())


def user_for_token(token: str) -> User | None:
    """The active person a working link belongs to, or None.

    One query; on the first use of the day one more to record the day (so a
    calendar program fetching every few minutes does not write every time).
    """
    found = (
        CalendarToken.objects.filter(
            token_hash=hash_token(token), revoked_at__isnull=True, user__is_active=True
        )
        .select_related("user")
        .first()
    )
    if found is None:
        return None
    today = timezone.localdate()
    if found.last_used_on != today:
        # A plain UPDATE: the day of use is not a change anyone makes, and
        # the audit trail leaves it out.
        CalendarToken.objects.filter(pk=found.pk).update(last_used_on=today)
    return found.user


# --- Which meetings ----------------------------------------------------------


def public_council_meetings(council: Council) -> list[Meeting]:
    """The meetings the public council page lists: the council's own meetings
    that are not cancelled, the latest 30 (one query). Kept the same as
    ``councils.public_views.council_page``; a test compares the two."""
    return list(
        council.meetings.exclude(status=Meeting.Status.CANCELLED).order_by("-starts_at")[
            :PUBLIC_FEED_MEETINGS
        ]
    )


def personal_meetings(user: User, *, now: datetime.datetime | None = None) -> QuerySet[Meeting]:
    """Meetings of every council where the person has a current seat, in any
    partnership, and the joint meetings of those councils, from a year back on.
    Cancelled meetings stay in, marked cancelled, so calendars drop them.

    One query: the seats and the joint-meeting links are subqueries, and the
    council and partnership (needed for the links) are joined.
    """
    since = (now or timezone.now()) - datetime.timedelta(days=PERSONAL_FEED_DAYS_BACK)
    councils = Appointment.objects.current().filter(person=user).values("council_id")
    joint = Meeting.joint_with.through.objects.filter(council_id__in=councils).values("meeting_id")
    return (
        Meeting.objects.filter(Q(council_id__in=councils) | Q(pk__in=joint))
        .filter(starts_at__gte=since)
        .select_related("council__partnership")
        .order_by("starts_at")
    )


# --- Feeds -------------------------------------------------------------------


def site_host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "samspill.invalid"


def meeting_uid(meeting: Meeting) -> str:
    """Stable across fetches and feeds, so a meeting in both the public and
    the personal feed is one event in a calendar."""
    return f"meeting-{meeting.pk}@{site_host()}"


def meeting_summary(meeting: Meeting, council: Council) -> str:
    short = council.short_name or council.name
    if meeting.title:
        return f"{short}: {meeting.title}"
    return _("%(council)s meeting") % {"council": short}


def meeting_event(
    meeting: Meeting,
    council: Council,
    *,
    url: str,
    video_url: str = "",
    stamp: datetime.datetime,
) -> Event:
    """One VEVENT: times in UTC, and nothing but public facts about the
    meeting (plus the video link when the caller gives it)."""
    starts = meeting.starts_at.astimezone(datetime.UTC)
    ends = (meeting.ends_at or meeting.starts_at + DEFAULT_DURATION).astimezone(datetime.UTC)
    location = ", ".join(part for part in (meeting.location, video_url) if part)
    lines = [_("About the meeting: %(url)s") % {"url": url}]
    if video_url:
        lines.append(_("Video link: %(url)s") % {"url": video_url})
    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("dtstamp", stamp)
    event.add("dtstart", starts)
    event.add("dtend", ends)
    event.add("summary", meeting_summary(meeting, council))
    if location:
        event.add("location", location)
    event.add("url", url)
    event.add("description", "\n".join(lines))
    # The meeting's version goes up with every saved change (a move, a new
    # place, a status), so a changed meeting replaces the event calendars
    # already have (same UID, higher SEQUENCE: RFC 5545, 3.8.7.4).
    event.add("sequence", meeting.version)
    cancelled = meeting.status == Meeting.Status.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def _calendar(name: str, events: Iterable[Event]) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("name", name)
    calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    # The same for Outlook, which reads only the older, unofficial property.
    calendar.add("x-published-ttl", vDuration(REFRESH_INTERVAL))
    for event in events:
        calendar.add_component(event)
    return calendar.to_ical()


def public_feed_url(partnership: Partnership, council: Council) -> str:
    return settings.SITE_URL + reverse(
        "public_calendars:council", args=[partnership.slug, council.slug]
    )


def personal_feed_url(token: str) -> str:
    return settings.SITE_URL + reverse("calendars:feed", args=[token])


def council_feed(partnership: Partnership, council: Council) -> bytes:
    """The public feed of one council (one query: its meetings)."""
    stamp = timezone.now()
    events = [
        meeting_event(
            meeting,
            council,
            url=settings.SITE_URL
            + reverse("public_councils:meeting", args=[partnership.slug, council.slug, meeting.pk]),
            stamp=stamp,
        )
        for meeting in public_council_meetings(council)
    ]
    return _calendar(f"{council.short_name or council.name} – {partnership.name}", events)


def personal_feed(user: User) -> bytes:
    """A person's own feed (one query: the meetings)."""
    stamp = timezone.now()
    events = [
        meeting_event(
            meeting,
            meeting.council,
            url=settings.SITE_URL
            + reverse("councils:meeting", args=[meeting.council.partnership.slug, meeting.pk]),
            video_url=meeting.video_url,
            stamp=stamp,
        )
        for meeting in personal_meetings(user, now=stamp)
    ]
    return _calendar(_("My meetings – Samspill"), events)
