"""Public calendar feeds: one per council, and a page listing them with how
to subscribe. No log-in; the partnership comes from the middleware (unknown
slug: 404)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from calendars import services
from calendars.views import ical_response
from councils.models import Council
from partnerships.models import Partnership


def _partnership(request: HttpRequest) -> Partnership:
    return request.partnership  # type: ignore[attr-defined, no-any-return]


@require_safe
def feed_index(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    """Every council's feed address (one query after the partnership)."""
    partnership = _partnership(request)
    councils = list(Council.objects.filter(partnership=partnership))
    feeds = [(council, services.public_feed_url(partnership, council)) for council in councils]
    return render(
        request,
        "calendars/public_index.html",
        {
            "feeds": feeds,
            "breadcrumbs": [
                (partnership.name, reverse("portal:home", args=[partnership.slug])),
                (_("Health partnership"), reverse("portal:about", args=[partnership.slug])),
                (
                    _("Councils and meetings"),
                    reverse("public_councils:list", args=[partnership.slug]),
                ),
                (_("Calendar feeds"), None),
            ],
        },
    )


@require_safe
def council_feed(request: HttpRequest, partnership_slug: str, council_slug: str) -> HttpResponse:
    """One council's public meetings as iCalendar (two queries after the
    partnership: the council and its meetings)."""
    partnership = _partnership(request)
    council = Council.objects.filter(partnership=partnership, slug=council_slug).first()
    if council is None:
        raise Http404
    response = ical_response(services.council_feed(partnership, council), f"{council.slug}.ics")
    response["Cache-Control"] = "public, max-age=900"
    return response
