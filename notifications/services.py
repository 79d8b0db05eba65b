"""Notifications: record them, e-mail them (links only), one digest a day.

The public API other apps call:

- :func:`notify` — one notification of one kind to several people (a notice
  published to a council's members, minutes for approval …).
- :func:`notify_many` — several notifications at once, e.g. one per
  follow-up per responsible person; each person whose preference is
  immediate still gets *one* e-mail listing all of theirs.
- :func:`send_digests` — the daily run (``manage.py
  send_notification_digest``).

E-mails carry the kind, the headline and a link, nothing else: the content
(case papers, minutes, descriptions, log text) is confidential and is read in
Samspill after logging in. Headlines must therefore say *what* happened in
words that may be e-mailed ("ASU 12.03.2026: notice published"), never the
content itself.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import functools
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from core.validators import validate_no_identity_number
from followups.models import validate_site_relative_url
from notifications.models import Notification, NotificationPreference
from partnerships.models import Partnership

Kind = Notification.Kind
Delivery = NotificationPreference.Delivery


_quiet: contextvars.ContextVar[bool] = contextvars.ContextVar("notifications_quiet", default=False)


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Record and send nothing inside this block: for building demo data,
    where nobody is to be told about meetings that never happened."""
    token = _quiet.set(True)
    try:
        yield
    finally:
        _quiet.reset(token)


@dataclass(frozen=True)
class Item:
    """One notification to record: for :func:`notify_many`."""

    user: User
    kind: str
    partnership: Partnership
    headline: str
    path: str


def notify(
    kind: str,
    users: Iterable[User],
    *,
    partnership: Partnership,
    headline: str,
    path: str,
) -> int:
    """Notify ``users`` that something of ``kind`` happened; returns how many
    notifications were recorded (or refreshed).

    - ``kind``: a :class:`Notification.Kind` value.
    - ``users``: the people to notify; inactive people and repeats are
      skipped.
    - ``partnership``: where it happened.
    - ``headline``: a short, non-confidential line ("PSU 12.03.2026: notice
      published"), stored and e-mailed as plain text (newlines become
      spaces, cut at 300 characters). Raises ``ValidationError`` if it holds
      what looks like an identity number.
    - ``path``: the site-relative link to the thing (``/hnt/intern/…``);
      anything else raises ``ValidationError``.

    A person who still has an unsent notification of the same kind and link
    gets that one refreshed (new headline and time) instead of a second.
    Once the caller's transaction commits, everyone whose preference is
    immediate is e-mailed; the others get it in the next daily digest. A
    constant number of queries, whatever the number of people.
    """
    return notify_many(
        Item(user=user, kind=kind, partnership=partnership, headline=headline, path=path)
        for user in users
    )


def notify_many(items: Iterable[Item]) -> int:
    """Record several notifications at once, as :func:`notify` does for one.

    After the transaction commits, each person whose preference is immediate
    gets one e-mail listing all of their unsent notifications, however many
    items were theirs. Returns how many notifications were recorded (or
    refreshed). Queries: the unsent notifications that match, one bulk
    update, one bulk insert (and, after the commit, one select and one
    update for the e-mails).
    """
    if _quiet.get():
        return 0
    wanted: dict[tuple[int, str, str], Item] = {}
    for item in items:
        if not item.user.is_active:
            continue
        clean = _cleaned(item)
        wanted[(clean.user.pk, clean.kind, clean.path)] = clean
    if not wanted:
        return 0
    recorded = len(wanted)
    user_ids = {user_id for user_id, _kind, _path in wanted}
    now = timezone.now()
    with transaction.atomic():
        existing = (
            Notification.objects.select_for_update()
            .filter(
                user_id__in=user_ids,
                kind__in={kind for _user, kind, _path in wanted},
                path__in={path for _user, _kind, path in wanted},
                sent_at__isnull=True,
            )
            .only("pk", "user_id", "kind", "path")
        )
        refreshed = []
        for notification in existing:
            match = wanted.pop((notification.user_id, notification.kind, notification.path), None)
            if match is not None:
                notification.headline = match.headline
                notification.partnership = match.partnership
                notification.created = now
                refreshed.append(notification)
        if refreshed:
            Notification.objects.bulk_update(refreshed, ["headline", "partnership", "created"])
        if wanted:
            # ignore_conflicts: if another transaction recorded the same
            # unsent notification in between, that one stands.
            Notification.objects.bulk_create(
                [
                    Notification(
                        user=item.user,
                        partnership=item.partnership,
                        kind=item.kind,
                        headline=item.headline,
                        path=item.path,
                        created=now,
                    )
                    for item in wanted.values()
                ],
                ignore_conflicts=True,
            )
        # robust: a mail server that is down must not fail the caller's
        # request; the notifications stay unsent and go with the digest.
        transaction.on_commit(functools.partial(_send_immediate, user_ids), robust=True)
    return recorded


def _cleaned(item: Item) -> Item:
    """The item with its headline on one line and cut to size, after the
    checks (bulk inserts skip the identity-number guard's pre_save hook, so
    the headline is checked here)."""
    if item.kind not in Kind.values:
        raise ValueError(f"Unknown notification kind: {item.kind!r}")
    if not item.path:
        raise ValidationError(_("A notification needs a link."), code="required")
    validate_site_relative_url(item.path)
    headline = " ".join(item.headline.split())
    headline = Truncator(headline).chars(Notification.HEADLINE_MAX_LENGTH)
    validate_no_identity_number(headline)
    return Item(
        user=item.user,
        kind=item.kind,
        partnership=item.partnership,
        headline=headline,
        path=item.path,
    )


def _send_immediate(user_ids: Collection[int]) -> int:
    """E-mail the unsent notifications of those of ``user_ids`` whose
    preference is immediate: one e-mail per person. Returns how many e-mails.
    Run by :func:`notify_many` after the commit."""
    digest_users = NotificationPreference.objects.filter(delivery=Delivery.DIGEST).values("user_id")
    return _send_pending(
        Q(user_id__in=list(user_ids)) & ~Q(user_id__in=digest_users),
        now=timezone.now(),
        digest=False,
    )


def send_digests(now: datetime.datetime | None = None) -> int:
    """The daily digest: one e-mail per person with all their unsent
    notifications; returns how many e-mails.

    That is everyone who chose the digest, and also anyone with immediate
    e-mails whose notifications are still waiting (recorded while they had
    the digest, or whose immediate e-mail never went out), so nothing waits
    for ever. The notifications are marked sent in the same transaction that
    selects them (rows locked on PostgreSQL), so a second run sends nothing
    new and an immediate e-mail racing with it sends nothing twice.
    """
    return _send_pending(Q(), now=now or timezone.now(), digest=True)


def _send_pending(condition: Q, *, now: datetime.datetime, digest: bool) -> int:
    with transaction.atomic():
        pending = list(
            Notification.objects.select_for_update(of=("self",))
            .filter(condition, sent_at__isnull=True, user__is_active=True)
            .select_related("user")
            .order_by("user_id", "created", "pk")
        )
        Notification.objects.filter(pk__in=[n.pk for n in pending]).update(sent_at=now)
    per_person: dict[int, list[Notification]] = {}
    for notification in pending:
        per_person.setdefault(notification.user_id, []).append(notification)
    messages = [_message(items[0].user, items, digest=digest) for items in per_person.values()]
    if messages:
        mail.mailers.default.send_messages(messages)
    return len(messages)


def _message(user: User, notifications: list[Notification], *, digest: bool) -> mail.EmailMessage:
    # E-mails are written in the site's language (a command has no request).
    # Plain text: the headline is never rendered as HTML or as a template.
    with translation.override(settings.LANGUAGE_CODE):
        count = len(notifications)
        lines = []
        for notification in notifications:
            lines.append(f"- {notification.get_kind_display()}: {notification.headline}")
            lines.append(f"  {settings.SITE_URL}{notification.path}")
        if digest:
            subject = ngettext(
                "Samspill daily digest: %(count)d notification",
                "Samspill daily digest: %(count)d notifications",
                count,
            ) % {"count": count}
            intro = _("Your daily summary of what needs your attention in Samspill:")
        else:
            if count == 1:
                subject = _("Samspill: %(kind)s") % {"kind": notifications[0].get_kind_display()}
            else:
                subject = ngettext(
                    "Samspill: %(count)d new notification",
                    "Samspill: %(count)d new notifications",
                    count,
                ) % {"count": count}
            intro = _("This needs your attention in Samspill:")
        body = _(
            "Hello %(name)s,\n\n%(intro)s\n\n%(list)s\n\n"
            "Open the links and log in to read more. For confidentiality, the "
            "content is not sent by e-mail.\n\n"
            "To choose between an e-mail at once and a daily digest, go to %(preferences)s"
        ) % {
            "name": user.full_name or user.email,
            "intro": intro,
            "list": "\n".join(lines),
            "preferences": settings.SITE_URL + reverse("notifications:preferences"),
        }
    return mail.EmailMessage(subject, body, None, [user.email])


def preference_for(user: User) -> NotificationPreference:
    """The person's preference; an unsaved default (immediate) if they never
    chose (preferences are created the first time someone saves one)."""
    found = NotificationPreference.objects.filter(user=user).first()
    return found or NotificationPreference(user=user)


def set_delivery(user: User, delivery: str) -> NotificationPreference:
    """Save the person's choice: a :class:`NotificationPreference.Delivery`
    value."""
    if delivery not in Delivery.values:
        raise ValueError(f"Unknown delivery: {delivery!r}")
    preference, _created = NotificationPreference.objects.update_or_create(
        user=user, defaults={"delivery": delivery}
    )
    return preference
