"""Business rules for councils, meetings, cases and agendas.

Called from views, the API, the demo builder and tests alike.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from core import richtext
from core.models import Visibility
from core.services import save_versioned
from councils import notices
from councils.attachments import check_upload
from councils.audit import acting, record_change
from councils.models import (
    Appointment,
    Attendance,
    Case,
    CaseAttachment,
    CaseCounter,
    Council,
    Decision,
    Meeting,
    MinutesApproval,
    Treatment,
    Vote,
)

S = Meeting.Status

# The meeting workflow, in one place: from each state, the states that may follow.
MEETING_TRANSITIONS: dict[str, frozenset[str]] = {
    S.PLANNED: frozenset({S.NOTICE_PUBLISHED, S.CANCELLED}),
    S.NOTICE_PUBLISHED: frozenset({S.HELD, S.CANCELLED}),
    S.HELD: frozenset({S.MINUTES_DRAFTED}),
    S.MINUTES_DRAFTED: frozenset({S.MINUTES_APPROVED, S.HELD}),
    S.MINUTES_APPROVED: frozenset({S.PUBLISHED}),
    S.PUBLISHED: frozenset(),
    S.CANCELLED: frozenset({S.PLANNED}),
}
# While the meeting (time, place, details) and its agenda may still change.
AGENDA_OPEN = frozenset({S.PLANNED, S.NOTICE_PUBLISHED})

STANDING_ITEMS = [
    (Treatment.Standing.APPROVE_NOTICE, 1),
    (Treatment.Standing.APPROVE_MINUTES, 2),
    (Treatment.Standing.ORIENTATIONS, 900),
    (Treatment.Standing.ANY_OTHER_BUSINESS, 999),
]


def allowed_meeting_transitions(meeting: Meeting) -> list[str]:
    return sorted(MEETING_TRANSITIONS[meeting.status])


def _minutes_problem(meeting: Meeting) -> str | None:
    """Why the minutes cannot be drafted yet, or None."""
    if not meeting.attendance.exists():
        return _("Record who attended before drafting the minutes.")
    missing = (
        meeting.treatments.filter(kind=Treatment.Kind.DECISION, decision__isnull=True)
        .select_related("case")
        .first()
    )
    if missing is not None and missing.case is not None:
        return _("Case %(number)s was up for decision but has no decision recorded.") % {
            "number": missing.case.number
        }
    return None


def _guard(meeting: Meeting, new_status: str) -> str | None:
    """Conditions a transition has beyond the table."""
    if new_status == S.MINUTES_DRAFTED:
        return _minutes_problem(meeting)
    if (
        new_status == S.MINUTES_APPROVED
        and not MinutesApproval.objects.filter(meeting=meeting).exists()
    ):
        return _("Record how and when the minutes were approved.")
    return None


def change_meeting_status(meeting: Meeting, new_status: str, expected_version: int) -> Meeting:
    if new_status not in MEETING_TRANSITIONS[meeting.status]:
        raise ValidationError(
            _("A meeting that is “%(current)s” cannot become “%(new)s”.")
            % {
                "current": S(meeting.status).label,
                "new": S(new_status).label if new_status in S.values else new_status,
            },
            code="transition_not_allowed",
        )
    problem = _guard(meeting, new_status)
    if problem:
        raise ValidationError(problem, code="transition_condition")
    meeting.status = new_status
    saved: Meeting = save_versioned(meeting, expected_version, ["status"])  # type: ignore[assignment]
    if new_status == S.NOTICE_PUBLISHED:
        notices.notify_notice_published(saved)
    elif new_status == S.MINUTES_DRAFTED:
        notices.notify_minutes_for_approval(saved)
    return saved


@transaction.atomic
def plan_meeting(
    council: Council,
    *,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime | None = None,
    title: str = "",
    location: str = "",
    video_url: str = "",
    papers_deadline: datetime.date | None = None,
    joint_with: list[Council] | None = None,
) -> Meeting:
    """Create a meeting with the standing items every agenda has."""
    meeting = Meeting.objects.create(
        council=council,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        location=location,
        video_url=video_url,
        papers_deadline=papers_deadline,
    )
    if joint_with:
        meeting.joint_with.set(joint_with)
    Treatment.objects.bulk_create(
        Treatment(meeting=meeting, kind=Treatment.Kind.STANDING, standing=key, position=pos)
        for key, pos in STANDING_ITEMS
    )
    return meeting


# What ``update_meeting`` may change: the details of the plan-meeting form.
MEETING_DETAILS = ("title", "starts_at", "ends_at", "location", "video_url", "papers_deadline")


def require_open(meeting: Meeting) -> None:
    """Refuse a change to a meeting that is held or cancelled."""
    if meeting.status not in AGENDA_OPEN:
        raise ValidationError(
            _("A meeting that is “%(status)s” can no longer be changed.")
            % {"status": S(meeting.status).label},
            code="meeting_closed",
        )


def update_meeting(meeting: Meeting, data: dict[str, Any], *, by: Any, version: int) -> Meeting:
    """Change the time, place or details of a meeting not yet held.

    ``data`` holds some of ``MEETING_DETAILS``. A save from an old ``version``
    is refused (``EditConflict``); so is any change once the meeting is held or
    cancelled (a status change also moves the version on, so a form opened
    before it cannot slip through). Saving what is already stored changes
    nothing (a double submit), and tells nobody. Once the notice is out, the
    seats are told (headline and link only); the audit trail records the
    change with ``by`` as its author; calendar feeds show it on their next
    fetch, as the same event with a higher SEQUENCE (the version).
    """
    unknown = set(data) - set(MEETING_DETAILS)
    if unknown:
        raise ValueError(f"Not a meeting detail: {sorted(unknown)}")
    require_open(meeting)
    changed = [name for name, value in data.items() if getattr(meeting, name) != value]
    if not changed:
        return meeting
    for name in changed:
        setattr(meeting, name, data[name])
    ends_at, starts_at = meeting.ends_at, meeting.starts_at
    if ends_at is not None and ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The meeting must end after it starts.")})
    deadline = meeting.papers_deadline
    if deadline is not None and deadline > timezone.localtime(starts_at).date():
        raise ValidationError({"papers_deadline": _("The deadline must be before the meeting.")})
    meeting.full_clean(exclude=["council", "status", "version"])
    with acting(by), transaction.atomic():
        saved: Meeting = save_versioned(meeting, version, changed)  # type: ignore[assignment]
        if saved.status == S.NOTICE_PUBLISHED:
            notices.notify_meeting_changed(saved)
    return saved


def create_case(
    *,
    council: Council,
    title: str,
    by: Any,
    visibility: str = "public",
    public_title: str = "",
    legal_basis: str = "",
    background: str = "",
    assessment: str = "",
    proposed_decision: str = "",
    client_key: uuid.UUID | None = None,
    year: int | None = None,
) -> tuple[Case, bool]:
    """Create a case with the next ``yy/nnn`` number; returns (case, created).

    The counter row is locked while the number is taken, so two secretaries
    creating cases at once get different numbers. A repeated ``client_key``
    (a double submit) returns the case the first submit created.
    """
    partnership = council.partnership
    if client_key is not None:
        existing = Case.objects.filter(partnership=partnership, client_key=client_key).first()
        if existing is not None:
            return existing, False
    number_year = year or timezone.localdate().year
    try:
        with transaction.atomic():
            CaseCounter.objects.get_or_create(partnership=partnership, year=number_year)
            counter = CaseCounter.objects.select_for_update().get(
                partnership=partnership, year=number_year
            )
            counter.last += 1
            counter.save(update_fields=["last"])
            case = Case(
                partnership=partnership,
                council=council,
                year=number_year,
                sequence=counter.last,
                title=title,
                visibility=visibility,
                public_title=public_title,
                legal_basis=legal_basis,
                background=background,
                assessment=assessment,
                proposed_decision=proposed_decision,
                created_by=by,
                client_key=client_key,
            )
            case.full_clean(exclude=["created_by", "client_key"])
            case.save()
    except IntegrityError:
        if client_key is None:
            raise
        return Case.objects.get(partnership=partnership, client_key=client_key), False
    return case, True


def update_case(case: Case, data: dict[str, Any], expected_version: int) -> Case:
    for name, value in data.items():
        setattr(case, name, value)
    case.full_clean(exclude=["created_by", "client_key", "version"])
    saved: Case = save_versioned(case, expected_version, list(data))  # type: ignore[assignment]
    notices.notify_papers_changed(saved)
    return saved


def add_to_agenda(meeting: Meeting, case: Case, kind: str) -> Treatment:
    if meeting.status not in AGENDA_OPEN:
        raise ValidationError(
            _("The agenda of a meeting that is “%(status)s” can no longer be changed.")
            % {"status": S(meeting.status).label}
        )
    if case.partnership_id != meeting.council.partnership_id:
        raise ValidationError(_("The case belongs to another partnership."))
    if kind == Treatment.Kind.STANDING:
        raise ValidationError(_("Choose how the case is to be handled."))
    with transaction.atomic():
        if meeting.treatments.filter(case=case).exists():
            raise ValidationError(
                _("Case %(number)s is already on this agenda.") % {"number": case.number}
            )
        last = (
            meeting.treatments.exclude(kind=Treatment.Kind.STANDING)
            .aggregate(m=Max("position"))
            .get("m")
        )
        return Treatment.objects.create(
            meeting=meeting, case=case, kind=kind, position=max(last or 10, 10) + 10
        )


def remove_from_agenda(treatment: Treatment) -> None:
    if treatment.meeting.status not in AGENDA_OPEN:
        raise ValidationError(_("The agenda can no longer be changed."))
    if treatment.kind == Treatment.Kind.STANDING:
        raise ValidationError(_("Standing items stay on every agenda."))
    treatment.delete()


class Direction:
    UP = "up"
    DOWN = "down"


# The first case on an agenda comes at this position, the next ones every
# ``POSITION_STEP`` after it (as ``add_to_agenda`` places them): between the
# approvals (1, 2) and the orientations (900).
FIRST_CASE_POSITION = 20
POSITION_STEP = 10
# The name of the agenda's order in the meeting's change history.
AGENDA_ORDER = "agenda_order"


def move_agenda_item(
    treatment: Treatment, direction: str, *, by: Any, seen_position: int | None = None
) -> bool:
    """Move a case one place up or down among the cases of its agenda, and
    number the cases again (20, 30, 40 …); returns whether anything moved.

    Standing items keep their places: the approvals first, orientations and
    any other business last. The first case does not go further up, nor the
    last further down. ``seen_position`` is the item's position on the page
    the person acted on: when it is no longer the item's position (the agenda
    changed, or this is a double submit of a move already made), nothing
    moves. Once the notice is out, the new order is recorded on the meeting's
    change history too.
    """
    if direction not in (Direction.UP, Direction.DOWN):
        raise ValueError(f"Unknown direction: {direction!r}")
    if treatment.kind == Treatment.Kind.STANDING:
        raise ValidationError(_("Standing items keep their place on the agenda."))
    with acting(by), transaction.atomic():
        # One move at a time per meeting: the row lock orders concurrent moves
        # (PostgreSQL; SQLite writes one transaction at a time anyway).
        meeting = Meeting.objects.select_for_update().get(pk=treatment.meeting_id)
        require_open(meeting)
        cases = list(
            meeting.treatments.exclude(kind=Treatment.Kind.STANDING)
            .select_related("case")
            .order_by("position", "pk")
        )
        index = next((i for i, t in enumerate(cases) if t.pk == treatment.pk), None)
        if index is None:
            return False  # taken off the agenda meanwhile
        if seen_position is not None and cases[index].position != seen_position:
            return False
        other = index - 1 if direction == Direction.UP else index + 1
        if not 0 <= other < len(cases):
            return False
        before = _case_numbers(cases)
        cases[index], cases[other] = cases[other], cases[index]
        for place, item in enumerate(cases):
            position = FIRST_CASE_POSITION + place * POSITION_STEP
            if item.position != position:
                item.position = position
                item.save(update_fields=["position"])  # each move in the audit trail
        if meeting.status == S.NOTICE_PUBLISHED:
            record_change(meeting, AGENDA_ORDER, before, _case_numbers(cases), by=by)
    return True


def _case_numbers(items: list[Treatment]) -> str:
    return ", ".join(item.case.number for item in items if item.case is not None)


def appoint(
    council: Council,
    *,
    person: Any,
    role: str,
    has_vote: bool = True,
    position_title: str = "",
    on_behalf_of_organisation: Any = None,
    on_behalf_of_region: Any = None,
    deputy_for: Appointment | None = None,
    valid_from: datetime.date | None = None,
) -> Appointment:
    if on_behalf_of_organisation is not None and on_behalf_of_region is not None:
        raise ValidationError(_("Choose either a party or a region, not both."))
    if role in (Appointment.Role.OBSERVER, Appointment.Role.SECRETARY):
        has_vote = False
    return Appointment.objects.create(
        council=council,
        person=person,
        role=role,
        has_vote=has_vote,
        position_title=position_title,
        on_behalf_of_organisation=on_behalf_of_organisation,
        on_behalf_of_region=on_behalf_of_region,
        deputy_for=deputy_for,
        valid_from=valid_from or timezone.localdate(),
    )


def end_appointment(appointment: Appointment) -> None:
    if appointment.valid_to is None:
        appointment.valid_to = timezone.localdate()
        appointment.save(update_fields=["valid_to"])


# While decisions and attendance may be recorded.
RECORDING_OPEN = frozenset({S.HELD})


def _require_recording(meeting: Meeting) -> None:
    if meeting.status not in RECORDING_OPEN:
        raise ValidationError(
            _(
                "Decisions and attendance are recorded while the meeting is “%(held)s”; "
                "this one is “%(status)s”."
            )
            % {"held": S.HELD.label, "status": S(meeting.status).label}
        )


def record_decision(
    treatment: Treatment,
    *,
    adopted_as_recommended: bool,
    adopted_text: str,
    by: Any,
    expected_version: int | None = None,
) -> Decision:
    """Record (or correct) what was decided. "Adopted as recommended" takes the
    case paper's proposed decision word for word — as text (numbered and
    bulleted items keep their "1." and "–"): a decision is plain text, in the
    minutes, the report-backs and the e-mails alike."""
    _require_recording(treatment.meeting)
    if treatment.case is None:
        raise ValidationError(_("Standing items have no decision of their own."))
    recommendation = richtext.text_of(treatment.case.proposed_decision)
    text = recommendation if adopted_as_recommended else adopted_text.strip()
    if not text:
        raise ValidationError(
            _(
                "Write the decision, or choose “adopted as recommended” when the case paper "
                "has a proposed decision."
            )
        )
    existing = Decision.objects.filter(treatment=treatment).first()
    if existing is None:
        try:
            with transaction.atomic():
                return Decision.objects.create(
                    treatment=treatment,
                    recommendation=recommendation,
                    adopted_as_recommended=adopted_as_recommended,
                    adopted_text=text,
                    recorded_by=by,
                )
        except IntegrityError:
            existing = Decision.objects.get(treatment=treatment)
            if expected_version is None:
                expected_version = -1  # someone else recorded it a moment ago
    existing.recommendation = recommendation
    existing.adopted_as_recommended = adopted_as_recommended
    existing.adopted_text = text
    existing.recorded_by = by
    version = existing.version if expected_version is None else expected_version
    fields = ["recommendation", "adopted_as_recommended", "adopted_text", "recorded_by"]
    return save_versioned(existing, version, fields)  # type: ignore[return-value]


def voting_seats(meeting: Meeting) -> list[Appointment]:
    """The seats that may vote: members and deputies with a vote, leaving out
    those recorded as absent (a member whose deputy attended votes through
    the deputy's own seat)."""
    absent = set(
        meeting.attendance.exclude(status=Attendance.Status.PRESENT).values_list(
            "appointment_id", flat=True
        )
    )
    return [
        seat
        for seat in seats_for(meeting)
        if seat.has_vote
        and seat.role in (Appointment.Role.MEMBER, Appointment.Role.DEPUTY)
        and seat.pk not in absent
    ]


@transaction.atomic
def record_votes(decision: Decision, choices: dict[int, str]) -> None:
    """Record how each seat voted; a seat left out has no recorded vote.
    Replaces what was recorded before for this decision."""
    meeting = decision.treatment.meeting
    _require_recording(meeting)
    allowed = {seat.pk for seat in voting_seats(meeting)}
    if set(choices) - allowed:
        raise ValidationError(
            _("Votes can only be recorded for seats with a vote that were present.")
        )
    if any(choice not in Vote.Choice.values for choice in choices.values()):
        raise ValidationError(_("Choose for, against or abstained."))
    decision.votes.exclude(appointment_id__in=list(choices)).delete()
    for appointment_id, choice in choices.items():
        Vote.objects.update_or_create(
            decision=decision, appointment_id=appointment_id, defaults={"choice": choice}
        )


def vote_tally(votes: list[Vote]) -> list[tuple[str, int]]:
    counts = {choice: 0 for choice in Vote.Choice.values}
    for vote in votes:
        counts[vote.choice] += 1
    return [(str(Vote.Choice(choice).label), n) for choice, n in counts.items()]


def add_attachment(case: Case, upload: Any, *, title: str, by: Any) -> CaseAttachment:
    """Check and store an uploaded file on a case. Uploading the same file to
    the same case again (a double submit) returns the first one."""
    checked = check_upload(upload.name, upload.size, upload)
    existing = case.attachments.filter(sha256=checked.sha256).first()
    if existing is not None:
        return existing
    attachment = CaseAttachment(
        case=case,
        title=title.strip() or checked.original_name,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=by,
    )
    attachment.file.save(checked.original_name, upload, save=False)
    try:
        with transaction.atomic():
            attachment.save()
    except IntegrityError:
        attachment.file.delete(save=False)
        return case.attachments.get(sha256=checked.sha256)
    return attachment


def remove_attachment(attachment: CaseAttachment) -> None:
    """Delete the record, then the file once the deletion is committed."""
    name = attachment.file.name or ""
    storage = attachment.file.storage
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(name))


def seats_for(meeting: Meeting) -> list[Appointment]:
    """The seats of the meeting's council(s) on the day of the meeting."""
    councils = [meeting.council_id, *meeting.joint_with.values_list("pk", flat=True)]
    return list(
        Appointment.objects.current(timezone.localtime(meeting.starts_at).date())
        .filter(council_id__in=councils)
        .select_related("person", "council", "on_behalf_of_organisation", "on_behalf_of_region")
        .order_by("council__position", "role", "person__full_name")
    )


@transaction.atomic
def record_attendance(meeting: Meeting, statuses: dict[int, str]) -> None:
    _require_recording(meeting)
    allowed = {a.pk for a in seats_for(meeting)}
    unknown = set(statuses) - allowed
    if unknown:
        raise ValidationError(_("Attendance can only be recorded for the council's seats."))
    for appointment_id, status in statuses.items():
        Attendance.objects.update_or_create(
            meeting=meeting, appointment_id=appointment_id, defaults={"status": status}
        )


@transaction.atomic
def approve_minutes(
    meeting: Meeting,
    *,
    approved_on: datetime.date,
    approved_by: str,
    by: Any,
    expected_version: int,
) -> Meeting:
    if meeting.status != S.MINUTES_DRAFTED:
        raise ValidationError(_("Only drafted minutes can be approved."))
    MinutesApproval.objects.update_or_create(
        meeting=meeting,
        defaults={"approved_on": approved_on, "approved_by": approved_by, "recorded_by": by},
    )
    return change_meeting_status(meeting, S.MINUTES_APPROVED, expected_version)


def followup_from_decision(
    decision: Decision,
    *,
    title: str,
    by: Any,
    responsible_organisation: Any = None,
    deadline: datetime.date | None = None,
    client_key: uuid.UUID | None = None,
) -> Any:
    """A follow-up of a decision, linked back to its case."""
    from django.urls import reverse

    from followups.services import create_followup

    treatment = decision.treatment
    meeting, case = treatment.meeting, treatment.case
    assert case is not None
    partnership = meeting.council.partnership
    return create_followup(
        partnership=partnership,
        title=title,
        by=by,
        origin="decision",
        origin_group=meeting.council.short_name,
        source=decision,
        source_label=f"{meeting} · sak {case.number}",
        source_url=reverse("councils:case", args=[partnership.slug, case.pk]),
        responsible_organisation=responsible_organisation,
        deadline=deadline,
        client_key=client_key,
    )


def minutes_context(meeting: Meeting, *, public: bool) -> dict[str, Any]:
    """Attendance and the items with their decisions (two queries). The
    public version leaves out internal items and the decisions of exempt ones."""
    attendance = list(
        meeting.attendance.select_related(
            "appointment__person",
            "appointment__on_behalf_of_organisation",
            "appointment__on_behalf_of_region",
        ).order_by("appointment__role", "appointment__person__full_name")
    )
    votes = Vote.objects.select_related(
        "appointment__person",
        "appointment__on_behalf_of_organisation",
        "appointment__on_behalf_of_region",
    ).order_by("choice", "appointment__person__full_name")
    items = list(
        meeting.treatments.select_related("case", "decision")
        .prefetch_related(Prefetch("decision__votes", queryset=votes))
        .order_by("position", "pk")
    )
    for item in items:
        decision = getattr(item, "decision", None)
        if decision is not None:
            decision.tally = vote_tally(list(decision.votes.all()))
    if public:
        items = [
            t
            for t in items
            if t.case is None or t.case.visibility in (Visibility.PUBLIC, Visibility.RESTRICTED)
        ]
    return {"attendance": attendance, "items": items, "public": public}
