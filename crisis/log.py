"""The crisis log: the significant events of a crisis, kept by the
secretariat, each of which can be turned into an action followed up in the
follow-up module (origin: crisis log, linked back to the entry)."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from core.validators import validate_no_identity_number
from crisis.models import Crisis, LogEntry
from partnerships.models import Organisation


def add_log_entry(
    crisis: Crisis,
    *,
    text: str,
    by: Any,
    occurred_at: datetime.datetime | None = None,
    client_key: uuid.UUID | None = None,
) -> LogEntry:
    """Log a significant event. A repeated ``client_key`` returns the entry
    the first request made."""
    if client_key is not None:
        done = LogEntry.objects.filter(crisis=crisis, client_key=client_key).first()
        if done is not None:
            return done
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write what happened.")})
    validate_no_identity_number(text)
    entry = LogEntry(
        crisis=crisis,
        text=text,
        occurred_at=occurred_at or timezone.now(),
        by=by if getattr(by, "pk", None) else None,
        client_key=client_key,
    )
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        done = LogEntry.objects.filter(crisis=crisis, client_key=client_key).first()
        if client_key is None or done is None:
            raise
        return done
    return entry


def log_followup(
    entry: LogEntry,
    *,
    title: str,
    by: Any,
    responsible_organisation: Organisation | None = None,
    deadline: datetime.date | None = None,
    client_key: uuid.UUID | None = None,
) -> Any:
    """An action arising from a log entry, followed up in the follow-up
    module (origin: crisis log), linked back to the log."""
    from followups.models import FollowUp
    from followups.services import create_followup

    crisis = entry.crisis
    partnership = crisis.partnership
    return create_followup(
        partnership=partnership,
        title=title,
        by=by,
        origin=FollowUp.Origin.CRISIS,
        origin_group=crisis.name,
        source=entry,
        source_label=_("Crisis log %(crisis)s, %(date)s")
        % {
            "crisis": crisis.name,
            "date": formats.date_format(
                timezone.localtime(entry.occurred_at).date(), "SHORT_DATE_FORMAT"
            ),
        },
        source_url=reverse("crisis:log", args=[partnership.slug, crisis.pk]) + f"#entry-{entry.pk}",
        responsible_organisation=responsible_organisation,
        deadline=deadline,
        client_key=client_key,
    )
