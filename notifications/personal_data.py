"""The person's choice of e-mail notifications and the notifications made for
them, for the person's download (see :mod:`core.personal_data`). Two
queries."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext_lazy as _

from core.personal_data import Section, source, when
from notifications.models import Notification, NotificationPreference


@source
def notifications(user: Any) -> Iterator[Section]:
    yield Section(
        "notifications.preference",
        _("Your choice of e-mail notifications"),
        [
            {"delivery": str(p.get_delivery_display()), "changed": when(p.updated)}
            for p in NotificationPreference.objects.filter(user=user)
        ],
    )
    sent = (
        Notification.objects.filter(user=user)
        .select_related("partnership")
        .order_by("created", "pk")
    )
    yield Section(
        "notifications.notifications",
        _("Notifications to you"),
        [
            {
                "partnership": n.partnership.name,
                "kind": str(n.get_kind_display()),
                "headline": n.headline,
                "link": n.path,
                "created": when(n.created),
                "e_mailed": when(n.sent_at),
            }
            for n in sent
        ],
    )
