"""The learning loop's two steps on the pages (:mod:`deviations.loop`): the
secretariat takes the deviations of a routine or guideline to a council
from the statistics page, and makes the decision's follow-up "revise the
routine" from the routine's page. Outsiders get 404, other insiders 403."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.forms import GuardedForm
from core.services import error_text
from councils.models import Council, Decision
from deviations import loop
from deviations.models import TrendCase
from partnerships.access import request_access
from partnerships.capabilities import Capability
from partnerships.views import insider_view


class TrendCaseForm(GuardedForm):
    subject = forms.ChoiceField(label=gettext_lazy("What the deviations concern"))
    council = forms.TypedChoiceField(label=gettext_lazy("Council"), coerce=int)

    def __init__(self, *args: Any, partnership: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["subject"].choices = loop.subjects(partnership)  # type: ignore[attr-defined]
        # One query: the councils, ASU first chosen.
        self.councils = {
            c.pk: c
            for c in Council.objects.filter(partnership=partnership).order_by("position", "pk")
        }
        self.fields["council"].choices = [  # type: ignore[attr-defined]
            (pk, c.name) for pk, c in self.councils.items()
        ]
        asu = next((c for c in self.councils.values() if c.kind == Council.Kind.ASU), None)
        if asu is not None:
            self.fields["council"].initial = asu.pk

    def chosen_council(self) -> Council:
        return self.councils[self.cleaned_data["council"]]


@require_POST
@insider_view
def trend_case(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    """Take the deviations of a routine or guideline to a council: a case
    with the figures in its paper."""
    access = request_access(request)
    access.require(Capability.MANAGE_DEVIATIONS)
    form = TrendCaseForm(request.POST, partnership=access.partnership)
    if not form.is_valid():
        messages.error(request, " ".join(str(m) for e in form.errors.values() for m in e))
        return redirect("deviations:statistics", partnership_slug)
    try:
        found, created = loop.open_case(
            access.partnership,
            loop.subject_from_choice(access.partnership, form.cleaned_data["subject"]),
            council=form.chosen_council(),
            by=request.user,
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect("deviations:statistics", partnership_slug)
    if created:
        messages.success(
            request, _("The case was made. Check its paper before the notice goes out.")
        )
    return redirect("councils:case", partnership_slug, found.case_id)


@require_POST
@insider_view
def trend_followup(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    """The council's decision on a trend case becomes the follow-up "revise
    the routine"."""
    access = request_access(request)
    found = get_object_or_404(
        TrendCase.objects.select_related("routine", "case", "partnership"),
        pk=pk,
        partnership=access.partnership,
    )
    access.require(Capability.MANAGE_FOLLOWUPS)
    decision = (
        Decision.objects.filter(treatment__case_id=found.case_id)
        .select_related("treatment__meeting__council", "treatment__case")
        .order_by("-recorded_at")
        .first()
    )
    if decision is None or found.routine is None:
        messages.error(request, _("The council has not decided on the case yet."))
        return redirect("councils:case", partnership_slug, found.case_id)
    try:
        followup = loop.revise_followup(found, decision, by=request.user)
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect("routines:routine", partnership_slug, found.routine.pk)
    messages.success(request, _("The follow-up was made."))
    return redirect("followups:detail", partnership_slug, followup.pk)
