"""The resource requests' pages: the list, a new request, a request with
the steps the person may take on it, and taking a step. The workflow lives
in :mod:`crisis.resources`."""

from __future__ import annotations

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.forms import rebind_after_conflict
from core.services import EditConflict, error_text
from crisis import resources, services
from crisis.access import get_crisis, reporting_organisation_ids
from crisis.coordination_forms import OfferForm, ResourceRequestForm
from crisis.coordination_views import PAGE_SIZE, _add_errors, _crumbs, _manages
from crisis.models import Crisis, ResourceRequest
from partnerships.access import PartnershipAccess, request_access
from partnerships.models import Organisation
from partnerships.views import insider_view

R = ResourceRequest.Status


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
        rows = rows.filter(status__in=resources.OPEN_REQUEST_STATUSES)
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
            and (_manages(access) or bool(own and own & resources.crisis_party_ids(crisis))),
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
            made = resources.request_resources(
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
    sides = resources.sides_of(resource, own, manages=_manages(access))
    steps = resources.allowed_steps(resource, sides)
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
            resources.check_step(
                resource, new_status, resources.sides_of(resource, own, manages=manages)
            )
        except ValidationError as error:
            flash.error(request, error_text(error))
            return back
        offerers = _offerers(resource, own)
        form = OfferForm(request.POST, organisations=offerers)
        if form.is_valid():
            try:
                resources.change_request(
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
        resources.change_request(
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
