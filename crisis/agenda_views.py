"""The coordination meeting's page: the crisis's coordination meetings and
the secretariat's form that plans one with a generated agenda. The rules
live in :mod:`crisis.agenda`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from crisis import agenda, periods
from crisis.access import get_crisis
from crisis.coordination_forms import GenerateAgendaForm
from crisis.coordination_views import _add_errors, _crumbs, _manages
from crisis.models import CoordinationMeeting, Crisis
from partnerships.access import request_access
from partnerships.capabilities import Capability
from partnerships.models import Region
from partnerships.views import insider_view


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
        label=lambda start: f"{agenda.period_label(crisis, start)} ({start:%d.%m.%Y})",
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
                link = agenda.generate_agenda(
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
