"""The rules of deviations: reporting, the handling workflow, the dialogue,
answers, escalation to a council, measures as follow-ups, and reminders.

The workflow is one table (:data:`TRANSITIONS`): for each status, the
statuses that may follow and which side takes the step. Everything that
changes a deviation goes through here: the pages, the API and the demo.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.services import EditConflict, save_versioned
from core.validators import validate_no_identity_number
from core.workdays import deadline_after
from deviations.models import (
    DEFAULT_REMINDER_DAYS,
    DEFAULT_RESPONSE_DAYS,
    Deviation,
    DeviationCategory,
    DeviationConfig,
    DeviationCounter,
    DeviationMessage,
    Guideline,
    PartyReporting,
)
from partnerships.access import people_who_may
from partnerships.capabilities import Capability
from partnerships.models import Membership, Organisation, Participation, Partnership

S = Deviation.Status
REPORTER, RECEIVER = "reporter", "receiver"
# A member who reported for a party that lets all members report: follows
# their own deviation, writes in its dialogue and submits their own draft.
AUTHOR = "author"

# From each status: the statuses that may follow, and which side takes the step.
TRANSITIONS: dict[str, dict[str, str]] = {
    S.DRAFT: {S.SUBMITTED: REPORTER},
    S.SUBMITTED: {S.RECEIVED: RECEIVER, S.IN_PROGRESS: RECEIVER, S.ANSWERED: RECEIVER},
    S.RECEIVED: {S.IN_PROGRESS: RECEIVER, S.ANSWERED: RECEIVER},
    S.IN_PROGRESS: {S.ANSWERED: RECEIVER},
    # The reporter accepts the answer (closes) or reopens it for more handling.
    S.ANSWERED: {S.CLOSED: REPORTER, S.IN_PROGRESS: REPORTER},
    S.CLOSED: {},
}

DEFAULT_CATEGORIES = [
    ("A", "Ved innleggelse"),
    ("B", "Under opphold i spesialisthelsetjenesten"),
    ("C", "Ved utskrivning"),
    ("D", "Under opphold i kommunen"),
    ("E", "Behandlingsmessige forhold"),
]

REPORT_FIELDS = [
    "reporting_organisation",
    "receiving_organisation",
    "receiving_unit",
    "occurred_at",
    "category",
    "guideline",
    "clause",
    "routine",
    "section_point",
    "description",
    "immediate_measures",
    "suggested_improvement",
    "consequence",
    "external_reference",
]


# --- Configuration ---------------------------------------------------------------


def config_for(partnership: Partnership) -> DeviationConfig:
    config, _created = DeviationConfig.objects.get_or_create(partnership=partnership)
    return config


def ensure_categories(partnership: Partnership) -> None:
    """The five national categories, for a partnership that has none yet."""
    if DeviationCategory.objects.filter(partnership=partnership).exists():
        return
    DeviationCategory.objects.bulk_create(
        DeviationCategory(partnership=partnership, code=code, name=name, position=i)
        for i, (code, name) in enumerate(DEFAULT_CATEGORIES)
    )


def parties(partnership: Partnership) -> list[Organisation]:
    """The parties (not observers) taking part now, by name."""
    return list(
        Organisation.objects.filter(
            participations__in=Participation.objects.current().filter(
                partnership=partnership, role=Participation.Role.PARTY
            )
        )
        .distinct()
        .order_by("name")
    )


def direction(deviation: Deviation) -> str:
    """kommune → HF, HF → kommune or kommune → kommune (for statistics)."""
    reporter = deviation.reporting_organisation.kind
    receiver = deviation.receiving_organisation.kind
    kommune = Organisation.Kind.KOMMUNE
    if reporter == kommune and receiver == kommune:
        return "kommune_kommune"
    if reporter == kommune:
        return "kommune_hf"
    if receiver == kommune:
        return "hf_kommune"
    return "other"


# --- Reporting ---------------------------------------------------------------------


def _check_report(partnership: Partnership, data: Mapping[str, Any], own: frozenset[int]) -> None:
    reporting = data.get("reporting_organisation")
    receiving = data.get("receiving_organisation")
    errors: dict[str, str] = {}
    party_ids = {o.pk for o in parties(partnership)}
    if reporting is None or reporting.pk not in own:
        errors["reporting_organisation"] = _("You can only report on behalf of your own party.")
    if receiving is None or receiving.pk not in party_ids:
        errors["receiving_organisation"] = _(
            "Choose the party the deviation is reported to: a party of this partnership."
        )
    elif reporting is not None and receiving.pk == reporting.pk:
        errors["receiving_organisation"] = _("A deviation goes to another party than your own.")
    category = data.get("category")
    if category is None or category.partnership_id != partnership.pk:
        errors["category"] = _("Choose a category.")
    guideline = data.get("guideline")
    if guideline is not None and guideline.partnership_id != partnership.pk:
        errors["guideline"] = _("Choose one of this partnership's guidelines.")
    clause, routine = data.get("clause"), data.get("routine")
    if clause is not None and (
        guideline is None
        or guideline.agreement_id is None
        or clause.agreement_version.agreement_id != guideline.agreement_id
    ):
        errors["clause"] = _("Choose a clause of the guideline chosen.")
    if routine is not None and routine.partnership_id != partnership.pk:
        errors["routine"] = _("Choose one of this partnership's routines.")
    elif (
        routine is not None
        and guideline is not None
        and guideline.agreement_id is not None
        and routine.agreement_id != guideline.agreement_id
    ):
        errors["routine"] = _("The routine belongs to another guideline than the one chosen.")
    occurred = data.get("occurred_at")
    if occurred is not None and occurred > timezone.now() + datetime.timedelta(minutes=5):
        errors["occurred_at"] = _("The time of the event cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    for name in ("description", "immediate_measures", "suggested_improvement", "receiving_unit"):
        validate_no_identity_number(data.get(name) or "")
    validate_no_identity_number(data.get("external_reference") or "")


def find_by_client_key(partnership: Partnership, client_key: uuid.UUID) -> Deviation | None:
    return Deviation.objects.filter(partnership=partnership, client_key=client_key).first()


def save_draft(
    partnership: Partnership,
    data: Mapping[str, Any],
    *,
    by: Any,
    own: frozenset[int],
    deviation: Deviation | None = None,
    expected_version: int | None = None,
    client_key: uuid.UUID | None = None,
) -> Deviation:
    """Create or change a draft. A repeated ``client_key`` returns the first."""
    _check_report(partnership, data, own)
    if deviation is None:
        if client_key is not None:
            existing = find_by_client_key(partnership, client_key)
            if existing is not None:
                existing.repeated = True
                return existing
        try:
            with transaction.atomic():
                return Deviation.objects.create(
                    partnership=partnership,
                    reported_by=by,
                    client_key=client_key,
                    **{name: data.get(name) for name in REPORT_FIELDS if name in data},
                )
        except IntegrityError:
            # Another request with the same key won the race: this is a repeat.
            if client_key is not None:
                existing = find_by_client_key(partnership, client_key)
                if existing is not None:
                    existing.repeated = True
                    return existing
            raise
    if deviation.status != S.DRAFT:
        raise ValidationError(_("Only a draft can be changed; this deviation has been submitted."))
    fields = [name for name in REPORT_FIELDS if name in data]
    for name in fields:
        setattr(deviation, name, data[name])
    version = deviation.version if expected_version is None else expected_version
    return save_versioned(deviation, version, fields)  # type: ignore[return-value]


def _next_number(partnership: Partnership, year: int) -> int:
    counter, _created = DeviationCounter.objects.get_or_create(partnership=partnership, year=year)
    counter = DeviationCounter.objects.select_for_update().get(pk=counter.pk)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


@transaction.atomic
def submit(deviation: Deviation, *, by: Any, expected_version: int) -> Deviation:
    """Send a draft to the receiving party: it gets its number and its answer
    deadline (the partnership's days to answer, moved off a weekend or public
    holiday to the next working day). Submitting twice (a double click)
    leaves it submitted once."""
    locked = Deviation.objects.select_for_update().get(pk=deviation.pk)
    if locked.status != S.DRAFT:
        if locked.submitted_at is not None:
            return locked
        raise ValidationError(_("Only a draft can be submitted."))
    now = timezone.now()
    config = config_for(locked.partnership)
    locked.year = timezone.localtime(now).year
    locked.sequence = _next_number(locked.partnership, locked.year)
    locked.status = S.SUBMITTED
    locked.submitted_at = now
    locked.response_deadline = deadline_after(
        timezone.localtime(now).date(), config.response_days or DEFAULT_RESPONSE_DAYS
    )
    saved: Deviation = save_versioned(
        locked,
        expected_version,
        ["year", "sequence", "status", "submitted_at", "response_deadline"],
    )  # type: ignore[assignment]
    _notify_party(
        saved,
        saved.receiving_organisation_id,
        "deviation_received",
        _("Deviation %(number)s reported to your party") % {"number": saved.number},
    )
    return saved


def report(
    partnership: Partnership,
    data: Mapping[str, Any],
    *,
    by: Any,
    own: frozenset[int],
    client_key: uuid.UUID | None = None,
) -> Deviation:
    """Report in one step (the form's "submit" and the API): a draft that is
    submitted at once. Idempotent with ``client_key``: a repeat returns the
    first report with ``repeated`` set."""
    with transaction.atomic():
        deviation = save_draft(partnership, data, by=by, own=own, client_key=client_key)
        repeated = deviation.repeated
        if deviation.status == S.DRAFT:
            deviation = submit(deviation, by=by, expected_version=deviation.version)
            deviation.repeated = repeated
    return deviation


# --- Handling ----------------------------------------------------------------------


def _acting_side(deviation: Deviation, side: str | None) -> str | None:
    """The side whose steps the person may take: the author of a draft acts
    as the reporting party when submitting it, and in no other step."""
    if side == AUTHOR and deviation.status == S.DRAFT:
        return REPORTER
    return side


def allowed_steps(deviation: Deviation, side: str | None) -> list[str]:
    side = _acting_side(deviation, side)
    return [new for new, who in TRANSITIONS[deviation.status].items() if who == side]


def change_status(
    deviation: Deviation, new_status: str, *, side: str | None, expected_version: int
) -> Deviation:
    """One step of the workflow, by the side the table gives it to."""
    steps = TRANSITIONS.get(deviation.status, {})
    if new_status not in steps:
        raise ValidationError(
            _("A deviation that is “%(current)s” cannot become “%(new)s”.")
            % {
                "current": S(deviation.status).label,
                "new": S(new_status).label if new_status in S.values else new_status,
            },
            code="transition_not_allowed",
        )
    if steps[new_status] != _acting_side(deviation, side):
        who = (
            _("the receiving party") if steps[new_status] == RECEIVER else _("the reporting party")
        )
        raise ValidationError(
            _("Only %(who)s can make this deviation “%(new)s”.")
            % {"who": who, "new": S(new_status).label},
            code="wrong_side",
        )
    if new_status == S.ANSWERED:
        raise ValidationError(_("Write the answer (cause and measures) to answer."))
    if new_status == S.SUBMITTED:
        return submit(deviation, by=None, expected_version=expected_version)
    now = timezone.now()
    deviation.status = new_status
    fields = ["status"]
    if new_status == S.RECEIVED:
        deviation.received_at = now
        fields.append("received_at")
    elif new_status == S.CLOSED:
        deviation.closed_at = now
        fields.append("closed_at")
    saved: Deviation = save_versioned(deviation, expected_version, fields)  # type: ignore[assignment]
    return saved


def answer(
    deviation: Deviation,
    *,
    cause: str,
    measures: str,
    side: str | None,
    expected_version: int,
) -> Deviation:
    """The receiving party's answer: cause and measures. Two people answering
    at once: the second is refused (version), nothing is overwritten."""
    if side != RECEIVER:
        raise ValidationError(_("Only the receiving party answers a deviation."))
    if expected_version != deviation.version:
        # Someone answered (or changed it) since this person opened it.
        raise EditConflict(deviation.version)
    if S.ANSWERED not in TRANSITIONS[deviation.status]:
        raise ValidationError(
            _("A deviation that is “%(current)s” cannot be answered.")
            % {"current": S(deviation.status).label}
        )
    cause, measures = cause.strip(), measures.strip()
    if not cause or not measures:
        raise ValidationError(_("Write both the cause and the measures."))
    now = timezone.now()
    deviation.answer_cause = cause
    deviation.answer_measures = measures
    deviation.status = S.ANSWERED
    deviation.answered_at = now
    fields = ["answer_cause", "answer_measures", "status", "answered_at"]
    if deviation.first_answered_at is None:
        deviation.first_answered_at = now
        fields.append("first_answered_at")
    saved: Deviation = save_versioned(deviation, expected_version, fields)  # type: ignore[assignment]
    _notify_party(
        saved,
        saved.reporting_organisation_id,
        "deviation_answered",
        _("Deviation %(number)s has been answered") % {"number": saved.number},
    )
    return saved


def assignable_people(deviation: Deviation) -> list[User]:
    """Whom the receiving party can give a deviation to: the people whose own
    role in that party lets them handle deviations for it (not someone whose
    handling right comes from elsewhere, such as the secretariat with a plain
    membership). One query."""
    receiver = deviation.receiving_organisation_id
    return _handlers({receiver})[receiver]


def assign(
    deviation: Deviation,
    *,
    unit: str,
    person: User | None,
    side: str | None,
    expected_version: int,
) -> Deviation:
    """The receiving party gives the deviation to one of its units or people."""
    if side != RECEIVER:
        raise ValidationError(_("Only the receiving party assigns a deviation internally."))
    if person is not None and person.pk not in {p.pk for p in assignable_people(deviation)}:
        raise ValidationError(_("Choose a person of your own party."))
    deviation.assigned_unit = unit.strip()
    deviation.assigned_to = person
    return save_versioned(  # type: ignore[return-value]
        deviation, expected_version, ["assigned_unit", "assigned_to"]
    )


def add_message(
    deviation: Deviation,
    *,
    by: User,
    side: str | None,
    text: str,
    client_key: uuid.UUID | None = None,
) -> DeviationMessage:
    """A message in the dialogue between the two parties. The same
    ``client_key`` again (a double click, parallel posts) is the first message,
    with no second notification: the unique constraint decides the race."""
    if side is None:
        raise ValidationError(_("Only the two parties write in the dialogue."))
    if deviation.status == S.DRAFT:
        raise ValidationError(_("Submit the deviation before starting a dialogue."))
    text = text.strip()
    if not text:
        raise ValidationError(_("Write a message."))
    organisation_id = (
        deviation.receiving_organisation_id
        if side == RECEIVER
        else deviation.reporting_organisation_id
    )
    if client_key is not None:
        first = DeviationMessage.objects.filter(deviation=deviation, client_key=client_key).first()
        if first is not None:
            return first
    try:
        with transaction.atomic():
            message = DeviationMessage.objects.create(
                deviation=deviation,
                author=by,
                organisation_id=organisation_id,
                text=text,
                client_key=client_key,
            )
    except IntegrityError:
        first = DeviationMessage.objects.filter(deviation=deviation, client_key=client_key).first()
        if first is None:
            raise
        return first
    other = (
        deviation.reporting_organisation_id
        if side == RECEIVER
        else deviation.receiving_organisation_id
    )
    _notify_party(
        deviation,
        other,
        "deviation_message",
        _("New message on deviation %(number)s") % {"number": deviation.number},
    )
    return message


def escalate(deviation: Deviation, *, council: Any, by: User) -> Any:
    """Take the deviation to a council: a draft case, internal to the council,
    linked both ways. Escalating again returns the same case."""
    from councils.services import create_case

    if deviation.status == S.DRAFT:
        raise ValidationError(_("Only submitted deviations can be taken to a council."))
    if council.partnership_id != deviation.partnership_id:
        raise ValidationError(_("Choose a council of this partnership."))
    with transaction.atomic():
        locked = Deviation.objects.select_for_update().get(pk=deviation.pk)
        if locked.escalated_case_id is not None:
            return locked.escalated_case
        case, _created = create_case(
            council=council,
            title=_("Deviation %(number)s: %(category)s")
            % {"number": locked.number, "category": locked.category},
            by=by,
            visibility="council",
            background=_(
                "Reported by %(reporter)s to %(receiver)s on %(date)s.\n\nWhat happened:\n%(text)s"
            )
            % {
                "reporter": locked.reporting_organisation,
                "receiver": locked.receiving_organisation,
                "date": timezone.localtime(locked.submitted_at).date().isoformat()
                if locked.submitted_at
                else "",
                "text": locked.description,
            },
            assessment=locked.answer_cause,
            proposed_decision="",
        )
        Deviation.objects.filter(pk=locked.pk).update(escalated_case=case)
        deviation.escalated_case = case
    return case


def measure_as_followup(
    deviation: Deviation,
    *,
    title: str,
    by: User,
    responsible_organisation: Organisation | None = None,
    deadline: datetime.date | None = None,
    client_key: uuid.UUID | None = None,
) -> Any:
    """A measure of the answer, followed up in the follow-up module."""
    from followups.models import FollowUp
    from followups.services import create_followup

    if deviation.status == S.DRAFT:
        raise ValidationError(_("Submit the deviation before following it up."))
    if responsible_organisation is not None and responsible_organisation.pk not in {
        deviation.reporting_organisation_id,
        deviation.receiving_organisation_id,
    }:
        raise ValidationError(_("A measure is followed up by one of the two parties."))
    return create_followup(
        partnership=deviation.partnership,
        title=title,
        by=by,
        origin=FollowUp.Origin.DEVIATION,
        origin_group=str(deviation.category.code),
        source=deviation,
        source_label=_("Deviation %(number)s") % {"number": deviation.number},
        source_url=reverse("deviations:detail", args=[deviation.partnership.slug, deviation.pk]),
        responsible_organisation=responsible_organisation or deviation.receiving_organisation,
        deadline=deadline,
        client_key=client_key,
    )


# --- Notifications and reminders ---------------------------------------------------


def _handlers(organisation_ids: set[int]) -> dict[int, list[User]]:
    """The people who handle deviations for these parties (one query)."""
    return people_who_may(Capability.HANDLE_DEVIATIONS, organisation_ids)


def _notify_party(deviation: Deviation, organisation_id: int, kind: str, headline: str) -> None:
    from notifications.services import notify

    people = _handlers({organisation_id})[organisation_id]
    author = deviation.reported_by
    if (
        organisation_id == deviation.reporting_organisation_id
        and author is not None
        and author.is_active
        and author not in people
        and Membership.objects.current()
        .filter(user=author, organisation_id=organisation_id)
        .exists()
    ):
        # A member who reported follows their own deviation.
        people.append(author)
    notify(
        kind,
        people,
        partnership=deviation.partnership,
        headline=headline,
        path=reverse("deviations:detail", args=[deviation.partnership.slug, deviation.pk]),
    )


def due_for_reminder(today: datetime.date) -> list[Deviation]:
    """Open deviations to remind about today: once when the reminder window
    opens (or at the first run after it opened), on the first run after the
    deadline passes, and then weekly until answered. ``last_reminded_on``
    carries it over a missed daily run, and nobody is reminded twice a day."""
    candidates = (
        Deviation.objects.filter(
            status__in=Deviation.OPEN_STATUSES, response_deadline__isnull=False
        )
        .exclude(last_reminded_on=today)
        .select_related("partnership__deviation_config", "partnership")
    )
    due = []
    for deviation in candidates:
        config = getattr(deviation.partnership, "deviation_config", None)
        days = config.reminder_days_before if config else DEFAULT_REMINDER_DAYS
        deadline = deviation.response_deadline
        assert deadline is not None
        opens = deadline - datetime.timedelta(days=days)
        last = deviation.last_reminded_on
        before = opens <= today <= deadline and (last is None or last < opens)
        after = deadline < today and (last is None or last <= deadline or (today - last).days >= 7)
        if before or after:
            due.append(deviation)
    return due


def send_reminders(today: datetime.date | None = None) -> int:
    """Remind the receiving party's coordinators and leaders of answers due or
    overdue; returns how many deviations were reminded about."""
    from notifications.services import Item, notify_many

    day = today or timezone.localdate()
    with transaction.atomic():
        due = due_for_reminder(day)
        # Two runs at once: the second waits for the first and then finds
        # these marked as reminded today.
        locked = set(
            Deviation.objects.select_for_update()
            .filter(pk__in=[d.pk for d in due])
            .exclude(last_reminded_on=day)
            .values_list("pk", flat=True)
        )
        due = [d for d in due if d.pk in locked]
        handlers = _handlers({d.receiving_organisation_id for d in due})
        items = []
        for deviation in due:
            deadline = deviation.response_deadline
            assert deadline is not None
            if deadline < day:
                headline = _("Deviation %(number)s: the answer was due %(date)s") % {
                    "number": deviation.number,
                    "date": deadline.isoformat(),
                }
            else:
                headline = _("Deviation %(number)s: answer by %(date)s") % {
                    "number": deviation.number,
                    "date": deadline.isoformat(),
                }
            path = reverse("deviations:detail", args=[deviation.partnership.slug, deviation.pk])
            for user in handlers.get(deviation.receiving_organisation_id, []):
                items.append(
                    Item(
                        user=user,
                        kind="deviation_due",
                        partnership=deviation.partnership,
                        headline=headline,
                        path=path,
                    )
                )
        Deviation.objects.filter(pk__in=[d.pk for d in due]).update(last_reminded_on=day)
        notify_many(items)
    return len(due)


def guidelines(partnership: Partnership) -> list[Guideline]:
    return list(Guideline.objects.filter(partnership=partnership, active=True))


def link_guidelines(partnership: Partnership) -> int:
    """Link each unlinked guideline to the partnership's agreement with the
    same number and title (or, failing that, the one agreement with the same
    title or number); returns how many were linked. The same rule as
    migration 0004, which did it for the guidelines that existed then."""
    from agreements.models import Agreement

    agreements = list(Agreement.objects.filter(partnership=partnership))
    linked = 0
    for guideline in Guideline.objects.filter(partnership=partnership, agreement__isnull=True):
        name = guideline.name.strip().lower()
        by_title = [a for a in agreements if a.title.strip().lower() == name]
        by_number = [a for a in agreements if a.number.strip() == str(guideline.number)]
        both = [a for a in by_title if a in by_number]
        for found in (both, by_title, by_number):
            if len(found) == 1:
                guideline.agreement = found[0]
                guideline.save(update_fields=["agreement"])
                linked += 1
                break
    return linked


# --- Who may report ---------------------------------------------------------------


def reporting_rights(
    partnership: Partnership, organisations: list[Organisation]
) -> dict[int, bool]:
    """Whether each of these parties lets all members report (one query)."""
    allowed = set(
        PartyReporting.objects.filter(
            partnership=partnership,
            organisation__in=organisations,
            members_may_report=True,
        ).values_list("organisation_id", flat=True)
    )
    return {o.pk: o.pk in allowed for o in organisations}


def set_member_reporting(
    partnership: Partnership, organisation: Organisation, *, allowed: bool, by: Any
) -> bool:
    """Let all members of the party report deviations, or only its
    coordinators and leaders. Returns whether anything changed; setting the
    same value twice changes nothing and logs nothing."""
    with transaction.atomic():
        setting, _created = PartyReporting.objects.select_for_update().get_or_create(
            partnership=partnership, organisation=organisation
        )
        if setting.members_may_report == allowed:
            return False
        setting.members_may_report = allowed
        setting.changed_by = by
        setting.changed = timezone.now()
        setting.save(update_fields=["members_may_report", "changed_by", "changed"])
    return True
