"""Business rules for representation: constituencies, input rounds, answers
and report-backs.

Called from views, the demo builder and tests alike. :func:`open_input_round`
is the one place input rounds are created.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.models import Visibility
from core.services import save_versioned
from core.validators import validate_no_identity_number
from councils.models import Appointment, Case, Council, Decision, Meeting, Treatment
from followups.models import FollowUp
from partnerships.models import Membership, Participation, Partnership
from representation.models import InputAnswer, InputRound, ReportBack

S = Meeting.Status

# Seats that speak for a constituency (observers and secretaries do not).
REPRESENTING_ROLES = (Appointment.Role.MEMBER, Appointment.Role.DEPUTY)
# Before the meeting: input may be asked for.
ROUNDS_OPEN = frozenset({S.PLANNED, S.NOTICE_PUBLISHED})
# After the meeting: a report-back may be written.
REPORTABLE = frozenset({S.HELD, S.MINUTES_DRAFTED, S.MINUTES_APPROVED, S.PUBLISHED})
# Cases whose content the constituency may not see, so may not be asked about.
NOT_SHAREABLE = frozenset({Visibility.COUNCIL, Visibility.RESTRICTED})
# "Report-backs due" on the personal page covers meetings held this recently.
REPORT_BACK_WINDOW_DAYS = 90


# --- Constituencies ---------------------------------------------------------


def has_constituency(appointment: Appointment) -> bool:
    return bool(appointment.on_behalf_of_organisation_id or appointment.on_behalf_of_region_id)


def is_representing(appointment: Appointment) -> bool:
    """A member or deputy seat on behalf of a party or region."""
    return appointment.role in REPRESENTING_ROLES and has_constituency(appointment)


def constituency_memberships(
    appointment: Appointment, on: datetime.date | None = None
) -> QuerySet[Membership]:
    """The current memberships that make people part of the seat's
    constituency: in the party it is on behalf of, or in any organisation
    whose current participation in the partnership lies in its region. The
    representative's own memberships are left out. One query when evaluated
    (the region's organisations are a subquery).
    """
    memberships = Membership.objects.current(on).exclude(user_id=appointment.person_id)
    if appointment.on_behalf_of_organisation_id:
        return memberships.filter(organisation_id=appointment.on_behalf_of_organisation_id)
    if appointment.on_behalf_of_region_id:
        in_region = Participation.objects.current(on).filter(
            partnership__councils=appointment.council_id,
            region_id=appointment.on_behalf_of_region_id,
        )
        return memberships.filter(organisation_id__in=in_region.values("organisation_id"))
    return memberships.none()


def constituency_organisation_ids(appointment: Appointment) -> set[int]:
    """The party the seat is on behalf of, or the organisations taking part
    in the partnership in its region (one query for a region)."""
    if appointment.on_behalf_of_organisation_id:
        return {appointment.on_behalf_of_organisation_id}
    if appointment.on_behalf_of_region_id:
        return set(
            Participation.objects.current()
            .filter(
                partnership__councils=appointment.council_id,
                region_id=appointment.on_behalf_of_region_id,
            )
            .values_list("organisation_id", flat=True)
        )
    return set()


def constituency_people(appointment: Appointment) -> QuerySet[User]:
    """The people of the seat's constituency (one query), by name."""
    return User.objects.filter(
        is_active=True,
        pk__in=constituency_memberships(appointment).values("user_id"),
    ).order_by("full_name")


def constituency_membership_for(appointment: Appointment, user: Any) -> Membership | None:
    """The person's membership that puts them in the constituency, or None."""
    if user is None or not getattr(user, "pk", None):
        return None
    return (
        constituency_memberships(appointment)
        .filter(user_id=user.pk)
        .order_by("organisation__name")
        .first()
    )


def constituency_sizes(
    partnership: Partnership, appointments: Iterable[Appointment]
) -> dict[int, int]:
    """Seat id → how many people are in its constituency, for many seats in
    one query (the memberships of all their parties and regions)."""
    seats = list(appointments)
    org_ids = {a.on_behalf_of_organisation_id for a in seats if a.on_behalf_of_organisation_id}
    region_ids = {a.on_behalf_of_region_id for a in seats if a.on_behalf_of_region_id}
    if not org_ids and not region_ids:
        return {a.pk: 0 for a in seats}
    participating = Participation.objects.current().filter(partnership=partnership)
    rows = list(
        Membership.objects.current()
        .filter(
            Q(organisation__participations__in=participating)
            & (
                Q(organisation_id__in=org_ids)
                | Q(organisation__participations__region_id__in=region_ids)
            )
        )
        .values_list("user_id", "organisation_id", "organisation__participations__region_id")
    )
    sizes = {}
    for seat in seats:
        people = {
            user_id
            for user_id, org_id, region_id in rows
            if (seat.on_behalf_of_organisation_id and org_id == seat.on_behalf_of_organisation_id)
            or (seat.on_behalf_of_region_id and region_id == seat.on_behalf_of_region_id)
        }
        people.discard(seat.person_id)
        sizes[seat.pk] = len(people)
    return sizes


def in_constituency_q(partnership: Partnership, user_id: int, prefix: str = "") -> Q:
    """A filter on seats (``prefix`` leads from the model to the seat, e.g.
    ``"appointment__"``) whose constituency includes the person: seats on
    behalf of one of their organisations or of the region of one of them.
    Subqueries only, so it adds no query of its own."""
    mine = Membership.objects.current().filter(user_id=user_id)
    regions = (
        Participation.objects.current()
        .filter(partnership=partnership, organisation_id__in=mine.values("organisation_id"))
        .exclude(region=None)
        .values("region_id")
    )
    return (
        Q(**{f"{prefix}on_behalf_of_organisation_id__in": mine.values("organisation_id")})
        | Q(**{f"{prefix}on_behalf_of_region_id__in": regions})
    ) & ~Q(**{f"{prefix}person_id": user_id})


# --- Seats and meetings -----------------------------------------------------


def meeting_council_ids(meeting: Meeting) -> list[int]:
    """The meeting's council and those it is joint with (one query)."""
    return [meeting.council_id, *meeting.joint_with.values_list("pk", flat=True)]


def representing_seats(
    council_ids: Iterable[int], on: datetime.date | None = None
) -> QuerySet[Appointment]:
    """Member and deputy seats with a constituency in these councils, current
    on ``on`` (today by default), with person, council, party and region."""
    return (
        Appointment.objects.current(on)
        .filter(council_id__in=list(council_ids), role__in=REPRESENTING_ROLES)
        .filter(Q(on_behalf_of_organisation__isnull=False) | Q(on_behalf_of_region__isnull=False))
        .select_related("person", "council", "on_behalf_of_organisation", "on_behalf_of_region")
        .order_by("council__position", "role", "person__full_name")
    )


def meeting_day(meeting: Meeting) -> datetime.date:
    return timezone.localtime(meeting.starts_at).date()


def seated_at(
    appointment: Appointment, meeting: Meeting, council_ids: Iterable[int] | None = None
) -> bool:
    """A representing seat in the meeting's council(s) on the meeting day
    (``council_ids``: the meeting's councils when already known)."""
    day = meeting_day(meeting)
    councils = meeting_council_ids(meeting) if council_ids is None else list(council_ids)
    return (
        is_representing(appointment)
        and appointment.council_id in councils
        and (appointment.valid_from is None or appointment.valid_from <= day)
        and (appointment.valid_to is None or appointment.valid_to > day)
    )


def rounds_may_open(meeting: Meeting) -> bool:
    """Before the meeting: planned or notice published, and not yet its day passed."""
    return meeting.status in ROUNDS_OPEN and meeting_day(meeting) >= timezone.localdate()


def report_back_possible(meeting: Meeting) -> bool:
    return meeting.status in REPORTABLE


# --- What the constituency may see of an agenda ---------------------------


@dataclass(frozen=True)
class AgendaLine:
    number: str
    title: str
    kind: str


def shareable_agenda(meeting: Meeting) -> list[AgendaLine]:
    """The agenda as the constituency may see it (one query): council-internal
    cases are left out, exempt ones appear with their public title only."""
    lines = []
    for item in meeting.treatments.select_related("case").order_by("position", "pk"):
        case = item.case
        if case is None:
            lines.append(AgendaLine("", item.get_standing_display(), item.get_kind_display()))
        elif case.visibility == Visibility.COUNCIL:
            continue
        else:
            lines.append(AgendaLine(case.number, case.title_for_public, item.get_kind_display()))
    return lines


def shareable_cases(meeting: Meeting) -> QuerySet[Case]:
    """Cases on the agenda an input round may be about."""
    return (
        Case.objects.filter(treatments__meeting=meeting)
        .exclude(visibility__in=NOT_SHAREABLE)
        .order_by("year", "sequence")
    )


# --- Input rounds -----------------------------------------------------------


def find_round_by_client_key(client_key: uuid.UUID) -> InputRound | None:
    return InputRound.objects.filter(client_key=client_key).first()


def open_input_round(
    *,
    appointment: Appointment,
    meeting: Meeting,
    deadline: datetime.date,
    message: str,
    by: User,
    case: Case | None = None,
    client_key: uuid.UUID | None = None,
) -> InputRound:
    """Open an input round from ``appointment``'s constituency before
    ``meeting``, on ``case`` or (``None``) on the whole agenda.

    The one place rounds are created. Rules:

    - ``by`` holds the seat, a current member or deputy seat on behalf of a
      party or region, in the meeting's council or one it is joint with;
    - the meeting is planned or has its notice out, and its day has not passed;
    - the deadline is today or later and not after the meeting day;
    - the case is on the agenda and not council-internal or exempt (the
      constituency may not see those);
    - one open round per seat, meeting and case (or whole agenda).

    A repeated ``client_key`` (a double submit) returns the first round.
    Raises ``ValidationError`` with a message for the person otherwise.
    """
    if client_key is not None:
        existing = find_round_by_client_key(client_key)
        if existing is not None:
            return existing
    today = timezone.localdate()
    if appointment.person_id != by.pk:
        raise ValidationError(_("Only the person holding the seat can ask for input."))
    if (
        not is_representing(appointment)
        or not Appointment.objects.current().filter(pk=appointment.pk).exists()
    ):
        raise ValidationError(
            _("Only a current member or deputy on behalf of a party or region can ask for input.")
        )
    if appointment.council_id not in meeting_council_ids(meeting):
        raise ValidationError(_("The seat is not in the council that holds this meeting."))
    if not rounds_may_open(meeting):
        raise ValidationError(
            _("Input can only be asked for before the meeting (planned or notice published).")
        )
    if deadline < today:
        raise ValidationError({"deadline": _("The deadline cannot be in the past.")})
    if deadline > meeting_day(meeting):
        raise ValidationError({"deadline": _("The deadline cannot be after the meeting day.")})
    if case is not None:
        if not Treatment.objects.filter(meeting=meeting, case=case).exists():
            raise ValidationError({"case": _("The case is not on this meeting's agenda.")})
        if case.visibility in NOT_SHAREABLE:
            raise ValidationError(
                {
                    "case": _(
                        "Case %(number)s is %(visibility)s, so it cannot be shared with "
                        "your constituency. Ask for input on the whole agenda instead."
                    )
                    % {
                        "number": case.number,
                        "visibility": str(Visibility(case.visibility).label).lower(),
                    }
                }
            )
    message = message.strip()
    if not message:
        raise ValidationError({"message": _("Write what you would like input on.")})
    validate_no_identity_number(message)
    if _open_round_exists(appointment, meeting, case):
        raise ValidationError(_already_open_message(case))
    try:
        with transaction.atomic():
            created = InputRound.objects.create(
                meeting=meeting,
                appointment=appointment,
                case=case,
                deadline=deadline,
                message=message,
                opened_by=by,
                client_key=client_key,
            )
            _notify_input_requested(created)
            return created
    except IntegrityError:
        if client_key is not None:
            existing = find_round_by_client_key(client_key)
            if existing is not None:
                return existing
        raise ValidationError(_already_open_message(case)) from None


def _notify_input_requested(round_: InputRound) -> None:
    """E-mail the constituency a link; the headline names the representative
    and the meeting (both public), never the case or the message."""
    from notifications.models import Notification
    from notifications.services import notify

    meeting = round_.meeting
    partnership = meeting.council.partnership
    notify(
        Notification.Kind.INPUT_REQUESTED,
        list(constituency_people(round_.appointment)),
        partnership=partnership,
        headline=_("%(person)s asks for input before %(meeting)s")
        % {"person": round_.appointment.person.full_name, "meeting": meeting},
        path=reverse("representation:round", args=[partnership.slug, round_.pk]),
    )


def _open_round_exists(appointment: Appointment, meeting: Meeting, case: Case | None) -> bool:
    return InputRound.objects.filter(
        appointment=appointment, meeting=meeting, case=case, closed_at=None
    ).exists()


def _already_open_message(case: Case | None) -> str:
    if case is None:
        return _("You already have an open input round on the whole agenda of this meeting.")
    return _("You already have an open input round on case %(number)s for this meeting.") % {
        "number": case.number
    }


def close_input_round(input_round: InputRound) -> InputRound:
    """Stop taking answers (the representative's choice); idempotent."""
    if input_round.closed_at is None:
        input_round.closed_at = timezone.now()
        input_round.save(update_fields=["closed_at"])
    return input_round


def save_answer(
    input_round: InputRound,
    *,
    author: User,
    text: str,
    expected_version: int | None = None,
) -> InputAnswer:
    """Write or change the person's one answer to the round.

    Refused when the person is not in the seat's constituency, when the round
    is closed, or after its deadline (the deadline day itself still counts).
    ``expected_version`` guards an edit against a concurrent one (from two
    tabs); ``None`` when writing the first answer.
    """
    membership = constituency_membership_for(input_round.appointment, author)
    if membership is None:
        raise ValidationError(_("Only the people the representative speaks for can answer."))
    if input_round.closed_at is not None:
        raise ValidationError(_("This input round is closed; answers can no longer be changed."))
    if timezone.localdate() > input_round.deadline:
        raise ValidationError(
            _("The deadline for input (%(date)s) has passed; answers can no longer be changed.")
            % {"date": input_round.deadline.strftime("%d.%m.%Y")}
        )
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write your input.")})
    validate_no_identity_number(text)
    existing = InputAnswer.objects.filter(round=input_round, author=author).first()
    if existing is None:
        try:
            with transaction.atomic():
                return InputAnswer.objects.create(
                    round=input_round,
                    author=author,
                    organisation_id=membership.organisation_id,
                    text=text,
                )
        except IntegrityError:
            # The same person's double submit: the first one is there now.
            existing = InputAnswer.objects.get(round=input_round, author=author)
            if expected_version is None:
                return existing
    existing.text = text
    existing.updated = timezone.now()
    version = existing.version if expected_version is None else expected_version
    return save_versioned(existing, version, ["text", "updated"])  # type: ignore[return-value]


# --- Report-back ------------------------------------------------------------


def draft_summary(meeting: Meeting, appointment: Appointment) -> str:
    """A draft of the report-back, from the meeting's decisions (three queries:
    the items with cases and decisions, the follow-ups of those decisions, the
    organisations of the constituency).

    Council-internal and exempt cases appear by their public title only,
    never with their decision. Follow-ups for which a party of the
    constituency is responsible come first.
    """
    items = list(
        meeting.treatments.exclude(case=None)
        .select_related("case", "decision")
        .order_by("position", "pk")
    )
    header = _("Report-back from %(meeting)s (%(date)s), %(council)s") % {
        "meeting": meeting,
        "date": meeting_day(meeting).strftime("%d.%m.%Y"),
        "council": meeting.council,
    }
    lines = [header, ""]
    decision_ids = []
    for item in items:
        case = item.case
        assert case is not None
        if case.visibility in NOT_SHAREABLE:
            title = case.public_title or (
                case.title_for_public
                if case.visibility == Visibility.RESTRICTED
                else _("Case internal to the council")
            )
            lines.append(f"{_('Case')} {case.number} {title}")
            lines.append(_("Not open for sharing; ask the secretariat what may be shared."))
        else:
            lines.append(f"{_('Case')} {case.number} {case.title}")
            decision = getattr(item, "decision", None)
            if decision is not None:
                decision_ids.append(decision.pk)
                lines.append(_("Decision: %(text)s") % {"text": decision.adopted_text})
            else:
                lines.append(_("No decision recorded."))
        lines.append("")
    followups = _decision_followups(decision_ids, appointment)
    if followups:
        lines.append(_("Follow-up"))
        for followup in followups:
            responsible = (
                followup.responsible_organisation.name if followup.responsible_organisation else "–"
            )
            deadline = followup.deadline.strftime("%d.%m.%Y") if followup.deadline else "–"
            lines.append(
                "- "
                + _("%(title)s (responsible: %(responsible)s, deadline %(deadline)s)")
                % {"title": followup.title, "responsible": responsible, "deadline": deadline}
            )
        lines.append("")
    lines.append(_("Write what this means for us, and what you said in the meeting."))
    return "\n".join(lines).strip() + "\n"


def _decision_followups(decision_ids: list[int], appointment: Appointment) -> list[FollowUp]:
    if not decision_ids:
        return []
    content_type = ContentType.objects.get_for_model(Decision)
    ours = constituency_organisation_ids(appointment)
    followups = list(
        FollowUp.objects.filter(source_content_type=content_type, source_object_id__in=decision_ids)
        .select_related("responsible_organisation")
        .order_by("deadline", "pk")
    )
    return sorted(followups, key=lambda f: f.responsible_organisation_id not in ours)


def get_or_draft_report_back(meeting: Meeting, appointment: Appointment) -> ReportBack:
    """The saved report-back, or an unsaved one holding the generated draft."""
    existing = ReportBack.objects.filter(meeting=meeting, appointment=appointment).first()
    if existing is not None:
        return existing
    return ReportBack(
        meeting=meeting, appointment=appointment, summary=draft_summary(meeting, appointment)
    )


def _check_report_back(meeting: Meeting, appointment: Appointment, by: User) -> None:
    if appointment.person_id != by.pk:
        raise ValidationError(_("Only the person holding the seat can report back."))
    if not seated_at(appointment, meeting):
        raise ValidationError(
            _("The seat was not a member or deputy seat of this meeting's council.")
        )
    if not report_back_possible(meeting):
        raise ValidationError(_("A report-back can be written once the meeting has been held."))


def save_report_back(
    meeting: Meeting,
    appointment: Appointment,
    *,
    summary: str,
    by: User,
    expected_version: int | None = None,
) -> ReportBack:
    """Save the summary (versioned: a save based on an older version is
    refused with :class:`core.services.EditConflict`)."""
    _check_report_back(meeting, appointment, by)
    summary = summary.strip()
    if not summary:
        raise ValidationError({"summary": _("Write the summary.")})
    validate_no_identity_number(summary)
    existing = ReportBack.objects.filter(meeting=meeting, appointment=appointment).first()
    if existing is None:
        try:
            with transaction.atomic():
                return ReportBack.objects.create(
                    meeting=meeting, appointment=appointment, summary=summary
                )
        except IntegrityError:
            existing = ReportBack.objects.get(meeting=meeting, appointment=appointment)
            if expected_version is None:
                expected_version = -1  # someone saved it a moment ago: a conflict
    existing.summary = summary
    version = existing.version if expected_version is None else expected_version
    return save_versioned(existing, version, ["summary"])  # type: ignore[return-value]


def mark_reported_back(meeting: Meeting, appointment: Appointment, *, by: User) -> ReportBack:
    """Record that the summary has gone to the constituency (who and when);
    saves the generated draft first when nothing was saved yet. Marking again
    keeps the first time."""
    _check_report_back(meeting, appointment, by)
    report = get_or_draft_report_back(meeting, appointment)
    if report.pk is None:
        report = save_report_back(meeting, appointment, summary=report.summary, by=by)
    if report.reported_at is None:
        report.reported_at = timezone.now()
        report.reported_by = by
        report.save(update_fields=["reported_at", "reported_by"])
    return report


# --- Per council --------------------------------------------------------------


@dataclass(frozen=True)
class MeetingRepresentation:
    meeting: Meeting
    seats: int
    asked: int
    answers: int
    reported: int


def council_overview(council: Council, meetings: list[Meeting]) -> list[MeetingRepresentation]:
    """For each meeting: how many of the council's current representing seats
    asked their constituency for input, the answers they got, and how many
    reported back (four queries whatever the number of meetings)."""
    seat_ids = set(representing_seats([council.pk]).values_list("pk", flat=True))
    meeting_ids = [m.pk for m in meetings]
    asked: dict[int, set[int]] = {}
    answers: dict[int, int] = {}
    rounds = (
        InputRound.objects.filter(meeting_id__in=meeting_ids, appointment_id__in=seat_ids)
        .annotate(answer_count=Count("answers"))
        .values_list("meeting_id", "appointment_id", "answer_count")
    )
    for meeting_id, appointment_id, count in rounds:
        asked.setdefault(meeting_id, set()).add(appointment_id)
        answers[meeting_id] = answers.get(meeting_id, 0) + count
    reported: dict[int, int] = dict(
        ReportBack.objects.filter(
            meeting_id__in=meeting_ids, appointment_id__in=seat_ids, reported_at__isnull=False
        )
        .values("meeting_id")
        .annotate(n=Count("pk"))
        .values_list("meeting_id", "n")
    )
    return [
        MeetingRepresentation(
            meeting=m,
            seats=len(seat_ids),
            asked=len(asked.get(m.pk, ())),
            answers=answers.get(m.pk, 0),
            reported=reported.get(m.pk, 0),
        )
        for m in meetings
    ]
