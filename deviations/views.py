"""Deviation pages: the list, the report form, a deviation with its dialogue
and handling."""

from __future__ import annotations

from typing import Any

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.forms import rebind_after_conflict
from core.services import EditConflict, error_text, history_for
from councils.models import Council
from deviations import services, timeline
from deviations.access import (
    get_deviation,
    handling_organisation_ids,
    member_reporting_ids,
    side_of,
    visible_deviations,
)
from deviations.forms import (
    AnswerForm,
    AssignForm,
    DeviationFilterForm,
    DeviationForm,
    EscalateForm,
    MeasureForm,
    MessageForm,
    clause_choices,
    routine_choices,
)
from deviations.models import Deviation, DeviationCategory, Guideline
from partnerships.access import PartnershipAccess, request_access
from partnerships.capabilities import Capability
from partnerships.models import Organisation
from partnerships.views import Crumb, insider_view, staff_crumbs

PAGE_SIZE = 50


def _crumbs(request: HttpRequest, *extra: Crumb) -> list[Crumb]:
    slug = request_access(request).partnership.slug
    return staff_crumbs(request, (_("Deviations"), reverse("deviations:list", args=[slug])), *extra)


def _own(access: PartnershipAccess) -> frozenset[int]:
    """The parties the person handles deviations for; 404 for outsiders, 403
    for insiders who neither handle nor manage deviations, may not report as
    members and have reported none."""
    access.require_insider()
    own = handling_organisation_ids(access)
    if (
        not own
        and not access.can(Capability.MANAGE_DEVIATIONS)
        and not member_reporting_ids(access)
        and not visible_deviations(access, own).exists()
    ):
        raise PermissionDenied
    return own


def _reporting(access: PartnershipAccess, own: frozenset[int]) -> frozenset[int]:
    """The parties the person may report for: those they handle deviations
    for, and those that let all members report."""
    return own | member_reporting_ids(access)


def _load(request: HttpRequest, pk: int) -> tuple[PartnershipAccess, frozenset[int], Deviation]:
    """The person's access, their parties, and the deviation if they may see it."""
    access = request_access(request)
    own = _own(access)
    return access, own, get_deviation(access, pk, own)


@insider_view
def deviation_list(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    """Deviations reported by and to the person's parties (all of them for the
    secretariat), filterable, overdue ones marked. Constant queries: the
    filter's parties and categories, the count and one page."""
    access = request_access(request)
    own = _own(access)
    form = DeviationFilterForm(
        request.GET, partnership=access.partnership, default_status=DeviationFilterForm.OPEN
    )
    valid = form.is_valid()
    today = timezone.localdate()
    # A value that is not valid is marked at its field; the others still apply.
    rows = form.apply(
        visible_deviations(access, own).select_related(
            "reporting_organisation", "receiving_organisation", "category"
        ),
        access=access,
        own=own,
        today=today,
    )
    page = Paginator(rows.order_by("-submitted_at", "-created", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for deviation in page.object_list:
        deviation.overdue = deviation.is_overdue(today)  # type: ignore[attr-defined]
        deviation.side = side_of(deviation, own, access.user_id)  # type: ignore[attr-defined]
    can_manage = access.can(Capability.MANAGE_DEVIATIONS)
    return render(
        request,
        "deviations/list.html",
        {
            "page": page,
            "form": form,
            # The exports have the rows the person handles or manages (not
            # those seen only as their author), with the list's filter.
            "export_query": form.query() if valid and (own or can_manage) else None,
            "can_report": bool(_reporting(access, own)),
            "can_set_reporting": bool(own) or can_manage,
            "can_manage": can_manage,
            "breadcrumbs": _crumbs(request),
        },
        status=200 if valid else 400,
    )


def _form(
    access: PartnershipAccess, own: frozenset[int], *args: Any, **kwargs: Any
) -> DeviationForm:
    partnership = access.partnership
    parties = services.parties(partnership)
    return DeviationForm(
        *args,
        own=[o for o in parties if o.pk in own],
        parties=parties,
        categories=DeviationCategory.objects.filter(partnership=partnership, active=True),
        guidelines=Guideline.objects.filter(partnership=partnership, active=True),
        clauses=clause_choices(partnership),
        routines=routine_choices(partnership),
        **kwargs,
    )


@insider_view
def report(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    """Report a deviation: save it as a draft, or submit it at once."""
    access = request_access(request)
    own = _reporting(access, _own(access))
    if not own:
        raise PermissionDenied
    services.ensure_categories(access.partnership)
    form = _form(access, own, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.report_data()
        key = form.cleaned_data.get("client_key")
        try:
            if request.POST.get("action") == "draft":
                deviation = services.save_draft(
                    access.partnership, data, by=request.user, own=own, client_key=key
                )
                flash.success(request, _("The draft was saved. Only your party can see it."))
            else:
                deviation = services.report(
                    access.partnership, data, by=request.user, own=own, client_key=key
                )
                flash.success(
                    request,
                    _("Deviation %(number)s was sent to %(party)s.")
                    % {"number": deviation.number, "party": deviation.receiving_organisation},
                )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return redirect("deviations:detail", partnership_slug, deviation.pk)
    return render(
        request,
        "deviations/form.html",
        {
            "form": form,
            "deviation": None,
            "breadcrumbs": _crumbs(request, (_("Report a deviation"), None)),
        },
        status=400 if form.errors else 200,
    )


def _add_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error_text(error))


@insider_view
def edit_draft(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    access, own, deviation = _load(request, pk)
    if deviation.status != Deviation.Status.DRAFT or side_of(
        deviation, own, access.user_id
    ) not in (services.REPORTER, services.AUTHOR):
        raise PermissionDenied
    own = _reporting(access, own)
    form = _form(access, own, request.POST or None, initial=DeviationForm.initial_from(deviation))
    if request.method == "POST" and form.is_valid():
        try:
            deviation = services.save_draft(
                access.partnership,
                form.report_data(),
                by=request.user,
                own=own,
                deviation=deviation,
                expected_version=form.cleaned_data.get("version") or 0,
            )
            if request.POST.get("action") != "draft":
                deviation = services.submit(
                    deviation, by=request.user, expected_version=deviation.version
                )
        except EditConflict as conflict:
            form = rebind_after_conflict(
                lambda data: _form(access, own, data, initial=form.initial), form, conflict
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if deviation.status == Deviation.Status.DRAFT:
                flash.success(request, _("The draft was saved. Only your party can see it."))
            else:
                flash.success(
                    request,
                    _("Deviation %(number)s was sent to %(party)s.")
                    % {"number": deviation.number, "party": deviation.receiving_organisation},
                )
            return redirect("deviations:detail", partnership_slug, deviation.pk)
    return render(
        request,
        "deviations/form.html",
        {
            "form": form,
            "deviation": deviation,
            "breadcrumbs": _crumbs(
                request,
                (_("Draft"), reverse("deviations:detail", args=[partnership_slug, pk])),
                (_("Edit"), None),
            ),
        },
        status=400 if form.errors else 200,
    )


@insider_view
def detail(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    access, own, deviation = _load(request, pk)
    return _detail_page(request, access, own, deviation)


def _detail_page(
    request: HttpRequest,
    access: PartnershipAccess,
    own: frozenset[int],
    deviation: Deviation,
    *,
    answer_form: AnswerForm | None = None,
    message_form: MessageForm | None = None,
    status: int = 200,
) -> HttpResponse:
    from followups.models import FollowUp

    side = side_of(deviation, own, access.user_id)
    open_for_answer = Deviation.Status.ANSWERED in services.TRANSITIONS[deviation.status]
    can_manage = access.can(Capability.MANAGE_DEVIATIONS)
    submitted = deviation.status != Deviation.Status.DRAFT
    followups = list(
        FollowUp.objects.filter(
            source_content_type__model="deviation", source_object_id=deviation.pk
        ).select_related("responsible_organisation")
    )
    return render(
        request,
        "deviations/detail.html",
        {
            "deviation": deviation,
            "side": side,
            "overdue": deviation.is_overdue(),
            "steps": [
                (s, Deviation.Status(s).label)
                for s in services.allowed_steps(deviation, side)
                if s != Deviation.Status.ANSWERED
            ],
            "thread": list(
                deviation.messages.select_related("author", "organisation").order_by("created")
            ),
            "followups": followups,
            "timeline": timeline.moments(deviation, followups),
            "answer_form": answer_form
            or (
                AnswerForm(
                    initial={
                        "cause": deviation.answer_cause,
                        "measures": deviation.answer_measures,
                        "version": deviation.version,
                    }
                )
                if side == "receiver" and open_for_answer
                else None
            ),
            "message_form": message_form or (MessageForm() if side and submitted else None),
            "assign_form": AssignForm(
                initial={
                    "unit": deviation.assigned_unit,
                    "person": deviation.assigned_to_id,
                    "version": deviation.version,
                },
                people=services.assignable_people(deviation),
            )
            if side == "receiver" and deviation.status in Deviation.OPEN_STATUSES
            else None,
            "escalate_form": EscalateForm(
                councils=Council.objects.filter(partnership=access.partnership).order_by("position")
            )
            if can_manage and submitted and deviation.escalated_case_id is None
            else None,
            "measure_form": MeasureForm(
                initial={
                    "responsible_organisation": deviation.receiving_organisation_id
                    if side != "reporter"
                    else deviation.reporting_organisation_id
                },
                organisations=Organisation.objects.filter(
                    Q(pk=deviation.reporting_organisation_id)
                    | Q(pk=deviation.receiving_organisation_id)
                ).order_by("name"),
            )
            if (side in (services.REPORTER, services.RECEIVER) or can_manage) and submitted
            else None,
            "history": history_for(deviation) if access.can(Capability.VIEW_AUDIT) else None,
            "breadcrumbs": _crumbs(request, (deviation.number or _("Draft"), None)),
        },
        status=status,
    )


@insider_view
@require_POST
def change_status(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    access, own, deviation = _load(request, pk)
    try:
        version = int(request.POST.get("version", ""))
        services.change_status(
            deviation,
            request.POST.get("status", ""),
            side=side_of(deviation, own, access.user_id),
            expected_version=version,
        )
    except ValueError:
        flash.error(request, _("The form was incomplete. Try again."))
    except (ValidationError, EditConflict) as error:
        flash.error(request, error_text(error))
    else:
        flash.success(request, _("The status was changed."))
    return redirect("deviations:detail", partnership_slug, pk)


@insider_view
@require_POST
def answer(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    access, own, deviation = _load(request, pk)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.answer(
                deviation,
                cause=form.cleaned_data["cause"],
                measures=form.cleaned_data["measures"],
                side=side_of(deviation, own, access.user_id),
                expected_version=form.cleaned_data["version"],
            )
        except EditConflict as conflict:
            form = rebind_after_conflict(AnswerForm, form, conflict)
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            flash.success(request, _("The answer was sent to the reporting party."))
            return redirect("deviations:detail", partnership_slug, pk)
    deviation = get_deviation(access, pk, own)
    return _detail_page(request, access, own, deviation, answer_form=form, status=400)


@insider_view
@require_POST
def message(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    access, own, deviation = _load(request, pk)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            services.add_message(
                deviation,
                by=request.user,  # type: ignore[arg-type]
                side=side_of(deviation, own, access.user_id),
                text=form.cleaned_data["text"],
                client_key=form.cleaned_data["client_key"],
            )
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            flash.success(request, _("The message was sent."))
            return redirect("deviations:detail", partnership_slug, pk)
    return _detail_page(request, access, own, deviation, message_form=form, status=400)


@insider_view
@require_POST
def assign(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    access, own, deviation = _load(request, pk)
    form = AssignForm(request.POST, people=services.assignable_people(deviation))
    if form.is_valid():
        try:
            services.assign(
                deviation,
                unit=form.cleaned_data["unit"],
                person=form.cleaned_data["person"],
                side=side_of(deviation, own, access.user_id),
                expected_version=form.cleaned_data["version"],
            )
        except (ValidationError, EditConflict) as error:
            flash.error(request, error_text(error))
        else:
            flash.success(request, _("The deviation was assigned."))
    else:
        flash.error(request, _("Check the unit and person and try again."))
    return redirect("deviations:detail", partnership_slug, pk)


@insider_view
@require_POST
def escalate(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    access, _own_parties, deviation = _load(request, pk)
    access.require(Capability.MANAGE_DEVIATIONS)
    form = EscalateForm(
        request.POST, councils=Council.objects.filter(partnership=access.partnership)
    )
    if not form.is_valid():
        flash.error(request, _("Choose a council."))
        return redirect("deviations:detail", partnership_slug, pk)
    try:
        case = services.escalate(
            deviation,
            council=form.cleaned_data["council"],
            by=request.user,  # type: ignore[arg-type]
        )
    except ValidationError as error:
        flash.error(request, error_text(error))
        return redirect("deviations:detail", partnership_slug, pk)
    flash.success(
        request,
        _("Case %(number)s was drafted for %(council)s.")
        % {"number": case.number, "council": case.council.short_name},
    )
    return redirect("councils:case", partnership_slug, case.pk)


@insider_view
@require_POST
def measure(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    access, own, deviation = _load(request, pk)
    if side_of(deviation, own) is None and not access.can(Capability.MANAGE_DEVIATIONS):
        # Authors who are only members follow their deviation; measures are
        # for the parties' coordinators and the secretariat.
        raise PermissionDenied
    form = MeasureForm(
        request.POST,
        organisations=Organisation.objects.filter(
            Q(pk=deviation.reporting_organisation_id) | Q(pk=deviation.receiving_organisation_id)
        ),
    )
    if not form.is_valid():
        flash.error(request, _("Write what is to be done and choose the responsible party."))
        return redirect("deviations:detail", partnership_slug, pk)
    try:
        followup = services.measure_as_followup(
            deviation,
            title=form.cleaned_data["title"],
            by=request.user,  # type: ignore[arg-type]
            responsible_organisation=form.cleaned_data["responsible_organisation"],
            deadline=form.cleaned_data["deadline"],
            client_key=form.cleaned_data["client_key"],
        )
    except ValidationError as error:
        flash.error(request, error_text(error))
        return redirect("deviations:detail", partnership_slug, pk)
    flash.success(request, _("The measure is now followed up."))
    return redirect("followups:detail", partnership_slug, followup.pk)
