"""Who may report deviations for a party: its coordinators and leaders
always; all its members if the party turns that on. Set by the party's own
coordinators and leaders, or by the secretariat for any party."""

from __future__ import annotations

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from deviations import services
from deviations.access import parties_in_charge
from partnerships.access import request_access
from partnerships.views import insider_view, staff_crumbs


@require_http_methods(["GET", "HEAD", "POST"])
@insider_view
def reporting_rights(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    """One row per party the person looks after, with a button that turns
    member reporting on or off (constant queries)."""
    access = request_access(request)
    organisations = parties_in_charge(access)
    if not organisations:
        raise PermissionDenied
    if request.method == "POST":
        chosen = {o.pk: o for o in organisations}.get(
            int(request.POST["organisation"])
            if request.POST.get("organisation", "").isdigit()
            else -1
        )
        if chosen is None:
            # Another party, or one that does not exist: as if missing.
            raise Http404
        allowed = request.POST.get("members_may_report") == "yes"
        if services.set_member_reporting(
            access.partnership, chosen, allowed=allowed, by=request.user
        ):
            flash.success(
                request,
                (
                    _("All members of %(party)s may now report deviations.")
                    if allowed
                    else _("Only coordinators and leaders of %(party)s may now report deviations.")
                )
                % {"party": chosen.name},
            )
        return redirect("deviations:reporting_rights", partnership_slug)
    rights = services.reporting_rights(access.partnership, organisations)
    return render(
        request,
        "deviations/reporting_rights.html",
        {
            "rows": [(o, rights[o.pk]) for o in organisations],
            "breadcrumbs": staff_crumbs(
                request,
                (_("Deviations"), reverse("deviations:list", args=[partnership_slug])),
                (_("Who may report"), None),
            ),
        },
    )
