"""The partnership's public pages, laid out like its existing web site:
Helsefellesskap, Samarbeidsavtaler, Verktøy, Tall og statistikk, Kontakt."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from portal.services import partnership_structure, partnerships_with_parties


def index(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/index.html", {"partnerships": partnerships_with_parties()})


def _crumbs(request: HttpRequest, *extra: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    partnership = request.partnership  # type: ignore[attr-defined]
    home = reverse("portal:home", args=[partnership.slug])
    return [(partnership.name, home), *extra]


def home(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    structure = partnership_structure(request.partnership)  # type: ignore[attr-defined]
    return render(
        request,
        "portal/home.html",
        {"structure": structure, "breadcrumbs": _crumbs(request)},
    )


def about(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    structure = partnership_structure(request.partnership)  # type: ignore[attr-defined]
    return render(
        request,
        "portal/about.html",
        {"structure": structure, "breadcrumbs": _crumbs(request, (_("Health partnership"), None))},
    )


def agreements(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    return render(
        request,
        "portal/agreements.html",
        {"breadcrumbs": _crumbs(request, (_("Cooperation agreements"), None))},
    )


def tools(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    """Deviation reporting (after log-in) and, when the partnership publishes
    them, its deviation statistics; the routines come with the agreements."""
    from deviations.models import DeviationConfig

    partnership = request.partnership  # type: ignore[attr-defined]
    public_statistics = DeviationConfig.objects.filter(
        partnership=partnership, public_statistics=True
    ).exists()
    return render(
        request,
        "portal/tools.html",
        {
            "public_statistics": public_statistics,
            "breadcrumbs": _crumbs(request, (_("Tools"), None)),
        },
    )


def statistics(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    structure = partnership_structure(request.partnership)  # type: ignore[attr-defined]
    return render(
        request,
        "portal/statistics.html",
        {"structure": structure, "breadcrumbs": _crumbs(request, (_("Facts and figures"), None))},
    )


def contact(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    structure = partnership_structure(request.partnership)  # type: ignore[attr-defined]
    return render(
        request,
        "portal/contact.html",
        {"structure": structure, "breadcrumbs": _crumbs(request, (_("Contact"), None))},
    )
