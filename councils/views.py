"""Internal pages of councils: the year's meetings, a council's seats and
meetings, a meeting's agenda, and cases with their papers."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from core import richtext
from core.forms import rebind_after_conflict
from core.own import Own
from core.services import EditConflict, HistoryEntry, error_text, history_for
from councils import case_templates, notices, services
from councils.access import (
    can_see_case,
    get_appointment,
    get_case_for_user,
    get_council,
    get_meeting,
    get_treatment,
    seat_council_ids,
    visible_cases,
    visible_cases_filter,
)
from councils.documents import attachment_response, render_pdf
from councils.forms import (
    AgendaItemForm,
    AppointmentForm,
    AttachmentForm,
    CaseForm,
    CaseTemplateForm,
    DecisionForm,
    FollowUpFromDecisionForm,
    MeetingEditForm,
    MeetingForm,
    MinutesApprovalForm,
    MoveAgendaItemForm,
)
from councils.models import (
    Attendance,
    Case,
    CaseAttachment,
    Council,
    Decision,
    Meeting,
    Treatment,
    Vote,
)
from partnerships.access import (
    PartnershipAccess,
    memberships_in,
    participating_organisations,
    request_access,
)
from partnerships.capabilities import Capability
from partnerships.models import Organisation, Region
from partnerships.views import Crumb, insider_view, staff_crumbs


def _crumbs(request: HttpRequest, *extra: Crumb) -> list[Crumb]:
    slug = request_access(request).partnership.slug
    return staff_crumbs(
        request, (_("Councils and meetings"), reverse("councils:index", args=[slug])), *extra
    )


@insider_view
def index(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    """The year plan (årshjul): every council's meetings this year (two queries)."""
    access = request_access(request)
    year = int(request.GET.get("ar", timezone.localdate().year))
    councils = list(Council.objects.filter(partnership=access.partnership))
    meetings = list(
        Meeting.objects.filter(council__partnership=access.partnership, starts_at__year=year)
        .select_related("council")
        .order_by("starts_at")
    )
    crumbs = _crumbs(request)
    return render(
        request,
        "councils/index.html",
        {
            "councils": councils,
            "meetings": meetings,
            "year": year,
            "can_manage": access.can(Capability.MANAGE_MEETINGS),
            "breadcrumbs": crumbs,
        },
    )


def _constituencies(access: PartnershipAccess) -> list[tuple[str, str]]:
    regions = Region.objects.filter(partnership=access.partnership)
    orgs = participating_organisations(access.partnership).order_by("name")
    return [(f"region:{r.pk}", str(r)) for r in regions] + [(f"org:{o.pk}", o.name) for o in orgs]


@insider_view
def council_detail(request: HttpRequest, partnership_slug: str, council_slug: str) -> HttpResponse:
    """Seats (current and ended) and meetings of one council."""
    access = request_access(request)
    council = get_council(access, council_slug)
    can_manage = access.can(Capability.MANAGE_MEETINGS)
    appointments = list(
        council.appointments.select_related(
            "person", "on_behalf_of_organisation", "on_behalf_of_region"
        ).order_by("valid_to", "role", "person__full_name")
    )
    today = timezone.localdate()
    current = [a for a in appointments if a.valid_to is None or a.valid_to > today]
    ended = [a for a in appointments if a.valid_to is not None and a.valid_to <= today]
    form = None
    if can_manage:
        people = (
            User.objects.filter(
                is_active=True, memberships__in=memberships_in(access.partnership).current()
            )
            .distinct()
            .order_by("full_name")
        )
        form = AppointmentForm(
            request.POST or None,
            people=people,
            constituencies=_constituencies(access),
            initial={"valid_from": today, "has_vote": True},
        )
        if request.method == "POST" and form.is_valid():
            kind, _sep, pk = form.cleaned_data["on_behalf_of"].partition(":")
            services.appoint(
                council,
                person=form.cleaned_data["person"],
                role=form.cleaned_data["role"],
                has_vote=form.cleaned_data["has_vote"],
                position_title=form.cleaned_data["position_title"],
                on_behalf_of_region=Region.objects.get(pk=pk) if kind == "region" else None,
                on_behalf_of_organisation=(
                    Organisation.objects.get(pk=pk) if kind == "org" else None
                ),
                valid_from=form.cleaned_data["valid_from"],
            )
            messages.success(request, _("The appointment was registered."))
            return redirect("councils:council", partnership_slug, council.slug)
    meetings = list(council.meetings.order_by("-starts_at")[:50])
    return render(
        request,
        "councils/council.html",
        {
            "council": council,
            "current": current,
            "ended": ended,
            "meetings": meetings,
            "form": form,
            "can_manage": can_manage,
            "representation_overview": can_manage
            or any(a.person_id == request.user.pk for a in current),
            "breadcrumbs": _crumbs(request, (Own(council.name), None)),
        },
    )


@require_POST
@insider_view
def end_appointment(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    access = request_access(request)
    access.require(Capability.MANAGE_MEETINGS)
    appointment = get_appointment(access, pk)
    services.end_appointment(appointment)
    messages.success(request, _("The appointment has ended."))
    return redirect("councils:council", partnership_slug, appointment.council.slug)


@insider_view
def plan_meeting(request: HttpRequest, partnership_slug: str, council_slug: str) -> HttpResponse:
    access = request_access(request)
    access.require(Capability.MANAGE_MEETINGS)
    council = get_council(access, council_slug)
    others = Council.objects.filter(partnership=access.partnership).exclude(pk=council.pk)
    form = MeetingForm(request.POST or None, others=others)
    if request.method == "POST" and form.is_valid():
        starts_at, ends_at = form.moments()
        meeting = services.plan_meeting(
            council,
            starts_at=starts_at,
            ends_at=ends_at,
            title=form.cleaned_data["title"],
            location=form.cleaned_data["location"],
            video_url=form.cleaned_data["video_url"],
            papers_deadline=form.cleaned_data["papers_deadline"],
            joint_with=list(form.cleaned_data["joint_with"]),
        )
        messages.success(request, _("The meeting was planned."))
        return redirect("councils:meeting", partnership_slug, meeting.pk)
    return render(
        request,
        "councils/meeting_form.html",
        {
            "form": form,
            "council": council,
            "breadcrumbs": _crumbs(
                request,
                (
                    Own(council.name),
                    reverse("councils:council", args=[partnership_slug, council.slug]),
                ),
                (_("Plan a meeting"), None),
            ),
        },
    )


def _agenda(meeting: Meeting) -> list[Treatment]:
    """The agenda with each case (one query)."""
    return list(meeting.treatments.select_related("case").order_by("position", "pk"))


@insider_view
def meeting_detail(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    access = request_access(request)
    meeting = get_meeting(access, pk)
    seats = seat_council_ids(access)
    visible = visible_cases_filter(access, seats)
    visible_ids = set(
        Case.objects.filter(treatments__meeting=meeting)
        .filter(visible)
        .values_list("pk", flat=True)
    )
    agenda = _agenda(meeting)
    for item in agenda:
        item.visible = item.case_id is None or item.case_id in visible_ids  # type: ignore[attr-defined]
    can_manage = access.can(Capability.MANAGE_MEETINGS)
    may_change = can_manage and meeting.status in services.AGENDA_OPEN
    if may_change:
        # Cases move among themselves; standing items keep their places.
        cases = [item for item in agenda if item.case_id is not None]
        for place, item in enumerate(cases):
            item.can_move_up = place > 0  # type: ignore[attr-defined]
            item.can_move_down = place < len(cases) - 1  # type: ignore[attr-defined]
    joint_with = list(meeting.joint_with.all())
    meeting_councils = {meeting.council_id, *(c.pk for c in joint_with)}
    seated = bool(meeting_councils & seats.full)
    form = None
    if may_change:
        form = AgendaItemForm(
            cases=Case.objects.filter(partnership=access.partnership)
            .exclude(treatments__meeting=meeting)
            .order_by("-year", "-sequence")
        )
    return render(
        request,
        "councils/meeting.html",
        {
            "meeting": meeting,
            "agenda": agenda,
            "joint_with": joint_with,
            "form": form,
            "can_manage": can_manage,
            "may_change": may_change,
            "seated": seated,
            "representation_overview": can_manage or seated,
            "may_ask_for_input": seated and meeting.status in services.AGENDA_OPEN,
            "transitions": [
                (s, Meeting.Status(s).label)
                for s in services.allowed_meeting_transitions(meeting)
                # Approval is recorded on the minutes page, with how and when.
                if s != Meeting.Status.MINUTES_APPROVED
            ]
            if can_manage
            else [],
            "history": _meeting_history(meeting) if access.can(Capability.VIEW_AUDIT) else None,
            "breadcrumbs": _crumbs(
                request,
                (
                    Own(meeting.council.name),
                    reverse("councils:council", args=[partnership_slug, meeting.council.slug]),
                ),
                (Own(meeting), None),
            ),
        },
    )


def _meeting_history(meeting: Meeting) -> list[HistoryEntry]:
    """The meeting's change history, with the order of its agenda (recorded
    on the meeting by ``services.move_agenda_item``) named in the person's
    language."""
    label = _("Order of the agenda")
    return [
        dataclasses.replace(
            entry,
            changes=[
                (label if name == services.AGENDA_ORDER else name, before, after)
                for name, before, after in entry.changes
            ],
        )
        for entry in history_for(meeting)
    ]


@insider_view
def meeting_edit(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    """Change the time, place or details of a meeting not yet held."""
    access = request_access(request)
    access.require(Capability.MANAGE_MEETINGS)
    meeting = get_meeting(access, pk)
    try:
        services.require_open(meeting)
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect("councils:meeting", partnership_slug, meeting.pk)
    form = MeetingEditForm(request.POST or None, initial=MeetingEditForm.initial_for(meeting))
    current = None
    if request.method == "POST" and form.is_valid():
        try:
            services.update_meeting(
                meeting, form.details(), by=request.user, version=form.cleaned_data["version"]
            )
        except EditConflict as conflict:
            current = Meeting.objects.get(pk=meeting.pk)
            form = rebind_after_conflict(MeetingEditForm, form, conflict)
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("The meeting was saved."))
            return redirect("councils:meeting", partnership_slug, meeting.pk)
        meeting = get_meeting(access, pk)  # as stored, not as typed
    meeting_url = reverse("councils:meeting", args=[partnership_slug, meeting.pk])
    return render(
        request,
        "councils/meeting_edit.html",
        {
            "form": form,
            "meeting": meeting,
            "current": current,
            "breadcrumbs": _crumbs(
                request,
                (
                    Own(meeting.council.name),
                    reverse("councils:council", args=[partnership_slug, meeting.council.slug]),
                ),
                (Own(meeting), meeting_url),
                (_("Change"), None),
            ),
        },
    )


@require_POST
@insider_view
def meeting_status(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    access = request_access(request)
    access.require(Capability.MANAGE_MEETINGS)
    meeting = get_meeting(access, pk)
    target = request.POST.get("status", "")
    if target == Meeting.Status.NOTICE_PUBLISHED and request.POST.get("confirmed") != "yes":
        # Publishing e-mails the whole council and opens the public agenda:
        # one more click, with who is told, before it happens.
        return _confirm_publishing(request, meeting)
    try:
        services.change_meeting_status(meeting, target, int(request.POST.get("version", "-1")))
    except (ValidationError, EditConflict, ValueError) as error:
        messages.error(request, error_text(error))
    else:
        messages.success(
            request,
            _("The meeting is now “%(status)s”.") % {"status": meeting.get_status_display()},
        )
    return redirect("councils:meeting", partnership_slug, meeting.pk)


def _confirm_publishing(request: HttpRequest, meeting: Meeting) -> HttpResponse:
    from councils.notices import seat_holders

    people = sorted(seat_holders(meeting), key=lambda person: person.full_name)
    slug = meeting.council.partnership.slug
    return render(
        request,
        "councils/publish_confirm.html",
        {
            "meeting": meeting,
            "people": people,
            "version": request.POST.get("version", ""),
            "breadcrumbs": _crumbs(
                request,
                (
                    Own(meeting.council.name),
                    reverse("councils:council", args=[slug, meeting.council.slug]),
                ),
                (Own(meeting), reverse("councils:meeting", args=[slug, meeting.pk])),
                (_("Publish the notice"), None),
            ),
        },
    )


@require_POST
@insider_view
def add_agenda_item(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    access = request_access(request)
    access.require(Capability.MANAGE_MEETINGS)
    meeting = get_meeting(access, pk)
    form = AgendaItemForm(request.POST, cases=Case.objects.filter(partnership=access.partnership))
    if form.is_valid():
        try:
            services.add_to_agenda(meeting, form.cleaned_data["case"], form.cleaned_data["kind"])
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("The case was added to the agenda."))
    else:
        messages.error(request, _("Choose a case and how it is to be handled."))
    return redirect("councils:meeting", partnership_slug, meeting.pk)


@require_POST
@insider_view
def remove_agenda_item(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    access = request_access(request)
    access.require(Capability.MANAGE_MEETINGS)
    treatment = get_treatment(access, pk)
    try:
        services.remove_from_agenda(treatment)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("The case was taken off the agenda."))
    return redirect("councils:meeting", partnership_slug, treatment.meeting_id)


@require_POST
@insider_view
def move_agenda_item(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    """Move a case one place up or down the agenda (a button per item)."""
    access = request_access(request)
    access.require(Capability.MANAGE_MEETINGS)
    treatment = get_treatment(access, pk, with_case=True)
    form = MoveAgendaItemForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether to move the item up or down."))
    else:
        try:
            moved = services.move_agenda_item(
                treatment,
                form.cleaned_data["direction"],
                by=request.user,
                seen_position=form.cleaned_data["position"],
            )
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            if moved:
                messages.success(request, _("The agenda was reordered."))
            else:
                messages.info(request, _("Nothing was moved. Check the order of the agenda."))
    url = reverse("councils:meeting", args=[partnership_slug, treatment.meeting_id])
    return redirect(f"{url}#agenda")


@insider_view
def case_list(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    """Cases the person may see, with the meetings that treat them (two queries)."""
    access = request_access(request)
    seats = seat_council_ids(access)
    cases = list(
        visible_cases(access, seats)
        .select_related("council")
        .prefetch_related(
            Prefetch(
                "treatments",
                queryset=Treatment.objects.select_related("meeting", "meeting__council").order_by(
                    "meeting__starts_at"
                ),
            )
        )
        .order_by("-year", "-sequence")[:200]
    )
    return render(
        request,
        "councils/case_list.html",
        {
            "cases": cases,
            "can_manage": access.can(Capability.MANAGE_MEETINGS),
            "breadcrumbs": _crumbs(request, (_("Cases"), None)),
        },
    )


def _case_councils(access: PartnershipAccess) -> Any:
    return Council.objects.filter(partnership=access.partnership)


@insider_view
def case_create(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    access = request_access(request)
    access.require(Capability.MANAGE_MEETINGS)
    # A template fills the case paper of a new, empty form (?mal=…).
    template_form = CaseTemplateForm(request.GET or None)
    template = (
        case_templates.get(template_form.cleaned_data["mal"])
        if template_form.is_bound and template_form.is_valid()
        else None
    )
    form = CaseForm(
        request.POST or None,
        councils=_case_councils(access),
        initial=template.initial() if template else None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case, created = services.create_case(
                council=data["council"],
                title=data["title"],
                by=request.user,
                visibility=data["visibility"],
                public_title=data["public_title"],
                legal_basis=data["legal_basis"],
                background=data["background"],
                assessment=data["assessment"],
                proposed_decision=data["proposed_decision"],
                client_key=data.get("client_key"),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if created:
                messages.success(
                    request, _("Case %(number)s was created.") % {"number": case.number}
                )
            return redirect("councils:case", partnership_slug, case.pk)
    return render(
        request,
        "councils/case_form.html",
        {
            "form": form,
            "template_form": template_form,
            "case": None,
            "breadcrumbs": _crumbs(request, (_("New case"), None)),
        },
    )


@insider_view
def case_detail(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    access = request_access(request)
    case = get_case_for_user(access, pk, seat_council_ids(access))
    form = AttachmentForm() if access.can(Capability.MANAGE_MEETINGS) else None
    return _case_page(request, access, case, form)


def _case_page(
    request: HttpRequest,
    access: PartnershipAccess,
    case: Case,
    attachment_form: AttachmentForm | None,
    *,
    status: int = 200,
) -> HttpResponse:
    slug = access.partnership.slug
    return render(
        request,
        "councils/case.html",
        {
            "case": case,
            "treatments": list(case.treatments.select_related("meeting", "meeting__council")),
            "attachments": list(case.attachments.all()),
            "attachment_form": attachment_form,
            "can_manage": access.can(Capability.MANAGE_MEETINGS),
            "history": _readable(history_for(case)) if access.can(Capability.VIEW_AUDIT) else None,
            "breadcrumbs": _crumbs(
                request, (_("Cases"), reverse("councils:cases", args=[slug])), (case.number, None)
            ),
        },
        status=status,
    )


def _readable(history: list[HistoryEntry]) -> list[HistoryEntry]:
    """The case paper's changes as the text a reader sees, not the HTML it is
    stored as."""
    paper = {
        str(f.verbose_name) for f in Case._meta.concrete_fields if f.name in Case.RICH_TEXT_FIELDS
    }

    def text(value: str) -> str:
        return Own(richtext.text_of(value) or value) if isinstance(value, Own) else value

    return [
        dataclasses.replace(
            entry,
            changes=[
                (label, text(before), text(after)) if label in paper else (label, before, after)
                for label, before, after in entry.changes
            ],
        )
        for entry in history
    ]


@insider_view
@require_POST
def add_attachment(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    access = request_access(request)
    access.require(Capability.MANAGE_MEETINGS)
    case = get_case_for_user(access, pk, seat_council_ids(access))
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            attachment = services.add_attachment(
                case, form.cleaned_data["file"], title=form.cleaned_data["title"], by=request.user
            )
        except ValidationError as error:
            form.add_error("file", error_text(error))
        else:
            notices.notify_papers_changed(case)
            messages.success(request, _("“%(title)s” was attached.") % {"title": attachment.title})
            return redirect("councils:case", partnership_slug, case.pk)
    return _case_page(request, access, case, form, status=400)


def _attachment(access: PartnershipAccess, pk: int) -> CaseAttachment:
    attachment = (
        CaseAttachment.objects.filter(case__partnership=access.partnership, pk=pk)
        .select_related("case", "case__council")
        .first()
    )
    if attachment is None or not can_see_case(access, attachment.case, seat_council_ids(access)):
        raise Http404
    return attachment


@insider_view
def download_attachment(
    request: HttpRequest, partnership_slug: str, pk: int
) -> StreamingHttpResponse:
    return attachment_response(_attachment(request_access(request), pk))


@insider_view
@require_POST
def remove_attachment(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    access = request_access(request)
    access.require(Capability.MANAGE_MEETINGS)
    attachment = _attachment(access, pk)
    case = attachment.case
    services.remove_attachment(attachment)
    notices.notify_papers_changed(case)
    messages.success(request, _("“%(title)s” was removed.") % {"title": attachment.title})
    return redirect("councils:case", partnership_slug, case.pk)


CASE_FIELDS = [
    "council",
    "title",
    "visibility",
    "public_title",
    "legal_basis",
    "background",
    "assessment",
    "proposed_decision",
]


@insider_view
def case_edit(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    access = request_access(request)
    access.require(Capability.MANAGE_MEETINGS)
    case = get_case_for_user(access, pk, seat_council_ids(access))
    form = CaseForm(
        request.POST or None,
        instance=case,
        councils=_case_councils(access),
        initial={"version": case.version},
    )
    current = None
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in CASE_FIELDS}
        try:
            services.update_case(case, data, form.cleaned_data["version"])
        except EditConflict as conflict:
            current = Case.objects.get(pk=case.pk)
            form = rebind_after_conflict(
                lambda data: CaseForm(
                    data, instance=Case.objects.get(pk=case.pk), councils=_case_councils(access)
                ),
                form,
                conflict,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The case was saved."))
            return redirect("councils:case", partnership_slug, case.pk)
    return render(
        request,
        "councils/case_form.html",
        {
            "form": form,
            "case": case,
            "current": current,
            "breadcrumbs": _crumbs(
                request,
                (_("Cases"), reverse("councils:cases", args=[partnership_slug])),
                (case.number, reverse("councils:case", args=[partnership_slug, case.pk])),
                (_("Edit"), None),
            ),
        },
    )


ATTENDANCE_CHOICES = Attendance.Status.choices


@insider_view
def attendance(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    access = request_access(request)
    access.require(Capability.MANAGE_MEETINGS)
    meeting = get_meeting(access, pk)
    seats = services.seats_for(meeting)
    recorded = dict(meeting.attendance.values_list("appointment_id", "status"))
    if request.method == "POST":
        statuses = {
            seat.pk: request.POST.get(f"seat-{seat.pk}", "")
            for seat in seats
            if request.POST.get(f"seat-{seat.pk}") in Attendance.Status.values
        }
        try:
            services.record_attendance(meeting, statuses)
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("Attendance was saved."))
            return redirect("councils:meeting", partnership_slug, meeting.pk)
    rows = [(seat, recorded.get(seat.pk, "")) for seat in seats]
    return render(
        request,
        "councils/attendance.html",
        {
            "meeting": meeting,
            "rows": rows,
            "choices": ATTENDANCE_CHOICES,
            "breadcrumbs": _crumbs(
                request,
                (Own(meeting), reverse("councils:meeting", args=[partnership_slug, meeting.pk])),
                (_("Attendance"), None),
            ),
        },
    )


@insider_view
def decision(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    """Record the decision on one agenda item, and follow-ups of it."""
    access = request_access(request)
    access.require(Capability.MANAGE_MEETINGS)
    treatment = get_treatment(access, pk, with_case=True)
    existing = Decision.objects.filter(treatment=treatment).first()
    organisations = participating_organisations(access.partnership).order_by("name")
    form = DecisionForm(
        initial={
            "adopted_as_recommended": existing.adopted_as_recommended if existing else True,
            "adopted_text": existing.adopted_text if existing else "",
            "version": existing.version if existing else 0,
        }
    )
    followup_form = FollowUpFromDecisionForm(organisations=organisations) if existing else None
    if request.method == "POST" and request.POST.get("action") == "followup" and existing:
        followup_form = FollowUpFromDecisionForm(request.POST, organisations=organisations)
        if followup_form.is_valid():
            data = followup_form.cleaned_data
            followup = services.followup_from_decision(
                existing,
                title=data["title"],
                by=request.user,
                responsible_organisation=data["responsible_organisation"],
                deadline=data["deadline"],
                client_key=data["client_key"],
            )
            messages.success(request, _("The follow-up was created."))
            return redirect("followups:detail", partnership_slug, followup.pk)
    elif request.method == "POST" and request.POST.get("action") == "votes" and existing:
        choices = {
            seat.pk: request.POST.get(f"vote-{seat.pk}", "")
            for seat in services.voting_seats(treatment.meeting)
            if request.POST.get(f"vote-{seat.pk}")
        }
        try:
            services.record_votes(existing, choices)
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("The votes were saved."))
            return redirect("councils:decision", partnership_slug, treatment.pk)
    elif request.method == "POST":
        form = DecisionForm(request.POST)
        if form.is_valid():
            try:
                services.record_decision(
                    treatment,
                    adopted_as_recommended=form.cleaned_data["adopted_as_recommended"],
                    adopted_text=form.cleaned_data["adopted_text"],
                    by=request.user,
                    expected_version=form.cleaned_data.get("version") if existing else None,
                )
            except (ValidationError, EditConflict) as error:
                form.add_error(None, error_text(error))
            else:
                messages.success(request, _("The decision was recorded."))
                return redirect("councils:decision", partnership_slug, treatment.pk)
    followups = []
    if existing:
        from followups.models import FollowUp

        followups = list(
            FollowUp.objects.filter(
                source_content_type__model="decision", source_object_id=existing.pk
            ).select_related("responsible_organisation")
        )
    vote_rows: list[tuple[Any, str]] = []
    if existing:
        existing.tally = services.vote_tally(list(existing.votes.all()))  # type: ignore[attr-defined]
        if treatment.meeting.status in services.RECORDING_OPEN:
            cast = dict(existing.votes.values_list("appointment_id", "choice"))
            vote_rows = [
                (seat, cast.get(seat.pk, "")) for seat in services.voting_seats(treatment.meeting)
            ]
    return render(
        request,
        "councils/decision.html",
        {
            "vote_rows": vote_rows,
            "vote_choices": Vote.Choice.choices,
            "treatment": treatment,
            "case": treatment.case,
            "meeting": treatment.meeting,
            "existing": existing,
            "form": form,
            "followup_form": followup_form,
            "followups": followups,
            "can_record": treatment.meeting.status in services.RECORDING_OPEN,
            "breadcrumbs": _crumbs(
                request,
                (
                    Own(treatment.meeting),
                    reverse("councils:meeting", args=[partnership_slug, treatment.meeting_id]),
                ),
                (_("Decision"), None),
            ),
        },
    )


@insider_view
def minutes(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    """The minutes as generated from attendance and decisions; approval."""
    access = request_access(request)
    meeting = get_meeting(access, pk)
    if meeting.status in (Meeting.Status.PLANNED, Meeting.Status.NOTICE_PUBLISHED):
        raise Http404
    seats = seat_council_ids(access)
    context = services.minutes_context(meeting, public=False)
    visible = set(
        Case.objects.filter(treatments__meeting=meeting)
        .filter(visible_cases_filter(access, seats))
        .values_list("pk", flat=True)
    )
    for item in context["items"]:
        item.visible = item.case_id is None or item.case_id in visible  # type: ignore[attr-defined]
    form = None
    if access.can(Capability.MANAGE_MEETINGS) and meeting.status == Meeting.Status.MINUTES_DRAFTED:
        form = MinutesApprovalForm(
            request.POST or None,
            initial={"approved_on": timezone.localdate(), "version": meeting.version},
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.approve_minutes(
                    meeting,
                    approved_on=form.cleaned_data["approved_on"],
                    approved_by=form.cleaned_data["approved_by"],
                    by=request.user,
                    expected_version=form.cleaned_data["version"],
                )
            except (ValidationError, EditConflict) as error:
                form.add_error(None, error_text(error))
            else:
                messages.success(request, _("The minutes are approved."))
                return redirect("councils:minutes", partnership_slug, meeting.pk)
    return render(
        request,
        "councils/minutes.html",
        {
            **context,
            "meeting": meeting,
            "form": form,
            "breadcrumbs": _crumbs(
                request,
                (Own(meeting), reverse("councils:meeting", args=[partnership_slug, meeting.pk])),
                (_("Minutes"), None),
            ),
        },
    )


def _visible_agenda(access: PartnershipAccess, meeting: Meeting) -> list[Treatment]:
    """The agenda with each case and its attachments, each item marked with
    whether this person may read its papers (three queries)."""
    visible_ids = set(
        Case.objects.filter(treatments__meeting=meeting)
        .filter(visible_cases_filter(access, seat_council_ids(access)))
        .values_list("pk", flat=True)
    )
    agenda = list(
        meeting.treatments.select_related("case")
        .prefetch_related("case__attachments")
        .order_by("position", "pk")
    )
    for item in agenda:
        item.visible = item.case_id is None or item.case_id in visible_ids  # type: ignore[attr-defined]
    return agenda


@insider_view
def agenda_pdf(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    """The notice and agenda with the papers this person may read, as PDF."""
    access = request_access(request)
    meeting = get_meeting(access, pk)
    context = {
        "meeting": meeting,
        "joint_with": list(meeting.joint_with.all()),
        "agenda": _visible_agenda(access, meeting),
        "public": False,
        "generated": timezone.now(),
    }
    return render_pdf(
        request, "councils/pdf/agenda.html", context, filename=_pdf_name(meeting, "saksliste")
    )


@insider_view
def minutes_pdf(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    access = request_access(request)
    meeting = get_meeting(access, pk)
    if meeting.status in (Meeting.Status.PLANNED, Meeting.Status.NOTICE_PUBLISHED):
        raise Http404
    context = services.minutes_context(meeting, public=False)
    visible = set(
        Case.objects.filter(treatments__meeting=meeting)
        .filter(visible_cases_filter(access, seat_council_ids(access)))
        .values_list("pk", flat=True)
    )
    for item in context["items"]:
        item.visible = item.case_id is None or item.case_id in visible  # type: ignore[attr-defined]
    context.update(
        meeting=meeting, joint_with=list(meeting.joint_with.all()), generated=timezone.now()
    )
    return render_pdf(
        request, "councils/pdf/minutes.html", context, filename=_pdf_name(meeting, "protokoll")
    )


def _pdf_name(meeting: Meeting, kind: str) -> str:
    day = timezone.localtime(meeting.starts_at).date().isoformat()
    return f"{meeting.council.slug}-{day}-{kind}.pdf"
