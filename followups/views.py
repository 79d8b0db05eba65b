"""The follow-up pages under ``/<slug>/intern/oppfolging/``.

Every view gets ``request.access`` from
:class:`partnerships.middleware.PartnershipMiddleware` and fetches follow-ups
through :mod:`followups.access` (404 for outsiders, 403 for insiders without
the right); the rules live in :mod:`followups.services`.
"""

from __future__ import annotations

import copy
import uuid
from typing import cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Substr
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from core.forms import rebind_after_conflict
from core.own import Own
from core.services import EditConflict, error_text, history_for
from followups import services
from followups.access import can_edit, can_report, followups_for, get_followup_for_user
from followups.forms import (
    FilterForm,
    FollowUpCreateForm,
    FollowUpEditForm,
    LogEntryForm,
    StatusForm,
)
from followups.models import FollowUp, FollowUpLogEntry
from partnerships.access import participating_organisations, request_access
from partnerships.capabilities import Capability
from partnerships.views import Crumb, insider_view, staff_crumbs

PAGE_SIZE = 50
# How much of the newest log entry the overview loads and shows.
REMARK_CHARS = 160


def _user(request: HttpRequest) -> User:
    # insider_view has made sure the person is logged in.
    return cast(User, request.user)


def _crumbs(request: HttpRequest, *extra: Crumb) -> list[Crumb]:
    slug = request_access(request).partnership.slug
    return staff_crumbs(request, (_("Follow-ups"), reverse("followups:list", args=[slug])), *extra)


@insider_view
def followup_list(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    """The overview, filtered by GET.

    Four queries whatever the number of rows: the parties (filter), the
    origin groups (filter), the count (pagination), and one page of rows with
    responsible party and person joined and the newest log entry as
    subqueries.
    """
    access = request_access(request)
    followups = followups_for(access)
    organisations = list(participating_organisations(access.partnership).order_by("name"))
    groups = list(
        followups.exclude(origin_group="")
        .order_by("origin_group")
        .values_list("origin_group", flat=True)
        .distinct()
    )
    form = FilterForm(request.GET or None, organisations=organisations, groups=groups)
    rows = _filtered(followups, form)
    newest = FollowUpLogEntry.objects.filter(followup=OuterRef("pk")).order_by(
        "-date", "-created", "-pk"
    )
    rows = (
        rows.select_related("responsible_organisation", "responsible_person")
        .annotate(
            last_remark=Substr(Subquery(newest.values("text")[:1]), 1, REMARK_CHARS),
            last_status_to=Subquery(newest.values("status_to")[:1]),
            last_remark_date=Subquery(newest.values("date")[:1]),
        )
        .order_by(F("deadline").asc(nulls_last=True), "pk")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    labels = dict(FollowUp.Status.choices)
    for row in page:
        row.last_status_label = labels.get(row.last_status_to or "")  # type: ignore[attr-defined]
    return render(
        request,
        "followups/list.html",
        {
            "page_obj": page,
            "filter_form": form,
            "can_manage": access.can(Capability.MANAGE_FOLLOWUPS),
            "breadcrumbs": _crumbs(request),
        },
    )


def _filtered(followups: QuerySet[FollowUp], form: FilterForm) -> QuerySet[FollowUp]:
    filters = {}
    if form.is_bound:
        form.is_valid()  # invalid fields are left out of cleaned_data and shown as errors
        filters = form.cleaned_data
    status = filters.get("status") or FilterForm.OPEN
    if status == FilterForm.OPEN:
        followups = followups.filter(status__in=FollowUp.OPEN_STATUSES)
    elif status != FilterForm.ALL:
        followups = followups.filter(status=status)
    if filters.get("origin"):
        followups = followups.filter(origin=filters["origin"])
    if filters.get("group"):
        followups = followups.filter(origin_group=filters["group"])
    if filters.get("organisation"):
        followups = followups.filter(responsible_organisation_id=int(filters["organisation"]))
    if filters.get("overdue"):
        followups = followups.filter(
            status__in=FollowUp.OPEN_STATUSES, deadline__lt=timezone.localdate()
        )
    return followups


@insider_view
def create(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    access = request_access(request)
    access.require(Capability.MANAGE_FOLLOWUPS)
    form = FollowUpCreateForm(
        request.POST or None,
        partnership=access.partnership,
        initial={"client_key": uuid.uuid4()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        existing = services.find_by_client_key(access.partnership, data["client_key"])
        if existing is not None:
            messages.info(request, _("This follow-up had already been created."))
            return redirect("followups:detail", partnership_slug, existing.pk)
        try:
            followup = services.create_followup(
                partnership=access.partnership,
                title=data["title"],
                description=data["description"],
                responsible_organisation=data["responsible_organisation"],
                responsible_person=data["responsible_person"],
                deadline=data["deadline"],
                review_date=data["review_date"],
                by=_user(request),
                client_key=data["client_key"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The follow-up was created."))
            return redirect("followups:detail", partnership_slug, followup.pk)
    return render(
        request,
        "followups/form.html",
        {
            "form": form,
            "heading": _("New follow-up"),
            "breadcrumbs": _crumbs(request, (_("New follow-up"), None)),
        },
    )


@insider_view
def detail(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    return _detail(request, get_followup_for_user(request_access(request), pk))


def _detail(
    request: HttpRequest,
    followup: FollowUp,
    *,
    log_form: LogEntryForm | None = None,
    status_form: StatusForm | None = None,
) -> HttpResponse:
    """The detail page, also re-rendered by the write views when a form has
    errors (so what the person typed is kept).

    Two queries beyond the follow-up itself: its log with authors, and (for
    those who may read it) its change history.
    """
    access = request_access(request)
    editable = can_edit(access, followup)
    reportable = can_report(access, followup)
    status_forms = []
    if editable or reportable:
        for target in services.allowed_next(followup.status, manager=editable):
            if status_form is not None and status_form.target == target:
                status_forms.append(status_form)
            else:
                status_forms.append(
                    StatusForm(target=target, initial={"version": followup.version})
                )
    if reportable and log_form is None:
        log_form = LogEntryForm(initial={"date": timezone.localdate()})
    return render(
        request,
        "followups/detail.html",
        {
            "followup": followup,
            "log_entries": list(followup.log_entries.select_related("author")),
            "log_form": log_form if reportable else None,
            "status_forms": status_forms,
            "can_edit": editable,
            "history": history_for(followup) if access.can(Capability.VIEW_AUDIT) else None,
            "breadcrumbs": _crumbs(request, (Own(followup.title), None)),
        },
    )


@insider_view
def edit(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    access = request_access(request)
    followup = get_followup_for_user(access, pk)
    if not can_edit(access, followup):
        raise PermissionDenied

    def make(data: QueryDict | None, instance: FollowUp = followup) -> FollowUpEditForm:
        return FollowUpEditForm(
            data,
            instance=instance,
            partnership=access.partnership,
            initial={"version": instance.version},
        )

    # Read before the form runs: validating a model form writes the typed
    # values into its instance.
    saved_title = followup.title
    form = make(request.POST or None)
    current = None
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in FollowUpEditForm.Meta.fields}
        try:
            services.update_followup(followup, data, form.cleaned_data["version"])
        except EditConflict as conflict:
            # What the other person saved, shown beside the typed text; the
            # form gets its own copy of it (see above).
            current = get_followup_for_user(access, pk)
            form = rebind_after_conflict(lambda d: make(d, copy.copy(current)), form, conflict)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The follow-up was saved."))
            return redirect("followups:detail", partnership_slug, followup.pk)
    return render(
        request,
        "followups/form.html",
        {
            "form": form,
            "current": current,
            "heading": _("Edit follow-up"),
            "breadcrumbs": _crumbs(
                request,
                (
                    Own(current.title if current else saved_title),
                    reverse("followups:detail", args=[partnership_slug, pk]),
                ),
                (_("Edit"), None),
            ),
        },
    )


@require_POST
@insider_view
def add_log(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    access = request_access(request)
    followup = get_followup_for_user(access, pk)
    if not can_report(access, followup):
        raise PermissionDenied
    form = LogEntryForm(request.POST)
    if form.is_valid():
        try:
            services.add_log_entry(
                followup,
                by=_user(request),
                text=form.cleaned_data["text"],
                progress=form.cleaned_data["progress"],
                date=form.cleaned_data["date"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The log entry was added."))
            return redirect("followups:detail", partnership_slug, followup.pk)
    return _detail(request, followup, log_form=form)


@require_POST
@insider_view
def change_status(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    access = request_access(request)
    followup = get_followup_for_user(access, pk)
    target = request.POST.get("status", "")
    manager = can_edit(access, followup)
    if not manager and not can_report(access, followup):
        raise PermissionDenied
    if not manager and (followup.status, target) not in services.RESPONSIBLE_STEPS:
        # The responsible party starts and finishes; the rest is the secretariat's.
        raise PermissionDenied
    try:
        # Refused by the transition table: say why, on the page it came from.
        services.check_transition(followup.status, target)
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect("followups:detail", partnership_slug, followup.pk)
    form = StatusForm(request.POST, target=target)
    if not form.is_valid():
        return _detail(request, followup, status_form=form)
    try:
        services.change_status(
            followup,
            target,
            by=_user(request),
            expected_version=form.cleaned_data["version"],
            comment=form.cleaned_data["comment"],
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
    except EditConflict as conflict:
        followup = get_followup_for_user(access, pk)
        if target not in services.allowed_next(followup.status, manager=manager):
            messages.error(
                request,
                _("Someone else changed the status meanwhile; it is now “%(status)s”.")
                % {"status": followup.get_status_display()},
            )
            return redirect("followups:detail", partnership_slug, followup.pk)
        form = rebind_after_conflict(lambda d: StatusForm(d, target=target), form, conflict)
        return _detail(request, followup, status_form=form)
    else:
        messages.success(
            request,
            _("The status is now “%(status)s”.") % {"status": followup.get_status_display()},
        )
    return redirect("followups:detail", partnership_slug, followup.pk)
