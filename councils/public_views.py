"""Public council pages: councils, their current composition, the year's
meetings, published agendas and public case papers.

The public sees only public cases; an exempt case appears on the agenda by its
public title and legal basis, and internal cases not at all.
"""

from __future__ import annotations

import json

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import Visibility
from core.own import Own
from councils import services
from councils.documents import attachment_response, render_pdf
from councils.einnsyn import moetemappe
from councils.models import Appointment, Case, CaseAttachment, Council, Meeting, Treatment
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
                (Own(council.name), None),
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
                    Own(council.name),
                    reverse("public_councils:council", args=[partnership_slug, council.slug]),
                ),
                (str(meeting), None),
            ),
        },
    )


def public_cases(partnership: Partnership) -> QuerySet[Case]:
    """Public cases on an agenda whose notice has been published."""
    return Case.objects.filter(
        partnership=partnership,
        visibility=Visibility.PUBLIC,
        treatments__meeting__status__in=[
            s
            for s in Meeting.Status.values
            if s not in (Meeting.Status.PLANNED, Meeting.Status.CANCELLED)
        ],
    ).distinct()


def case_page(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    """A public case paper; anything else is 404 to the public."""
    case = public_cases(_partnership(request)).filter(pk=pk).select_related("council").first()
    if case is None:
        raise Http404
    return render(
        request,
        "councils/public/case.html",
        {
            "case": case,
            "attachments": list(case.attachments.all()),
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
                    Own(council.name),
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


def attachment(request: HttpRequest, partnership_slug: str, pk: int) -> StreamingHttpResponse:
    """An attachment of a public case."""
    found = (
        CaseAttachment.objects.filter(
            pk=pk, case__in=public_cases(_partnership(request)).values("pk")
        )
        .select_related("case")
        .first()
    )
    if found is None:
        raise Http404
    return attachment_response(found)


def _public_meeting(request: HttpRequest, council_slug: str, pk: int) -> Meeting:
    council = _get_council(request, council_slug)
    meeting = (
        council.meetings.filter(pk=pk)
        .exclude(status=Meeting.Status.CANCELLED)
        .select_related("council")
        .first()
    )
    if meeting is None or not meeting.agenda_is_public:
        raise Http404
    return meeting


def agenda_pdf(
    request: HttpRequest, partnership_slug: str, council_slug: str, pk: int
) -> HttpResponse:
    """The public agenda with the papers of public cases, as PDF."""
    meeting = _public_meeting(request, council_slug, pk)
    agenda = [
        t
        for t in meeting.treatments.select_related("case")
        .prefetch_related("case__attachments")
        .order_by("position", "pk")
        if t.case is None or t.case.visibility in PUBLIC_ON_AGENDA
    ]
    for item in agenda:
        item.visible = item.case is None or item.case.visibility == Visibility.PUBLIC  # type: ignore[attr-defined]
    context = {
        "meeting": meeting,
        "joint_with": list(meeting.joint_with.all()),
        "agenda": agenda,
        "public": True,
        "generated": timezone.now(),
    }
    return render_pdf(
        request, "councils/pdf/agenda.html", context, filename=f"saksliste-{meeting.pk}.pdf"
    )


def minutes_pdf(
    request: HttpRequest, partnership_slug: str, council_slug: str, pk: int
) -> HttpResponse:
    council = _get_council(request, council_slug)
    meeting = (
        council.meetings.filter(pk=pk, status=Meeting.Status.PUBLISHED)
        .select_related("council")
        .first()
    )
    if meeting is None:
        raise Http404
    context = services.minutes_context(meeting, public=True)
    context.update(
        meeting=meeting, joint_with=list(meeting.joint_with.all()), generated=timezone.now()
    )
    return render_pdf(
        request, "councils/pdf/minutes.html", context, filename=f"protokoll-{meeting.pk}.pdf"
    )


def einnsyn(
    request: HttpRequest, partnership_slug: str, council_slug: str, pk: int
) -> HttpResponse:
    """A meeting with published minutes as eInnsyn's Moetemappe (JSON), for
    the host's archive to deliver (:mod:`councils.einnsyn`)."""
    council = _get_council(request, council_slug)
    meeting = (
        council.meetings.filter(pk=pk, status=Meeting.Status.PUBLISHED)
        .select_related("council", "council__partnership")
        .first()
    )
    if meeting is None:
        raise Http404
    response = HttpResponse(
        json.dumps(moetemappe(meeting), ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="einnsyn-moete-{meeting.pk}.json"'
    return response
