"""The public pages of the routines: the routines in force by agreement, and
one routine with its text in force and the versions it replaced.

Public for everyone, logged in or not. Only what is or was in force is
shown (``routines.publication``): a routine with nothing in force and an
address that names nothing are the same 404.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.own import Own
from partnerships.models import Partnership
from routines import publication
from routines.panels import panels_for


def _partnership(request: HttpRequest) -> Partnership:
    return request.partnership  # type: ignore[attr-defined, no-any-return]


def _crumbs(request: HttpRequest, *extra: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    p = _partnership(request)
    return [
        (p.name, reverse("portal:home", args=[p.slug])),
        (
            _("Cooperation routines"),
            reverse("public_routines:index", args=[p.slug]) if extra else None,
        ),
        *extra,
    ]


def index(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    """The routines in force grouped by agreement (five queries: the
    partnership, four in ``publication.in_force_by_agreement``)."""
    today = timezone.localdate()
    return render(
        request,
        "routines/public/index.html",
        {
            "groups": publication.in_force_by_agreement(_partnership(request), today),
            "today": today,
            "breadcrumbs": _crumbs(request),
        },
    )


def routine_page(request: HttpRequest, partnership_slug: str, routine_slug: str) -> HttpResponse:
    """The text in force, where the routine belongs, its owner and the
    versions that were in force (five queries at most: the partnership, the
    routine with its versions, the clause it names, whether its agreement is
    published)."""
    routine = publication.load_public_routine(_partnership(request), routine_slug)
    if routine is None:
        raise Http404
    today = timezone.localdate()
    return render(
        request,
        "routines/public/routine.html",
        {
            "page": publication.routine_page(routine, today),
            "today": today,
            "panels": panels_for(routine, None),
            "breadcrumbs": _crumbs(request, (Own(str(routine)), None)),
        },
    )
