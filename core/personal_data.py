"""What Samspill holds about one person, for them to download (the right of
access, GDPR article 15; the privacy notice says how).

Each app that stores something about people contributes a *source* in its
own ``personal_data.py``; this module finds those modules the way Django's
admin finds ``admin.py``, so core imports no app above it. A source is given
the person and returns :class:`Section` s: a key, a title, rows of plain
values, and a note saying what is held but left out and why (a password
hash, a TOTP secret: with them anyone could log in as the person).

What a section holds: the person's own account, roles and log-ins; what they
wrote (deviations they reported, messages, input, remarks, reports); and
where they are named as themselves (a seat, a vote, a follow-up they are
responsible for). It does not copy other people's texts in the same records.
The audit trail gives, for every change the person made, when, what kind of
record, which record, the names of the fields and the address it came from;
not the values, which are often other people's data.

Each source makes a fixed number of queries, whatever the number of rows:
the download's count is pinned in ``accounts/tests/test_my_data.py``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from auditlog.models import LogEntry
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.registry import Registry


@dataclass
class Section:
    key: str  # "deviations.reported"
    title: Any  # translatable
    rows: list[dict[str, Any]]
    note: Any = ""  # translatable: what is held but not included, and why

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": str(self.title),
            "note": str(self.note),
            "rows": self.rows,
        }


Source = Callable[[Any], Iterable[Section]]

_SOURCES: Registry[Source] = Registry("personal_data")


def source(function: Source) -> Source:
    """Register a source (used as a decorator in an app's ``personal_data.py``)."""
    return _SOURCES.add(function)


def collect(user: Any) -> list[Section]:
    """Every section about ``user``, in the order of the apps."""
    # The audit trail last: it is about everything above.
    sources = [f for f in _SOURCES.items() if f is not audit_trail] + [audit_trail]
    return [section for function in sources for section in function(user)]


def document(user: Any, sections: list[Section], now: datetime.datetime | None = None) -> dict:
    """The download: who, when, from where, and every section."""
    moment = now or timezone.now()
    return {
        "service": "Samspill",
        "site": settings.SITE_URL,
        "generated": moment.isoformat(),
        "person": {"full_name": user.full_name, "email": user.email},
        "about": gettext(
            "What Samspill holds about you, as of the time above. Each section says what it "
            "covers; a note says what is stored but left out of this file, and why."
        ),
        "sections": [section.as_dict() for section in sections],
    }


def when(value: datetime.datetime | datetime.date | None) -> str | None:
    """A date or a moment as ISO 8601 (moments in the site's time zone)."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat()
    return value.isoformat()


@source
def audit_trail(user: Any) -> Iterable[Section]:
    """Changes the person made (one query)."""
    entries = (
        LogEntry.objects.filter(actor=user)
        .select_related("content_type")
        .order_by("timestamp", "pk")
    )
    actions = dict(LogEntry.Action.choices)
    yield Section(
        "core.audit_trail",
        _("Changes you made (the audit trail)"),
        [
            {
                "time": when(entry.timestamp),
                "action": str(actions.get(entry.action, entry.action)),
                "record_type": entry.content_type.name,
                "record": entry.object_repr,
                "fields": sorted(entry.changes) if isinstance(entry.changes, dict) else [],
                "ip_address": entry.remote_addr,
            }
            for entry in entries
        ],
        _(
            "The values before and after each change are kept in the audit trail but not "
            "included here: they are often other people's data."
        ),
    )
