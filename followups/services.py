"""Business rules for follow-ups: creating them, the status workflow, the log
and the reminders.

Called from views, other apps (councils today; deviations, action plans and
the crisis log later), management commands and tests alike. The status of a
follow-up changes only through :data:`TRANSITIONS`.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import User
from core.services import save_versioned
from core.validators import validate_no_identity_number
from followups.models import FollowUp, FollowUpLogEntry
from notifications import services as notifications
from partnerships.access import memberships_in, participating_organisations, people_who_may
from partnerships.capabilities import Capability
from partnerships.models import Organisation, Partnership

Status = FollowUp.Status

# The workflow, in one place: from each status, the statuses that may follow.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.PLANNED: frozenset({Status.IN_PROGRESS, Status.DONE, Status.CANCELLED}),
    Status.IN_PROGRESS: frozenset({Status.DONE, Status.CANCELLED, Status.PLANNED}),
    Status.DONE: frozenset({Status.IN_PROGRESS}),  # reopen
    Status.CANCELLED: frozenset({Status.PLANNED}),
}

# Of those steps, the ones the responsible party (or person) takes too: it
# does the work, so it starts it and says when it is done. Cancelling and
# reopening change what the council decided gets done, so they stay with
# the secretariat, which sees a done follow-up in the list and can reopen it.
RESPONSIBLE_STEPS: frozenset[tuple[str, str]] = frozenset(
    {
        (Status.PLANNED, Status.IN_PROGRESS),
        (Status.PLANNED, Status.DONE),
        (Status.IN_PROGRESS, Status.DONE),
    }
)

# The fields a person edits on the edit form; status and progress are not
# among them (they change through change_status and add_log_entry).
EDITABLE_FIELDS = frozenset(
    {
        "title",
        "description",
        "responsible_organisation",
        "responsible_person",
        "deadline",
        "review_date",
    }
)

# Reminders go out when the deadline is this close, or past.
REMINDER_DAYS_BEFORE_DEADLINE = 7


def allowed_next(status: str, *, manager: bool = True) -> list[str]:
    """The statuses that may follow ``status``, in the order of the choices:
    all of them for the secretariat, :data:`RESPONSIBLE_STEPS` for the
    responsible party."""
    following = TRANSITIONS.get(status, frozenset())
    return [
        value
        for value in Status.values
        if value in following and (manager or (status, value) in RESPONSIBLE_STEPS)
    ]


def check_transition(old: str, new: str) -> None:
    """Raise a ValidationError naming both statuses unless the table allows it."""
    if new not in TRANSITIONS.get(old, frozenset()):
        raise ValidationError(
            _("A follow-up cannot go from “%(old)s” to “%(new)s”.")
            % {"old": _status_label(old), "new": _status_label(new)},
            code="transition",
        )


def _status_label(value: str) -> str:
    return str(dict(Status.choices).get(value, value))


def _apply_status(followup: FollowUp, new_status: str) -> str:
    """Move ``followup`` to ``new_status`` in memory (checked against the
    table); returns the old status. Closing stamps ``closed_at``, reopening
    clears it, and done means 100 % progress."""
    old = followup.status
    check_transition(old, new_status)
    followup.status = new_status
    if new_status in FollowUp.CLOSED_STATUSES:
        followup.closed_at = timezone.now()
    else:
        followup.closed_at = None
    if new_status == Status.DONE:
        followup.progress = 100
    return old


def create_followup(
    *,
    partnership: Partnership,
    title: str,
    by: User | None,
    origin: str = FollowUp.Origin.OTHER,
    origin_group: str = "",
    source: models.Model | None = None,
    source_label: str = "",
    source_url: str = "",
    responsible_organisation: Organisation | None = None,
    responsible_person: User | None = None,
    deadline: datetime.date | None = None,
    review_date: datetime.date | None = None,
    description: str = "",
    client_key: uuid.UUID | None = None,
) -> FollowUp:
    """Create a follow-up in ``partnership``: the public API other apps call.

    - ``by``: the person creating it (``None`` for the system); recorded as
      ``created_by`` and, through the audit log's middleware, as the actor.
    - ``origin`` (a :class:`FollowUp.Origin` value) says what kind of thing it
      follows up; ``origin_group`` groups follow-ups for filtering, e.g. the
      council's name ("PSU").
    - ``source`` is the object it follows up (a decision, a deviation …), any
      saved model instance with an integer primary key; it is stored as a
      generic relation (content type + id) and read back as
      ``followup.source``, so this app imports nothing from its callers.
      ``source_label`` ("PSU · møte 12.03.2026 · sak 26/004") and
      ``source_url`` (a site-relative link such as ``/hnt/intern/rad/…``) are
      what the pages show, so they never load the source objects.
    - ``responsible_organisation`` must take part in the partnership;
      ``responsible_person`` must have a current membership in one of its
      organisations.
    - ``client_key``: an idempotency key. A second call with the same key in
      the same partnership returns the first follow-up instead of creating
      another (a double submit, or two requests racing).

    Raises ``ValidationError`` (with field names) on invalid values, including
    free text with an identity number. The follow-up starts as planned with
    0 % progress.
    """
    if client_key is not None:
        existing = find_by_client_key(partnership, client_key)
        if existing is not None:
            return existing
    followup = FollowUp(
        partnership=partnership,
        title=title.strip(),
        description=description.strip(),
        origin=origin,
        origin_group=origin_group.strip(),
        source_label=source_label.strip(),
        source_url=source_url.strip(),
        responsible_organisation=responsible_organisation,
        responsible_person=responsible_person,
        deadline=deadline,
        review_date=review_date,
        created_by=by,
        client_key=client_key,
    )
    if source is not None:
        if source.pk is None:
            raise ValueError("The source of a follow-up must be saved first.")
        followup.source_content_type = ContentType.objects.get_for_model(source)
        followup.source_object_id = source.pk
    _check_responsible(followup)
    followup.full_clean(
        exclude=[
            "partnership",
            "responsible_organisation",
            "responsible_person",
            "created_by",
            "source_content_type",
        ],
        validate_unique=False,
        validate_constraints=False,
    )
    try:
        with transaction.atomic():
            followup.save()
    except IntegrityError:
        # The same form submitted twice at once: the other request won.
        existing = find_by_client_key(partnership, client_key) if client_key else None
        if existing is None:
            raise
        return existing
    return followup


def find_by_client_key(partnership: Partnership, client_key: uuid.UUID) -> FollowUp | None:
    return FollowUp.objects.filter(partnership=partnership, client_key=client_key).first()


def _check_responsible(followup: FollowUp) -> None:
    partnership = followup.partnership
    errors = {}
    organisation_id = followup.responsible_organisation_id
    if (
        organisation_id is not None
        and not participating_organisations(partnership).filter(pk=organisation_id).exists()
    ):
        errors["responsible_organisation"] = _(
            "The responsible party must take part in the partnership."
        )
    person_id = followup.responsible_person_id
    if person_id is not None and not (
        memberships_in(partnership).current().filter(user_id=person_id).exists()
    ):
        errors["responsible_person"] = _(
            "The responsible person must belong to one of the partnership's organisations."
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def change_status(
    followup: FollowUp,
    new_status: str,
    *,
    by: User | None,
    expected_version: int,
    comment: str = "",
) -> FollowUp:
    """Move the follow-up to ``new_status`` if :data:`TRANSITIONS` allows it.

    Refused transitions raise ``ValidationError`` naming both statuses; a
    save from an old version raises :class:`core.services.EditConflict`. The
    change is written to the log with the comment.
    """
    comment = comment.strip()
    validate_no_identity_number(comment)
    old = _apply_status(followup, new_status)
    save_versioned(followup, expected_version, ["status", "closed_at", "progress"])
    FollowUpLogEntry.objects.create(
        followup=followup,
        text=comment,
        status_from=old,
        status_to=new_status,
        progress=followup.progress if new_status == Status.DONE else None,
        author=by,
    )
    return followup


@transaction.atomic
def add_log_entry(
    followup: FollowUp,
    *,
    by: User | None,
    text: str,
    progress: int | None = None,
    date: datetime.date | None = None,
) -> FollowUpLogEntry:
    """Add a dated remark, optionally reporting progress (0–100).

    Reported progress becomes the follow-up's progress; progress above 0 on a
    planned follow-up moves it to in progress (through the transition table,
    recorded on the same entry). Progress cannot be reported on a closed
    follow-up (reopen it first), and the date cannot be in the future.

    This is a report, not an edit of a form someone started earlier, so it
    takes no expected version: it locks the row and applies on top of the
    current state, and bumps the version so a status form opened before it
    is refused as stale.
    """
    text = text.strip()
    today = timezone.localdate()
    errors: dict[str, str] = {}
    if not text:
        errors["text"] = _("Write what was done or decided.")
    if progress is not None and not 0 <= progress <= 100:
        errors["progress"] = _("Progress is a percentage from 0 to 100.")
    if date is not None and date > today:
        errors["date"] = _("The date cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    validate_no_identity_number(text)
    locked = FollowUp.objects.select_for_update().get(pk=followup.pk)
    entry = FollowUpLogEntry(
        followup=locked, text=text, progress=progress, date=date or today, author=by
    )
    if progress is not None:
        if not locked.is_open:
            raise ValidationError(
                {
                    "progress": _(
                        "This follow-up is closed (%(status)s). Reopen it before "
                        "reporting progress."
                    )
                    % {"status": locked.get_status_display()}
                }
            )
        locked.progress = progress
        if locked.status == Status.PLANNED and progress > 0:
            entry.status_from = _apply_status(locked, Status.IN_PROGRESS)
            entry.status_to = Status.IN_PROGRESS
        locked.version += 1
        locked.save(update_fields=["progress", "status", "closed_at", "version"])
        for name in ("progress", "status", "closed_at", "version"):
            setattr(followup, name, getattr(locked, name))
    entry.save()
    return entry


def update_followup(followup: FollowUp, data: Mapping[str, Any], expected_version: int) -> FollowUp:
    """Save an edit of the fields in :data:`EDITABLE_FIELDS`, refused
    (:class:`core.services.EditConflict`) when someone saved in between."""
    unknown = set(data) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"Not editable here: {', '.join(sorted(unknown))}")
    for name, value in data.items():
        setattr(followup, name, value)
    _check_responsible(followup)
    return save_versioned(followup, expected_version, list(data))  # type: ignore[return-value]


def overdue(partnership: Partnership) -> QuerySet[FollowUp]:
    """Open follow-ups of the partnership whose deadline has passed."""
    return FollowUp.objects.filter(
        partnership=partnership,
        status__in=FollowUp.OPEN_STATUSES,
        deadline__lt=timezone.localdate(),
    )


def due_for_reminder(today: datetime.date) -> QuerySet[FollowUp]:
    """Open follow-ups (in every partnership) whose deadline is at most
    :data:`REMINDER_DAYS_BEFORE_DEADLINE` days away or past, or whose review
    date has come, and that have not been reminded of ``today``."""
    soon = today + datetime.timedelta(days=REMINDER_DAYS_BEFORE_DEADLINE)
    return (
        FollowUp.objects.filter(status__in=FollowUp.OPEN_STATUSES)
        .filter(Q(deadline__lte=soon) | Q(review_date__lte=today))
        .filter(Q(last_reminded_on__isnull=True) | Q(last_reminded_on__lt=today))
    )


def send_reminders(today: datetime.date) -> int:
    """Remind people of :func:`due_for_reminder`; returns how many people.

    Each follow-up goes to its responsible person, or, without one, to the
    current coordinators of the responsible party, as a "follow-up due or
    overdue" notification (:func:`notifications.services.notify_many`):
    title, deadline or review date and link only — descriptions and log text
    are confidential and never e-mailed. Each person gets it as they chose:
    one e-mail listing all their follow-ups right after this run, or in the
    daily digest. The follow-ups are marked as reminded in the same
    transaction that selects them (rows locked on PostgreSQL), so a second
    run the same day reminds nobody again.
    """
    with transaction.atomic():
        due = list(
            due_for_reminder(today)
            .select_for_update(of=("self",))
            .select_related("partnership", "responsible_person")
            .order_by("deadline", "pk")
        )
        recipients = _recipients(due, today)
        reminded = [f.pk for f in due if recipients.get(f.pk)]
        FollowUp.objects.filter(pk__in=reminded).update(last_reminded_on=today)
        # Headlines are stored in the site's language (a command has no request).
        with translation.override(settings.LANGUAGE_CODE):
            items = [
                notifications.Item(
                    user=user,
                    kind=notifications.Kind.FOLLOWUP_DUE,
                    partnership=followup.partnership,
                    headline=f"{followup.title} ({_reason(followup, today)})",
                    path=reverse("followups:detail", args=[followup.partnership.slug, followup.pk]),
                )
                for followup in due
                for user in recipients.get(followup.pk, [])
            ]
        notifications.notify_many(items)
    return len({item.user.pk for item in items})


def _recipients(due: list[FollowUp], today: datetime.date) -> dict[int, list[User]]:
    """Follow-up id → the people to remind (one query for all coordinators)."""
    organisation_ids = {
        f.responsible_organisation_id
        for f in due
        if f.responsible_person is None and f.responsible_organisation_id is not None
    }
    # The party's coordinating unit, when nobody in particular is responsible.
    coordinators = people_who_may(Capability.COORDINATE_PARTY, organisation_ids, on=today)
    result: dict[int, list[User]] = {}
    for followup in due:
        person = followup.responsible_person
        if person is not None:
            result[followup.pk] = [person] if person.is_active else []
        elif followup.responsible_organisation_id is not None:
            result[followup.pk] = coordinators.get(followup.responsible_organisation_id, [])
    return result


def _reason(followup: FollowUp, today: datetime.date) -> str:
    deadline = followup.deadline
    if deadline is not None and deadline < today:
        return _("deadline %(date)s, overdue") % {"date": _short(deadline)}
    if deadline is not None and deadline <= today + datetime.timedelta(
        days=REMINDER_DAYS_BEFORE_DEADLINE
    ):
        return _("deadline %(date)s") % {"date": _short(deadline)}
    return _("review date %(date)s") % {"date": _short(followup.review_date)}


def _short(day: datetime.date | None) -> str:
    return date_format(day, "SHORT_DATE_FORMAT") if day else ""
