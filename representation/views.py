"""The representation pages under ``/<slug>/intern/representasjon/``.

Every view gets ``request.access`` from the partnership middleware and
fetches through :mod:`representation.access` (404 for outsiders and for
rounds and report-backs that are not the person's to see, 403 for insiders
without the right); the rules live in :mod:`representation.services`.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from core.forms import rebind_after_conflict
from core.own import Own
from core.services import EditConflict
from councils.access import get_council, get_meeting, seat_council_ids
from councils.models import Appointment, Case, Meeting
from partnerships.access import request_access
from partnerships.capabilities import Capability
from partnerships.views import Crumb, insider_view, staff_crumbs
from representation import services
from representation.access import (
    ReportAccess,
    RoundAccess,
    get_report_for_user,
    get_round_for_user,
    require_overview,
)
from representation.forms import WHOLE_AGENDA, AnswerForm, OpenRoundForm, ReportBackForm
from representation.models import InputAnswer, InputRound, ReportBack

# The lists of rounds and report-backs show at most this many rows.
LIST_LIMIT = 100


def _user(request: HttpRequest) -> User:
    # insider_view has made sure the person is logged in.
    return cast(User, request.user)


def _crumbs(request: HttpRequest, *extra: Crumb) -> list[Crumb]:
    slug = request_access(request).partnership.slug
    return staff_crumbs(
        request, (_("My representation"), reverse("representation:mine", args=[slug])), *extra
    )


def _rounds_to_me(request: HttpRequest) -> Any:
    """Rounds asking the person for input, with whether they have answered
    (one query: the constituency test and the answer are subqueries)."""
    access = request_access(request)
    assert access.user_id is not None
    mine = InputAnswer.objects.filter(round=OuterRef("pk"), author_id=access.user_id)
    return (
        InputRound.objects.filter(meeting__council__partnership=access.partnership)
        .filter(services.in_constituency_q(access.partnership, access.user_id, "appointment__"))
        .select_related("meeting", "meeting__council", "case", "appointment__person")
        .annotate(answered=Exists(mine))
        .order_by("-deadline", "-pk")
    )


@insider_view
def mine(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    """The person's seats, where they may ask for input, their open rounds
    with answer counts, report-backs due and done, and rounds asking them.

    Nine queries whatever the number of rows: seats, constituency sizes,
    upcoming meetings, open rounds with counts, recent held meetings, their
    joint councils, report-backs, rounds asking the person, report-backs to
    the person.
    """
    access = request_access(request)
    today = timezone.localdate()
    seats = list(
        Appointment.objects.current()
        .filter(person_id=access.user_id, council__partnership=access.partnership)
        .select_related("council", "on_behalf_of_organisation", "on_behalf_of_region")
        .order_by("council__position", "role")
    )
    representing = [s for s in seats if services.is_representing(s)]
    council_ids = {s.council_id for s in representing}
    sizes = services.constituency_sizes(access.partnership, representing)
    for seat in seats:
        seat.people_count = sizes.get(seat.pk)  # type: ignore[attr-defined]
    in_my_councils = Q(council_id__in=council_ids) | Q(joint_with__in=council_ids)
    upcoming = (
        list(
            Meeting.objects.filter(in_my_councils, status__in=services.ROUNDS_OPEN)
            .filter(starts_at__date__gte=today)
            .select_related("council")
            .distinct()
            .order_by("starts_at")
        )
        if council_ids
        else []
    )
    my_rounds = (
        list(
            InputRound.objects.filter(appointment__in=representing, closed_at=None)
            .select_related("meeting", "meeting__council", "case", "appointment")
            .annotate(answer_count=Count("answers"))
            .order_by("deadline", "pk")
        )
        if representing
        else []
    )
    for r in my_rounds:
        r.people_count = sizes.get(r.appointment_id)  # type: ignore[attr-defined]
    due, done = _report_backs(access.partnership, representing, council_ids, today)
    return render(
        request,
        "representation/mine.html",
        {
            "seats": seats,
            "upcoming": upcoming,
            "my_rounds": my_rounds,
            "due": due,
            "done": done,
            "rounds_to_me": list(_rounds_to_me(request).filter(closed_at=None)[:LIST_LIMIT]),
            "reports_to_me": list(_reports_to_me(request)[:10]),
            "today": today,
            "breadcrumbs": staff_crumbs(request, (_("My representation"), None)),
        },
    )


def _report_backs(
    partnership: Any, representing: list[Appointment], council_ids: set[int], today: datetime.date
) -> tuple[list[tuple[Meeting, Appointment]], list[ReportBack]]:
    """(meeting, seat) pairs held in the last :data:`REPORT_BACK_WINDOW_DAYS`
    without a report-back, and the report-backs done (three queries)."""
    if not representing:
        return [], []
    since = today - datetime.timedelta(days=services.REPORT_BACK_WINDOW_DAYS)
    held = list(
        Meeting.objects.filter(
            Q(council_id__in=council_ids) | Q(joint_with__in=council_ids),
            status__in=services.REPORTABLE,
            starts_at__date__gte=since,
        )
        .select_related("council")
        .prefetch_related("joint_with")
        .distinct()
        .order_by("-starts_at")
    )
    reports = list(
        ReportBack.objects.filter(appointment__in=representing)
        .select_related("meeting", "meeting__council", "appointment")
        .order_by("-meeting__starts_at")
    )
    reported = {(r.meeting_id, r.appointment_id) for r in reports if r.is_reported}
    due = []
    for meeting in held:
        ids = [meeting.council_id, *(c.pk for c in meeting.joint_with.all())]
        for seat in representing:
            if services.seated_at(seat, meeting, ids) and (meeting.pk, seat.pk) not in reported:
                due.append((meeting, seat))
    return due, [r for r in reports if r.is_reported]


def _reports_to_me(request: HttpRequest) -> Any:
    access = request_access(request)
    assert access.user_id is not None
    return (
        ReportBack.objects.filter(
            meeting__council__partnership=access.partnership, reported_at__isnull=False
        )
        .filter(services.in_constituency_q(access.partnership, access.user_id, "appointment__"))
        .select_related("meeting", "meeting__council", "appointment__person")
        .order_by("-reported_at", "-pk")
    )


@insider_view
def requests(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    """Input requested from me: one query for the rounds."""
    rounds = list(_rounds_to_me(request)[:LIST_LIMIT])
    return render(
        request,
        "representation/requests.html",
        {
            "rounds": rounds,
            "today": timezone.localdate(),
            "breadcrumbs": _crumbs(request, (_("Input requested from me"), None)),
        },
    )


@insider_view
def reports(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    """Report-backs to me: one query."""
    return render(
        request,
        "representation/reports.html",
        {
            "reports": list(_reports_to_me(request)[:LIST_LIMIT]),
            "breadcrumbs": _crumbs(request, (_("Report-backs to me"), None)),
        },
    )


@insider_view
def meeting_overview(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    """Every current representing seat of the meeting's council(s): input
    rounds with answer counts (never texts) and report-back.

    Six or seven queries whatever the number of seats: the meeting, its
    joint councils, (the person's seats, unless they manage meetings), the
    seats, the rounds with answer counts, the report-backs, the constituency
    sizes.
    """
    access = request_access(request)
    meeting = get_meeting(access, pk)
    council_ids = services.meeting_council_ids(meeting)
    require_overview(access, meeting, council_ids)
    seats = list(services.representing_seats(council_ids))
    rounds = list(
        InputRound.objects.filter(meeting=meeting)
        .select_related("case")
        .annotate(answer_count=Count("answers"))
        .order_by("created", "pk")
    )
    reports_by_seat = {r.appointment_id: r for r in ReportBack.objects.filter(meeting=meeting)}
    sizes = services.constituency_sizes(access.partnership, seats)
    rows = []
    for seat in seats:
        seat_rounds = [r for r in rounds if r.appointment_id == seat.pk]
        rows.append(
            {
                "seat": seat,
                "rounds": seat_rounds,
                "people": sizes.get(seat.pk, 0),
                "report": reports_by_seat.get(seat.pk),
            }
        )
    return render(
        request,
        "representation/meeting.html",
        {
            "meeting": meeting,
            "rows": rows,
            "rounds_may_open": services.rounds_may_open(meeting),
            "report_back_possible": services.report_back_possible(meeting),
            "my_seat_ids": [s.pk for s in seats if s.person_id == access.user_id],
            "breadcrumbs": _crumbs(request, (Own(meeting), None)),
        },
    )


@insider_view
def open_round(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    """Ask the constituency for input before the meeting. Only people with a
    representing seat in the meeting's council(s); 403 for other insiders."""
    access = request_access(request)
    meeting = get_meeting(access, pk)
    seats = list(
        services.representing_seats(services.meeting_council_ids(meeting)).filter(
            person_id=access.user_id
        )
    )
    if not seats:
        raise PermissionDenied
    may_open = services.rounds_may_open(meeting)
    cases = list(Case.objects.filter(treatments__meeting=meeting).order_by("year", "sequence"))
    day = services.meeting_day(meeting)
    form = OpenRoundForm(
        request.POST or None,
        seats=seats,
        cases=cases,
        initial={
            "client_key": uuid.uuid4(),
            "deadline": max(timezone.localdate(), day - datetime.timedelta(days=2)),
            "seat": seats[0].pk,
        },
    )
    if request.method == "POST" and may_open and form.is_valid():
        data = form.cleaned_data
        existing = services.find_round_by_client_key(data["client_key"])
        if existing is not None and existing.opened_by_id == access.user_id:
            messages.info(request, _("This input round had already been opened."))
            return redirect("representation:round", partnership_slug, existing.pk)
        seat = next(s for s in seats if s.pk == data["seat"])
        case = None
        if data["case"] != WHOLE_AGENDA:
            case = next((c for c in cases if str(c.pk) == data["case"]), None)
        try:
            input_round = services.open_input_round(
                appointment=seat,
                meeting=meeting,
                case=case,
                deadline=data["deadline"],
                message=data["message"],
                by=_user(request),
                client_key=data["client_key"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The input round was opened."))
            return redirect("representation:round", partnership_slug, input_round.pk)
    return render(
        request,
        "representation/open_round.html",
        {
            "meeting": meeting,
            "form": form if may_open else None,
            "agenda": services.shareable_agenda(meeting),
            "breadcrumbs": _crumbs(
                request,
                (Own(meeting), reverse("representation:meeting", args=[partnership_slug, pk])),
                (_("Ask for input"), None),
            ),
        },
    )


def _add_errors(form: Any, error: ValidationError) -> None:
    """Field errors next to their field when the form has it, else on top."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


@insider_view
def round_detail(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    return _round_page(request, get_round_for_user(request_access(request), pk))


def _round_page(
    request: HttpRequest, found: RoundAccess, *, form: AnswerForm | None = None
) -> HttpResponse:
    """The round: the representative sees every answer with its author and
    organisation (one query); a person of the constituency sees their own
    answer and its form (one query). Plus the agenda for a whole-agenda round
    and, for the representative, the size of the constituency."""
    input_round = found.input_round
    slug = request_access(request).partnership.slug
    context: dict[str, Any] = {
        "round": input_round,
        "is_representative": found.is_representative,
        "agenda": services.shareable_agenda(input_round.meeting)
        if input_round.case is None
        else None,
        "breadcrumbs": _crumbs(
            request,
            *(
                []
                if found.is_representative
                else [
                    (
                        _("Input requested from me"),
                        reverse("representation:requests", args=[slug]),
                    )
                ]
            ),
            (str(input_round), None),
        ),
    }
    if found.is_representative:
        context["answers"] = list(
            input_round.answers.select_related("author", "organisation").order_by(
                "organisation__name", "author__full_name"
            )
        )
        context["people_count"] = (
            services.constituency_memberships(input_round.appointment)
            .values("user_id")
            .distinct()
            .count()
        )
    else:
        answer = InputAnswer.objects.filter(
            round=input_round, author_id=request_access(request).user_id
        ).first()
        if form is None and input_round.accepts_answers:
            form = AnswerForm(
                initial={
                    "text": answer.text if answer else "",
                    "version": answer.version if answer else None,
                }
            )
        context["answer"] = answer
        context["form"] = form
    return render(request, "representation/round.html", context)


@require_POST
@insider_view
def answer(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    """Write or change one's answer; only the people of the constituency."""
    found = get_round_for_user(request_access(request), pk)
    if found.is_representative:
        raise PermissionDenied
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.save_answer(
                found.input_round,
                author=_user(request),
                text=form.cleaned_data["text"],
                expected_version=form.cleaned_data["version"],
            )
        except EditConflict as conflict:
            form = rebind_after_conflict(AnswerForm, form, conflict)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Your input was saved."))
            return redirect("representation:round", partnership_slug, pk)
    return _round_page(request, found, form=form)


@require_POST
@insider_view
def close_round(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    found = get_round_for_user(request_access(request), pk)
    if not found.is_representative:
        raise PermissionDenied
    services.close_input_round(found.input_round)
    messages.success(request, _("The input round was closed."))
    return redirect("representation:round", partnership_slug, pk)


@insider_view
def report(request: HttpRequest, partnership_slug: str, pk: int, seat: int) -> HttpResponse:
    """The report-back of one seat for one meeting: the seat holder edits the
    summary (drafted from the decisions until saved) and marks it reported
    back; once reported, the constituency reads it here."""
    access = request_access(request)
    found = get_report_for_user(access, pk, seat)
    if not found.is_writer:
        if request.method == "POST":
            raise PermissionDenied  # readers may read, not write
        return _report_page(request, found, form=None)
    possible = services.report_back_possible(found.meeting)
    report_back = found.report
    if request.method == "POST":
        form = ReportBackForm(request.POST)
        if possible and form.is_valid():
            try:
                services.save_report_back(
                    found.meeting,
                    found.appointment,
                    summary=form.cleaned_data["summary"],
                    by=_user(request),
                    expected_version=form.cleaned_data["version"],
                )
            except EditConflict as conflict:
                form = rebind_after_conflict(ReportBackForm, form, conflict)
                report_back = ReportBack.objects.filter(
                    meeting=found.meeting, appointment=found.appointment
                ).first()
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("The summary was saved."))
                return redirect("representation:report", partnership_slug, pk, seat)
    elif possible:
        fresh = report_back is None or request.GET.get("utkast") == "1"
        summary = (
            services.draft_summary(found.meeting, found.appointment)
            if fresh
            else report_back.summary  # type: ignore[union-attr]
        )
        form = ReportBackForm(
            initial={
                "summary": summary,
                "version": report_back.version if report_back else None,
            }
        )
    else:
        form = None
    return _report_page(request, found, form=form, current=report_back, possible=possible)


def _report_page(
    request: HttpRequest,
    found: ReportAccess,
    *,
    form: ReportBackForm | None,
    current: ReportBack | None = None,
    possible: bool = False,
) -> HttpResponse:
    slug = request_access(request).partnership.slug
    meeting = found.meeting
    if found.is_writer:
        crumbs = _crumbs(request, (_("Report-back"), None))
    else:
        crumbs = _crumbs(
            request,
            (_("Report-backs to me"), reverse("representation:reports", args=[slug])),
            (Own(meeting), None),
        )
    return render(
        request,
        "representation/report.html",
        {
            "meeting": meeting,
            "seat": found.appointment,
            "is_writer": found.is_writer,
            "report": current if found.is_writer else found.report,
            "form": form,
            "possible": possible,
            "breadcrumbs": crumbs,
        },
    )


@require_POST
@insider_view
def report_done(request: HttpRequest, partnership_slug: str, pk: int, seat: int) -> HttpResponse:
    found = get_report_for_user(request_access(request), pk, seat)
    if not found.is_writer:
        raise PermissionDenied
    try:
        services.mark_reported_back(found.meeting, found.appointment, by=_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Marked as reported back. Your constituency can read it now."))
    return redirect("representation:report", partnership_slug, pk, seat)


@insider_view
def report_text(request: HttpRequest, partnership_slug: str, pk: int, seat: int) -> HttpResponse:
    """The summary as plain text, to paste into an e-mail."""
    found = get_report_for_user(request_access(request), pk, seat)
    report_back = found.report
    if report_back is None:
        if not found.is_writer or not services.report_back_possible(found.meeting):
            raise Http404
        report_back = services.get_or_draft_report_back(found.meeting, found.appointment)
    response = HttpResponse(report_back.summary, content_type="text/plain; charset=utf-8")
    name = slugify(f"tilbakemelding-{found.meeting}") or "tilbakemelding"
    response["Content-Disposition"] = f'attachment; filename="{name}.txt"'
    return response


@insider_view
def council_overview(
    request: HttpRequest, partnership_slug: str, council_slug: str
) -> HttpResponse:
    """Per meeting of one council: how many representing seats asked for
    input, the answers, and how many reported back (constant queries)."""
    access = request_access(request)
    council = get_council(access, council_slug)
    if (
        not access.can(Capability.MANAGE_MEETINGS)
        and council.pk not in seat_council_ids(access).any
    ):
        raise PermissionDenied
    since = timezone.now() - datetime.timedelta(days=365)
    meetings = list(
        council.meetings.filter(starts_at__gte=since)
        .exclude(status=Meeting.Status.CANCELLED)
        .order_by("starts_at")
    )
    return render(
        request,
        "representation/council.html",
        {
            "council": council,
            "rows": services.council_overview(council, meetings),
            "breadcrumbs": _crumbs(request, (Own(council.name), None)),
        },
    )
