"""The partnership's public pages, laid out like its existing web site:
Helsefellesskap, Samarbeidsavtaler, Verktøy, Tall og statistikk, Kontakt; and
what a Norwegian public service publishes about itself, linked from the
footer of every page: the accessibility statement and the privacy notice.
Those two exist for the whole service (``/tilgjengelighet/``,
``/personvern/``) and for each partnership, which names its own secretariat
(``/<slug>/tilgjengelighet/``, ``/<slug>/personvern/``)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from portal.services import (
    data_protection_officer,
    known_deviations,
    partnership_structure,
    partnerships_with_parties,
    retention_periods,
    secretariats,
)


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


def tools(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    """Deviation reporting (after log-in), the deviation statistics when the
    partnership publishes them, and the routines in force (their own list,
    ``public_routines:index``)."""
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


def contact(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    structure = partnership_structure(request.partnership)  # type: ignore[attr-defined]
    return render(
        request,
        "portal/contact.html",
        {"structure": structure, "breadcrumbs": _crumbs(request, (_("Contact"), None))},
    )


def _about_page_crumbs(request: HttpRequest, label: str) -> list[tuple[str, str | None]]:
    if getattr(request, "partnership", None) is None:
        return []
    return _crumbs(request, (label, None))


def accessibility(request: HttpRequest, partnership_slug: str | None = None) -> HttpResponse:
    """The accessibility statement (tilgjengelighetserklæring) in the structure
    uustatus.no asks for; its known deviations and date are settings."""
    partnership = getattr(request, "partnership", None)
    return render(
        request,
        "portal/accessibility.html",
        {
            "deviations": known_deviations(),
            "statement_date": settings.SAMSPILL_ACCESSIBILITY_STATEMENT_DATE,
            "uustatus_url": settings.SAMSPILL_ACCESSIBILITY_UUSTATUS_URL,
            "site_url": settings.SITE_URL,
            "secretariats": secretariats(partnership),
            "breadcrumbs": _about_page_crumbs(request, _("Accessibility statement")),
        },
    )


def privacy(request: HttpRequest, partnership_slug: str | None = None) -> HttpResponse:
    """The privacy notice (personvernerklæring): what is stored about whom,
    why, for how long (the retention settings' actual values) and the rights."""
    partnership = getattr(request, "partnership", None)
    officer, officer_email = data_protection_officer()
    return render(
        request,
        "portal/privacy.html",
        {
            "retention": retention_periods(),
            "controller": settings.SAMSPILL_DATA_CONTROLLER,
            "officer": officer,
            "officer_email": officer_email,
            "secretariats": secretariats(partnership),
            "breadcrumbs": _about_page_crumbs(request, _("Privacy notice")),
        },
    )
