"""What changes routines: creating and editing them, drafting versions,
putting a version in force, recording reviews, and the review reminders.

Rules:

- A version moves only along :data:`TRANSITIONS`: a draft comes in force,
  a version in force is replaced when the next one comes in force. Only a
  draft is edited; a change to a version in force is a new draft, which
  starts as a copy of the text in force.
- Putting a version in force locks the routine's row first, so two people
  putting two drafts in force at once are taken one after the other: the
  second replaces the first, and exactly one version is in force (the
  database holds the same rule as a partial unique constraint). The routine's
  next review is then the in-force date plus the review interval.
- A review that finds the routine unchanged moves the next review on; one
  that finds it needs a revision is recorded and keeps the date (the new
  version in force will set it).
- Every change is attributable (the audit trail) and refused when someone
  else saved the same row meanwhile (``core.services.save_versioned``).
  Forms send an idempotency key, so a form sent twice makes one record.
- Reminders (``manage.py send_routine_reminders``, daily): once when the
  review comes within :data:`DUE_SOON_DAYS` days and once when it is overdue,
  per review date, links only.
"""

from __future__ import annotations

import calendar
import datetime
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import User
from agreements.models import Agreement, Clause
from core import richtext
from core.services import save_versioned
from councils.models import Council
from notifications.models import Notification
from notifications.services import Item, notify_many
from partnerships.access import people_who_may
from partnerships.capabilities import Capability, roles_with
from partnerships.models import Organisation, Participation, Partnership, PartnershipRole
from routines.models import Routine, RoutineReview, RoutineVersion

Status = RoutineVersion.Status
Outcome = RoutineReview.Outcome

# Where a version may go next.
TRANSITIONS: dict[str, set[str]] = {
    Status.DRAFT: {Status.IN_FORCE},
    Status.IN_FORCE: {Status.REPLACED},
    Status.REPLACED: set(),
}
# A review due within this many days is in the work queue and reminded of.
DUE_SOON_DAYS = 30


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later; the month's last day when it is
    shorter (31 January + 1 month is 28 or 29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


# --- Routines ----------------------------------------------------------------------


def _check_place(partnership: Partnership, agreement: Agreement, clause_key: str) -> None:
    if agreement.partnership_id != partnership.pk:
        raise ValidationError({"agreement": _("The agreement is not one of this partnership's.")})
    if (
        clause_key
        and not Clause.objects.filter(
            agreement_version__agreement=agreement, key=clause_key
        ).exists()
    ):
        raise ValidationError({"clause_key": _("The clause is not in the chosen agreement.")})


def _check_owner(
    partnership: Partnership, council: Council | None, party: Organisation | None
) -> None:
    if (council is None) == (party is None):
        raise ValidationError(_("A routine is owned by a council or by a party: choose one."))
    if council is not None and council.partnership_id != partnership.pk:
        raise ValidationError(_("The council is not one of this partnership's."))
    if (
        party is not None
        and not Participation.objects.current()
        .filter(partnership=partnership, organisation=party, role=Participation.Role.PARTY)
        .exists()
    ):
        raise ValidationError(_("The owner must be a party of the partnership."))


def find_by_client_key(partnership: Partnership, client_key: uuid.UUID) -> Routine | None:
    return Routine.objects.filter(partnership=partnership, client_key=client_key).first()


def create_routine(
    partnership: Partnership,
    *,
    agreement: Agreement,
    title: str,
    slug: str,
    owner_council: Council | None = None,
    owner_party: Organisation | None = None,
    clause_key: str = "",
    number: str = "",
    responsible: User | None = None,
    review_interval_months: int = 24,
    client_key: uuid.UUID | None = None,
) -> Routine:
    """A new routine with no version yet. A second call with the same
    ``client_key`` returns the first routine (a form sent twice)."""
    if client_key is not None and (existing := find_by_client_key(partnership, client_key)):
        return existing
    _check_place(partnership, agreement, clause_key)
    _check_owner(partnership, owner_council, owner_party)
    routine = Routine(
        partnership=partnership,
        agreement=agreement,
        clause_key=clause_key,
        number=number.strip(),
        title=title.strip(),
        slug=slug,
        owner_council=owner_council,
        owner_party=owner_party,
        responsible=responsible,
        review_interval_months=review_interval_months,
        client_key=client_key,
    )
    try:
        with transaction.atomic():
            routine.save()
    except IntegrityError:
        existing = find_by_client_key(partnership, client_key) if client_key else None
        if existing is None:
            raise ValidationError(_("Another routine already has this address name.")) from None
        return existing
    return routine


# The fields the routine's edit form changes.
EDITABLE_FIELDS = (
    "agreement",
    "clause_key",
    "number",
    "title",
    "owner_council",
    "owner_party",
    "responsible",
    "review_interval_months",
)


def change_routine(routine: Routine, expected_version: int, **fields: Any) -> Routine:
    """Save an edit of :data:`EDITABLE_FIELDS`; refused
    (:class:`core.services.EditConflict`) when someone saved in between. The
    next review stays as it is: a new interval counts from the next version
    in force or review."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable here: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(routine, name, value)
    _check_place(routine.partnership, routine.agreement, routine.clause_key)
    _check_owner(routine.partnership, routine.owner_council, routine.owner_party)
    save_versioned(routine, expected_version, list(fields))
    return routine


# --- Versions ----------------------------------------------------------------------


def in_force(routine: Routine) -> RoutineVersion | None:
    return routine.versions.filter(status=Status.IN_FORCE).first()


def _check_text(text: str) -> None:
    """The text a reader sees holds no identity number (markup cannot hide
    one: ``core.richtext.text_of``)."""
    try:
        richtext.validate_no_identity_number_in_text(text)
    except ValidationError as error:
        raise ValidationError({"text": error.messages}) from None


def require_draft(version: RoutineVersion) -> None:
    if not version.is_editable:
        raise ValidationError(
            _(
                "This version is no longer a draft and is not edited. Make a new version "
                "to change the text."
            )
        )


@transaction.atomic
def new_version(
    routine: Routine,
    *,
    label: str,
    by: User | None,
    text: str | None = None,
    summary: str = "",
    decision: Any = None,
    followup: Any = None,
    reason: str = "",
    client_key: uuid.UUID | None = None,
) -> RoutineVersion:
    """A draft based on the version in force (or, before any, the newest
    one), whose text it copies unless ``text`` is given. A second call with
    the same ``client_key`` returns the first draft."""
    if client_key is not None:
        existing = RoutineVersion.objects.filter(routine=routine, client_key=client_key).first()
        if existing is not None:
            return existing
    based_on = in_force(routine) or routine.versions.order_by("-created", "-pk").first()
    if routine.versions.filter(label=label).exists():
        raise ValidationError({"label": _("The routine already has a version with this name.")})
    body = text if text is not None else (based_on.text if based_on else "")
    _check_text(body)
    version = RoutineVersion(
        routine=routine,
        label=label.strip(),
        text=body,
        summary=summary.strip(),
        previous=based_on,
        decision=decision,
        followup=followup,
        reason=reason.strip(),
        created_by=by,
        client_key=client_key,
    )
    try:
        with transaction.atomic():
            version.save()
    except IntegrityError:
        existing = (
            RoutineVersion.objects.filter(routine=routine, client_key=client_key).first()
            if client_key
            else None
        )
        if existing is None:
            raise ValidationError(
                {"label": _("The routine already has a version with this name.")}
            ) from None
        return existing
    return version


DRAFT_FIELDS = ("label", "text", "summary", "decision", "followup", "reason")


@transaction.atomic
def change_draft(version: RoutineVersion, expected_version: int, **fields: Any) -> RoutineVersion:
    """Save an edit of a draft (:data:`DRAFT_FIELDS`). A version no longer a
    draft is refused, so is a save based on an older edit."""
    unknown = set(fields) - set(DRAFT_FIELDS)
    if unknown:
        raise ValueError(f"Not editable here: {', '.join(sorted(unknown))}")
    require_draft(RoutineVersion.objects.select_for_update().get(pk=version.pk))
    if "text" in fields:
        _check_text(fields["text"])
    label = fields.get("label")
    if (
        label is not None
        and RoutineVersion.objects.filter(routine_id=version.routine_id, label=label)
        .exclude(pk=version.pk)
        .exists()
    ):
        raise ValidationError({"label": _("The routine already has a version with this name.")})
    for name, value in fields.items():
        setattr(version, name, value)
    save_versioned(version, expected_version, list(fields))
    return version


@transaction.atomic
def put_in_force(
    version: RoutineVersion, expected_version: int, in_force_from: datetime.date
) -> RoutineVersion:
    """The draft is in force from ``in_force_from``; the version in force
    before is replaced (its last day the day before), and the routine's next
    review is the in-force date plus its interval."""
    # The routine first: whoever comes second waits here and then sees the
    # first one's version in force.
    routine = Routine.objects.select_for_update().get(pk=version.routine_id)
    locked = RoutineVersion.objects.select_for_update().get(pk=version.pk)
    if Status.IN_FORCE not in TRANSITIONS[locked.status]:
        raise ValidationError(
            _("A version that is “%(now)s” cannot be put in force.")
            % {"now": locked.get_status_display()}
        )
    if not richtext.text_of(locked.text).strip():
        raise ValidationError(_("The version has no text yet."))
    current = (
        RoutineVersion.objects.select_for_update()
        .filter(routine=routine, status=Status.IN_FORCE)
        .exclude(pk=locked.pk)
        .first()
    )
    if current is not None and current.in_force_from and in_force_from <= current.in_force_from:
        raise ValidationError(
            {
                "in_force_from": _(
                    "The version in force now has been in force since %(date)s: the new one "
                    "must come in force after that."
                )
                % {"date": date_format(current.in_force_from, "SHORT_DATE_FORMAT")}
            }
        )
    if current is not None:
        current.status = Status.REPLACED
        current.in_force_to = in_force_from - datetime.timedelta(days=1)
        save_versioned(current, current.version, ["status", "in_force_to"])
    locked.status = Status.IN_FORCE
    locked.in_force_from = in_force_from
    save_versioned(locked, expected_version, ["status", "in_force_from"])
    # Not an edit of the routine's own fields: its edit counter stays, so an
    # edit form open meanwhile is not refused for it.
    routine.next_review = add_months(in_force_from, routine.review_interval_months)
    routine.save(update_fields=["next_review"])
    return locked


# --- Reviews -----------------------------------------------------------------------


@transaction.atomic
def record_review(
    routine: Routine,
    *,
    reviewed_on: datetime.date,
    outcome: str,
    by: User | None,
    note: str = "",
    next_review: datetime.date | None = None,
    client_key: uuid.UUID | None = None,
    today: datetime.date | None = None,
) -> RoutineReview:
    """Record a review. "Unchanged" moves the routine's next review to
    ``next_review`` (after the review day); "needs a revision" keeps it. A
    second call with the same ``client_key`` returns the first review."""
    today = today or timezone.localdate()
    locked = Routine.objects.select_for_update().get(pk=routine.pk)
    if client_key is not None:
        existing = RoutineReview.objects.filter(routine=locked, client_key=client_key).first()
        if existing is not None:
            return existing
    if not locked.versions.filter(status=Status.IN_FORCE).exists():
        raise ValidationError(_("No version of the routine is in force yet: nothing to review."))
    if reviewed_on > today:
        raise ValidationError({"reviewed_on": _("A review cannot be recorded before it is held.")})
    if outcome == Outcome.UNCHANGED:
        if next_review is None:
            raise ValidationError({"next_review": _("Say when the routine is reviewed next.")})
        if next_review <= reviewed_on:
            raise ValidationError(
                {"next_review": _("The next review must come after this review.")}
            )
    else:
        next_review = None
    review = RoutineReview.objects.create(
        routine=locked,
        reviewed_on=reviewed_on,
        outcome=outcome,
        note=note.strip(),
        next_review=next_review,
        by=by,
        client_key=client_key,
    )
    if next_review is not None:
        locked.next_review = next_review
        locked.save(update_fields=["next_review"])
        routine.next_review = next_review
    return review


# --- Who is told, and what waits ---------------------------------------------------


def due_within(partnership: Partnership, today: datetime.date) -> QuerySet[Routine]:
    """The partnership's routines with a version in force whose review is
    overdue or due within :data:`DUE_SOON_DAYS` days."""
    return Routine.objects.filter(
        partnership=partnership,
        next_review__lte=today + datetime.timedelta(days=DUE_SOON_DAYS),
        versions__status=Status.IN_FORCE,
    )


def keepers_filter(user_id: int | None, parties: frozenset[int], manages: bool) -> Q:
    """Who a routine's review waits for: its responsible person, the owner
    party's keepers (``parties``: where the person's own role gives
    ``KEEP_OWN_ROUTINES``), and for a council's routine those who manage
    routines."""
    q = Q(responsible_id=user_id) if user_id is not None else Q(pk__in=[])
    if parties:
        q |= Q(owner_party_id__in=parties)
    if manages:
        q |= Q(owner_council__isnull=False)
    return q


def _reminder_recipients(routines: list[Routine], today: datetime.date) -> dict[int, list[User]]:
    """Routine id → the people to remind (two queries for any number)."""
    keepers = people_who_may(
        Capability.KEEP_OWN_ROUTINES,
        {r.owner_party_id for r in routines if r.owner_party_id is not None},
        on=today,
    )
    partnerships = {r.partnership_id for r in routines if r.owner_council_id is not None}
    managers: dict[int, list[User]] = {}
    if partnerships:
        roles = [role.value for role in roles_with(Capability.MANAGE_ROUTINES)]
        for row in (
            PartnershipRole.objects.current(today)
            .filter(partnership_id__in=partnerships, role__in=roles, user__is_active=True)
            .select_related("user")
            .order_by("user__full_name", "pk")
        ):
            found = managers.setdefault(row.partnership_id, [])
            if row.user not in found:
                found.append(row.user)
    result: dict[int, list[User]] = {}
    for routine in routines:
        people: list[User] = []
        if routine.responsible is not None and routine.responsible.is_active:
            people.append(routine.responsible)
        if routine.owner_party_id is not None:
            people += keepers.get(routine.owner_party_id, [])
        else:
            people += managers.get(routine.partnership_id, [])
        result[routine.pk] = list(dict.fromkeys(people))
    return result


def send_reminders(today: datetime.date | None = None) -> int:
    """Remind the responsible person and the owner's keepers (the owner
    party's coordinators and leaders; the secretariat for a council's
    routine) of reviews coming due and overdue: once when the review date
    comes within :data:`DUE_SOON_DAYS` days, once when it has passed, per
    review date. Headline (title and date) and link only. The routines are
    marked in the transaction that picks them (rows locked on PostgreSQL),
    so a second run the same day reminds nobody again. Returns how many
    routines were reminded about."""
    day = today or timezone.localdate()
    soon = day + datetime.timedelta(days=DUE_SOON_DAYS)
    with transaction.atomic():
        overdue = Q(next_review__lt=day) & (
            Q(reminded_overdue_for__isnull=True) | ~Q(reminded_overdue_for=F("next_review"))
        )
        coming = Q(next_review__gte=day) & (
            Q(reminded_soon_for__isnull=True) | ~Q(reminded_soon_for=F("next_review"))
        )
        due = list(
            Routine.objects.select_for_update(of=("self",))
            .filter(next_review__lte=soon, versions__status=Status.IN_FORCE)
            .filter(overdue | coming)
            .select_related("partnership", "responsible")
            .order_by("next_review", "pk")
        )
        recipients = _reminder_recipients(due, day)
        items: list[Item] = []
        # Headlines are stored in the site's language (a command has no request).
        with translation.override(settings.LANGUAGE_CODE):
            for routine in due:
                assert routine.next_review is not None
                when = date_format(routine.next_review, "SHORT_DATE_FORMAT")
                if routine.next_review < day:
                    headline = _("Routine %(title)s: the review was due %(date)s") % {
                        "title": routine,
                        "date": when,
                    }
                else:
                    headline = _("Routine %(title)s: review by %(date)s") % {
                        "title": routine,
                        "date": when,
                    }
                path = reverse("routines:routine", args=[routine.partnership.slug, routine.pk])
                items += [
                    Item(
                        user=user,
                        kind=Notification.Kind.ROUTINE_REVIEW,
                        partnership=routine.partnership,
                        headline=headline,
                        path=path,
                    )
                    for user in recipients.get(routine.pk, [])
                ]
        for routine in due:
            assert routine.next_review is not None
            if routine.next_review < day:
                # Past due: no "coming due" reminder for this date any more.
                routine.reminded_overdue_for = routine.reminded_soon_for = routine.next_review
            else:
                routine.reminded_soon_for = routine.next_review
        Routine.objects.bulk_update(due, ["reminded_soon_for", "reminded_overdue_for"])
        notify_many(items)
    return len(due)
