"""The crisis log's pages: the log with each entry's follow-ups (the
secretariat adds entries) and turning an entry into a follow-up. The rules
live in :mod:`crisis.log`."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages as flash
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from crisis import log as crisis_log
from crisis.access import get_crisis
from crisis.coordination_forms import LogEntryForm, LogFollowUpForm
from crisis.coordination_views import PAGE_SIZE, _add_errors, _crumbs, _manages
from crisis.models import LogEntry
from partnerships.access import request_access
from partnerships.capabilities import Capability
from partnerships.models import Organisation, Participation
from partnerships.views import insider_view


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
                crisis_log.add_log_entry(
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
            followup = crisis_log.log_followup(
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
