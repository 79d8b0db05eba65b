"""Coordination pages of a crisis: the coordination group's meetings and the
generated agenda, the crisis log with its follow-ups, and resource requests
between the parties. The rules live in :mod:`crisis.coordination`."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages as flash
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.forms import rebind_after_conflict
from core.own import Own
from core.services import EditConflict, error_text
from crisis import coordination, periods, services
from crisis.access import get_crisis, reporting_organisation_ids
from crisis.coordination_forms import (
    GenerateAgendaForm,
    LogEntryForm,
    LogFollowUpForm,
    OfferForm,
    ResourceRequestForm,
)
from crisis.models import CoordinationMeeting, Crisis, LogEntry, ResourceRequest
from partnerships.access import PartnershipAccess, request_access
from partnerships.capabilities import Capability
from partnerships.models import Organisation, Participation, Region
from partnerships.views import Crumb, insider_view, staff_crumbs

PAGE_SIZE = 50
R = ResourceRequest.Status


def _link(name: str, *args: Any) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:  # a page another part of the module has not built
        return None


def _crumbs(request: HttpRequest, crisis: Crisis, *extra: Crumb) -> list[Crumb]:
    slug = request_access(request).partnership.slug
    crumbs = [
        (_("Crisis preparedness"), _link("crisis:index", slug)),
        (Own(crisis.name), _link("crisis:crisis", slug, crisis.pk)),
    ]
    return staff_crumbs(request, *[c for c in crumbs if c[1]], *extra)


def _add_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error_text(error))


def _manages(access: PartnershipAccess) -> bool:
    return access.can(Capability.MANAGE_CRISIS)


# --- The coordination meeting --------------------------------------------------------


def _regions(crisis: Crisis) -> Any:
    chosen = crisis.regions.all()
    if chosen.exists():
        return chosen.order_by("position", "name")
    return Region.objects.filter(partnership_id=crisis.partnership_id).order_by("position", "name")


def _generate_form(crisis: Crisis, data: Any = None) -> GenerateAgendaForm:
    return GenerateAgendaForm(
        data,
        periods=periods.periods(crisis),
        regions=_regions(crisis),
        label=lambda start: f"{coordination.period_label(crisis, start)} ({start:%d.%m.%Y})",
    )


@insider_view
def coordination_page(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    """The crisis's coordination meetings (everyone who reads the crisis) and,
    for the secretariat, the form that plans one with a generated agenda."""
    access = request_access(request)
    crisis = get_crisis(access, pk)
    form = None
    if request.method == "POST":
        access.require(Capability.MANAGE_CRISIS)
        form = _generate_form(crisis, request.POST)
        if form.is_valid():
            try:
                link = coordination.generate_agenda(
                    crisis,
                    form.cleaned_data["period"],
                    by=request.user,
                    region=form.cleaned_data["region"],
                    starts_at=form.starts_at,
                    client_key=form.cleaned_data["client_key"],
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                flash.success(request, _("The meeting was planned with a generated agenda."))
                return redirect("councils:meeting", partnership_slug, link.meeting_id)
    elif _manages(access):
        form = _generate_form(crisis)
    meetings = (
        CoordinationMeeting.objects.filter(crisis=crisis)
        .select_related("meeting", "region")
        .order_by("-period_start", "-meeting__starts_at")
    )
    return render(
        request,
        "crisis/agenda.html",
        {
            "crisis": crisis,
            "meetings": meetings,
            "form": form,
            "breadcrumbs": _crumbs(request, crisis, (_("Coordination meetings"), None)),
        },
        status=400 if form is not None and form.errors else 200,
    )


# --- The crisis log ------------------------------------------------------------------


@insider_view
def log(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    """The crisis log, newest first, each entry with its follow-ups; the
    secretariat adds entries. Queries do not grow with the entries: the
    count, one page, and the page's follow-ups."""
    from followups.models import FollowUp

    access = request_access(request)
    crisis = get_crisis(access, pk)
    manages = _manages(access)
    form = None
    if request.method == "POST":
        access.require(Capability.MANAGE_CRISIS)
        form = LogEntryForm(request.POST)
        if form.is_valid():
            try:
                coordination.add_log_entry(
                    crisis,
                    text=form.cleaned_data["text"],
                    by=request.user,
                    occurred_at=form.occurred_at,
                    client_key=form.cleaned_data["client_key"],
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                flash.success(request, _("The event was logged."))
                return redirect("crisis:log", partnership_slug, pk)
    elif manages:
        form = LogEntryForm()
    page = Paginator(
        LogEntry.objects.filter(crisis=crisis).select_related("by"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    followups: dict[int, list[FollowUp]] = defaultdict(list)
    for followup in FollowUp.objects.filter(
        source_content_type=ContentType.objects.get_for_model(LogEntry),
        source_object_id__in=[entry.pk for entry in page.object_list],
    ).select_related("responsible_organisation"):
        followups[followup.source_object_id].append(followup)  # type: ignore[index]
    for entry in page.object_list:
        entry.followups = followups.get(entry.pk, [])  # type: ignore[attr-defined]
    return render(
        request,
        "crisis/log.html",
        {
            "crisis": crisis,
            "page": page,
            "form": form,
            "can_manage": manages,
            "breadcrumbs": _crumbs(request, crisis, (_("Crisis log"), None)),
        },
        status=400 if form is not None and form.errors else 200,
    )


@insider_view
def log_followup(
    request: HttpRequest, partnership_slug: str, pk: int, entry_pk: int
) -> HttpResponse:
    """Turn a log entry into an action in the follow-up module."""
    access = request_access(request)
    crisis = get_crisis(access, pk)
    access.require(Capability.MANAGE_CRISIS)
    entry = LogEntry.objects.filter(crisis=crisis, pk=entry_pk).first()
    if entry is None:
        raise Http404
    organisations = (
        Organisation.objects.filter(
            participations__in=Participation.objects.current().filter(
                partnership=access.partnership, role=Participation.Role.PARTY
            )
        )
        .distinct()
        .order_by("name")
    )
    form = LogFollowUpForm(
        request.POST if request.method == "POST" else None, organisations=organisations
    )
    if request.method == "POST" and form.is_valid():
        try:
            followup = coordination.log_followup(
                entry,
                title=form.cleaned_data["title"],
                by=request.user,
                responsible_organisation=form.cleaned_data["responsible_organisation"],
                deadline=form.cleaned_data["deadline"],
                client_key=form.cleaned_data["client_key"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            flash.success(request, _("The action is now followed up."))
            return redirect("followups:detail", partnership_slug, followup.pk)
    return render(
        request,
        "crisis/log_followup.html",
        {
            "crisis": crisis,
            "entry": entry,
            "form": form,
            "breadcrumbs": _crumbs(
                request,
                crisis,
                (_("Crisis log"), reverse("crisis:log", args=[partnership_slug, pk])),
                (_("Follow up"), None),
            ),
        },
        status=400 if form.errors else 200,
    )


# --- Resource requests ---------------------------------------------------------------


@insider_view
def request_list(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    """The crisis's resource requests, open ones first by default; every
    crisis viewer sees all of them. Queries: the count and one page."""
    access = request_access(request)
    crisis = get_crisis(access, pk)
    own = reporting_organisation_ids(access)
    rows = ResourceRequest.objects.filter(crisis=crisis).select_related(
        "requesting_organisation", "offering_organisation"
    )
    status = request.GET.get("status", "open")
    if status == "open":
        rows = rows.filter(status__in=coordination.OPEN_REQUEST_STATUSES)
    elif status in R.values:
        rows = rows.filter(status=status)
    else:
        status = "all"
    mine = bool(request.GET.get("mine")) and bool(own)
    if mine:
        rows = rows.filter(
            Q(requesting_organisation_id__in=own) | Q(offering_organisation_id__in=own)
        )
    page = Paginator(rows.order_by("-created", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "crisis/requests.html",
        {
            "crisis": crisis,
            "page": page,
            "status": status,
            "statuses": R.choices,
            "mine": mine,
            "has_own": bool(own),
            # A party's coordinator asks if the party takes part in the crisis.
            "can_request": crisis.status == Crisis.Status.ACTIVE
            and (_manages(access) or bool(own and own & coordination.crisis_party_ids(crisis))),
            "breadcrumbs": _crumbs(request, crisis, (_("Resource requests"), None)),
        },
    )


@insider_view
def request_new(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    """Ask the other parties for resources: for the person's own party, or
    (the secretariat) on behalf of any party of the crisis."""
    access = request_access(request)
    crisis = get_crisis(access, pk)
    own = reporting_organisation_ids(access)
    if not own and not _manages(access):
        raise PermissionDenied
    parties = services.parties_of(crisis)
    allowed = parties if _manages(access) else [p for p in parties if p.pk in own]
    if not allowed:
        raise PermissionDenied
    form = ResourceRequestForm(
        request.POST if request.method == "POST" else None, organisations=allowed
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = coordination.request_resources(
                crisis,
                organisation=data["organisation"],
                kind=data["kind"],
                description=data["description"],
                quantity=data["quantity"],
                needed_by=data["needed_by"],
                by=request.user,
                client_key=data["client_key"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            flash.success(request, _("The request was sent to the other parties."))
            return redirect("crisis:request", partnership_slug, pk, made.pk)
    return render(
        request,
        "crisis/request_form.html",
        {
            "crisis": crisis,
            "form": form,
            "breadcrumbs": _crumbs(
                request,
                crisis,
                (_("Resource requests"), reverse("crisis:requests", args=[partnership_slug, pk])),
                (_("New request"), None),
            ),
        },
        status=400 if form.errors else 200,
    )


def _load_request(access: PartnershipAccess, pk: int, rpk: int) -> tuple[Crisis, ResourceRequest]:
    """The crisis and one of its requests, for someone who reads the crisis
    (404 otherwise)."""
    crisis = get_crisis(access, pk)
    found = (
        ResourceRequest.objects.filter(crisis=crisis, pk=rpk)
        .select_related("requesting_organisation", "offering_organisation", "created_by")
        .first()
    )
    if found is None:
        raise Http404
    found.crisis = crisis
    return crisis, found


def _offerers(resource: ResourceRequest, own: frozenset[int]) -> list[Organisation]:
    """The person's parties that could offer help: every one but the requester."""
    ids = own - {resource.requesting_organisation_id}
    return list(Organisation.objects.filter(pk__in=ids).order_by("name")) if ids else []


def _request_page(
    request: HttpRequest,
    access: PartnershipAccess,
    crisis: Crisis,
    resource: ResourceRequest,
    *,
    offer_form: OfferForm | None = None,
    status: int = 200,
) -> HttpResponse:
    own = reporting_organisation_ids(access)
    sides = coordination.sides_of(resource, own, manages=_manages(access))
    steps = coordination.allowed_steps(resource, sides)
    if offer_form is None and R.OFFERED in steps:
        offer_form = OfferForm(
            initial={"version": resource.version}, organisations=_offerers(resource, own)
        )
    return render(
        request,
        "crisis/request.html",
        {
            "crisis": crisis,
            "resource": resource,
            "steps": [(s, R(s).label) for s in steps if s != R.OFFERED],
            "offer_form": offer_form,
            "breadcrumbs": _crumbs(
                request,
                crisis,
                (
                    _("Resource requests"),
                    reverse("crisis:requests", args=[access.partnership.slug, crisis.pk]),
                ),
                (resource.requesting_organisation.name, None),
            ),
        },
        status=status,
    )


@insider_view
def request_detail(request: HttpRequest, partnership_slug: str, pk: int, rpk: int) -> HttpResponse:
    """A request, with the steps the person may take on it."""
    access = request_access(request)
    crisis, resource = _load_request(access, pk, rpk)
    return _request_page(request, access, crisis, resource)


def _step_done(status: str) -> str:
    done: dict[str, str] = {
        R.OFFERED: _("Your offer was sent to the requesting party."),
        R.AGREED: _("The offer was agreed."),
        R.DELIVERED: _("The request is marked as delivered."),
        R.WITHDRAWN: _("The request was withdrawn."),
    }
    return done.get(status, _("The request was changed."))


@insider_view
@require_POST
def request_step(request: HttpRequest, partnership_slug: str, pk: int, rpk: int) -> HttpResponse:
    """Take one step of the workflow (offer, agree, deliver, withdraw); the
    service decides whether this person may and says why not."""
    access = request_access(request)
    crisis, resource = _load_request(access, pk, rpk)
    own = reporting_organisation_ids(access)
    manages = _manages(access)
    if not own and not manages:
        raise PermissionDenied
    new_status = request.POST.get("status", "")
    back = redirect("crisis:request", partnership_slug, pk, rpk)
    if new_status == R.OFFERED:
        try:
            coordination.check_step(
                resource, new_status, coordination.sides_of(resource, own, manages=manages)
            )
        except ValidationError as error:
            flash.error(request, error_text(error))
            return back
        offerers = _offerers(resource, own)
        form = OfferForm(request.POST, organisations=offerers)
        if form.is_valid():
            try:
                coordination.change_request(
                    resource,
                    new_status,
                    own=own,
                    manages=manages,
                    by=request.user,
                    expected_version=form.cleaned_data["version"],
                    offering_organisation=form.cleaned_data["offering_organisation"],
                    offer=form.cleaned_data["offer"],
                )
            except EditConflict as conflict:
                form = rebind_after_conflict(
                    lambda data: OfferForm(data, organisations=offerers), form, conflict
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                flash.success(request, _step_done(new_status))
                return back
        crisis, resource = _load_request(access, pk, rpk)
        return _request_page(request, access, crisis, resource, offer_form=form, status=400)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        flash.error(request, _("The form was incomplete. Try again."))
        return back
    try:
        coordination.change_request(
            resource,
            new_status,
            own=own,
            manages=manages,
            by=request.user,
            expected_version=version,
        )
    except (ValidationError, EditConflict) as error:
        flash.error(request, error_text(error))
    else:
        flash.success(request, _step_done(new_status))
    return back
