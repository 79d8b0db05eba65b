"""Public council pages: councils, their current composition, the year's
meetings, published agendas and public case papers.

The public sees only public cases; an exempt case appears on the agenda by its
public title and legal basis, and internal cases not at all.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import Visibility
from councils import services
from councils.models import Appointment, Case, Council, Meeting, Treatment
from partnerships.models import Partnership

PUBLIC_ON_AGENDA = (Visibility.PUBLIC, Visibility.RESTRICTED)


def _partnership(request: HttpRequest) -> Partnership:
    return request.partnership  # type: ignore[attr-defined, no-any-return]


def _crumbs(request: HttpRequest, *extra: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    p = _partnership(request)
    return [
        (p.name, reverse("portal:home", args=[p.slug])),
        (_("Health partnership"), reverse("portal:about", args=[p.slug])),
        *extra,
    ]


def council_list(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    """Councils and this year's meetings across them (two queries)."""
    partnership = _partnership(request)
    year = timezone.localdate().year
    councils = list(Council.objects.filter(partnership=partnership).select_related("parent"))
    meetings = list(
        Meeting.objects.filter(council__partnership=partnership, starts_at__year=year)
        .exclude(status=Meeting.Status.CANCELLED)
        .select_related("council")
        .order_by("starts_at")
    )
    return render(
        request,
        "councils/public/list.html",
        {
            "councils": councils,
            "meetings": meetings,
            "year": year,
            "breadcrumbs": _crumbs(request, (_("Councils and meetings"), None)),
        },
    )


def _get_council(request: HttpRequest, council_slug: str) -> Council:
    council = Council.objects.filter(partnership=_partnership(request), slug=council_slug).first()
    if council is None:
        raise Http404
    return council


def council_page(request: HttpRequest, partnership_slug: str, council_slug: str) -> HttpResponse:
    """Mandate, current composition and meetings of one council (three queries)."""
    council = _get_council(request, council_slug)
    seats = list(
        Appointment.objects.current()
        .filter(council=council)
        .select_related("person", "on_behalf_of_organisation", "on_behalf_of_region")
        .order_by("role", "person__full_name")
    )
    meetings = list(
        council.meetings.exclude(status=Meeting.Status.CANCELLED).order_by("-starts_at")[:30]
    )
    return render(
        request,
        "councils/public/council.html",
        {
            "council": council,
            "seats": seats,
            "meetings": meetings,
            "breadcrumbs": _crumbs(
                request,
                (
                    _("Councils and meetings"),
                    reverse("public_councils:list", args=[partnership_slug]),
                ),
                (council.name, None),
            ),
        },
    )


def meeting_page(
    request: HttpRequest, partnership_slug: str, council_slug: str, pk: int
) -> HttpResponse:
    """A meeting's public agenda, once the notice is published (two queries
    after the council: the meeting, and the agenda with its cases)."""
    council = _get_council(request, council_slug)
    meeting = council.meetings.filter(pk=pk).exclude(status=Meeting.Status.CANCELLED).first()
    if meeting is None:
        raise Http404
    agenda: list[Treatment] = []
    if meeting.agenda_is_public:
        agenda = [
            t
            for t in meeting.treatments.select_related("case").order_by("position", "pk")
            if t.case is None or t.case.visibility in PUBLIC_ON_AGENDA
        ]
    return render(
        request,
        "councils/public/meeting.html",
        {
            "council": council,
            "meeting": meeting,
            "agenda": agenda,
            "breadcrumbs": _crumbs(
                request,
                (
                    _("Councils and meetings"),
                    reverse("public_councils:list", args=[partnership_slug]),
                ),
                (
                    council.name,
                    reverse("public_councils:council", args=[partnership_slug, council.slug]),
                ),
                (str(meeting), None),
            ),
        },
    )


def case_page(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    """A public case paper; anything else is 404 to the public."""
    case = (
        Case.objects.filter(
            partnership=_partnership(request),
            pk=pk,
            visibility=Visibility.PUBLIC,
            treatments__meeting__status__in=[
                s
                for s in Meeting.Status.values
                if s not in (Meeting.Status.PLANNED, Meeting.Status.CANCELLED)
            ],
        )
        .select_related("council")
        .distinct()
        .first()
    )
    if case is None:
        raise Http404
    return render(
        request,
        "councils/public/case.html",
        {
            "case": case,
            "breadcrumbs": _crumbs(
                request,
                (
                    _("Councils and meetings"),
                    reverse("public_councils:list", args=[partnership_slug]),
                ),
                (_("Case %(number)s") % {"number": case.number}, None),
            ),
        },
    )


def minutes_page(
    request: HttpRequest, partnership_slug: str, council_slug: str, pk: int
) -> HttpResponse:
    """Published minutes: public items with their decisions; exempt items by
    public title only; internal items not at all."""
    council = _get_council(request, council_slug)
    meeting = council.meetings.filter(pk=pk, status=Meeting.Status.PUBLISHED).first()
    if meeting is None:
        raise Http404
    return render(
        request,
        "councils/public/minutes.html",
        {
            **services.minutes_context(meeting, public=True),
            "council": council,
            "meeting": meeting,
            "breadcrumbs": _crumbs(
                request,
                (
                    _("Councils and meetings"),
                    reverse("public_councils:list", args=[partnership_slug]),
                ),
                (
                    council.name,
                    reverse("public_councils:council", args=[partnership_slug, council.slug]),
                ),
                (
                    str(meeting),
                    reverse(
                        "public_councils:meeting", args=[partnership_slug, council.slug, meeting.pk]
                    ),
                ),
                (_("Minutes"), None),
            ),
        },
    )
