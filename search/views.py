"""The search pages: inside the partnership and for the public.

Both are thin: the form guards the query, :func:`search.services.search_page`
decides what the person may find.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from core.validators import IDENTITY_NUMBER_CODE
from partnerships.access import PartnershipAccess, request_access
from partnerships.views import Crumb, insider_view, staff_crumbs
from search import services
from search.forms import SearchForm

# The parameter that says a query was refused by the identity-number guard.
REFUSED = "avvist"


def _render(
    request: HttpRequest,
    *,
    access: PartnershipAccess | None,
    public: bool,
    crumbs: list[Crumb],
) -> HttpResponse:
    form = SearchForm(request.GET or None)
    page = None
    kind = ""
    if form.is_bound and not form.is_valid():
        if form.has_error("q", IDENTITY_NUMBER_CODE):
            # Off this address at once: the query is in it, and the page
            # would repeat it (links, the language switch's "next").
            return redirect(f"{request.path}?{REFUSED}=1")
    elif request.GET.get(REFUSED):
        form = SearchForm.refused()
    elif form.is_bound and form.cleaned_data["q"]:
        kind = form.cleaned_data["kind"]
        page = services.search_page(
            request.partnership,  # type: ignore[attr-defined]
            form.cleaned_data["q"],
            access=access,
            kind=kind,
            page=request.GET.get("page", 1),
        )
    context: dict[str, Any] = {
        "form": form,
        "page_obj": page,
        "results": page.results if page else None,
        "kind": kind,
        "kind_links": [(k, services.KIND_LABELS[k], page.results.counts[k]) for k in services.KINDS]
        if page
        else [],
        "public": public,
        "breadcrumbs": crumbs,
    }
    return render(request, "search/search.html", context)


@insider_view
def search(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    """Cases, decisions, minutes, agreements, clauses and routines the person
    may see, with internal links."""
    return _render(
        request,
        access=request_access(request),
        public=False,
        crumbs=staff_crumbs(request, (_("Search"), None)),
    )


def public_search(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    """What the public pages show, with links to them; the same for everyone."""
    partnership = request.partnership  # type: ignore[attr-defined]
    return _render(
        request,
        access=None,
        public=True,
        crumbs=[
            (partnership.name, reverse("portal:home", args=[partnership.slug])),
            (_("Health partnership"), reverse("portal:about", args=[partnership.slug])),
            (_("Search"), None),
        ],
    )
