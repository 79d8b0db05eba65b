"""The JSON API under /api/ with its OpenAPI schema at /api/openapi.json.

Public structure is open to all; anything internal goes through the same
access helpers as the HTML views. The interactive docs page is off: it loads
scripts from a CDN, which our CSP and offline servers forbid.
"""

from __future__ import annotations

from datetime import date
from typing import cast

from django.http import Http404, HttpRequest
from django.utils.translation import gettext
from ninja import NinjaAPI, Schema, Status
from ninja.security import django_auth

from accounts.models import User
from partnerships.access import PartnershipAccess, partnerships_of
from partnerships.models import Membership, Participation, Partnership
from portal.services import partnership_structure
from search.forms import SearchForm
from search.services import search_page

api = NinjaAPI(
    title="Samspill API",
    version="1",
    description="The health partnership's structure and, for members, their own roles.",
    docs_url=None,
    urls_namespace="api",
)


class PartnershipOut(Schema):
    slug: str
    name: str


class OrganisationOut(Schema):
    name: str
    kind: str
    organisation_number: str
    municipality_number: str
    participation: str
    region: str | None
    inhabitants: int | None


class PartnershipDetailOut(PartnershipOut):
    about: str
    population_year: int | None
    organisations: list[OrganisationOut]


class MembershipOut(Schema):
    organisation: str
    role: str
    valid_from: date


class MeOut(Schema):
    email: str
    full_name: str
    memberships: list[MembershipOut]
    partnerships: list[PartnershipOut]


def _get_partnership(slug: str) -> Partnership:
    partnership = Partnership.objects.filter(slug=slug).first()
    if partnership is None:
        raise Http404
    return partnership


@api.get("/partnerships", response=list[PartnershipOut], tags=["structure"])
def list_partnerships(request: HttpRequest) -> list[Partnership]:
    return list(Partnership.objects.order_by("name"))


@api.get("/partnerships/{slug}", response=PartnershipDetailOut, tags=["structure"])
def get_partnership(request: HttpRequest, slug: str) -> dict[str, object]:
    """Parties and observers as shown on the public pages."""
    partnership = _get_partnership(slug)
    structure = partnership_structure(partnership)
    parts: list[Participation] = [
        *structure.hospital_trusts,
        *(p for _a, regions in structure.areas for r in regions for p in r.participations),
        *structure.other_parties,
        *structure.observers,
    ]
    return {
        "slug": partnership.slug,
        "name": partnership.name,
        "about": partnership.about,
        "population_year": structure.population_year,
        "organisations": [
            {
                "name": p.organisation.name,
                "kind": p.organisation.kind,
                "organisation_number": p.organisation.organisation_number,
                "municipality_number": p.organisation.municipality_number,
                "participation": p.role,
                "region": p.region.name if p.region else None,
                "inhabitants": getattr(p, "inhabitants", None),
            }
            for p in parts
        ],
    }


@api.get("/me", response=MeOut, auth=django_auth, tags=["people"])
def me(request: HttpRequest) -> dict[str, object]:
    user = cast(User, request.user)  # django_auth
    memberships = (
        Membership.objects.current()
        .filter(user=user)
        .select_related("organisation")
        .order_by("organisation__name")
    )
    return {
        "email": user.email,
        "full_name": user.full_name,
        "memberships": [
            {"organisation": m.organisation.name, "role": m.role, "valid_from": m.valid_from}
            for m in memberships
        ],
        "partnerships": list(partnerships_of(user)),
    }


@api.get("/partnerships/{slug}/my-access", response=list[str], auth=django_auth, tags=["people"])
def my_access(request: HttpRequest, slug: str) -> list[str]:
    """The capabilities the caller has in a partnership; 404 for outsiders."""
    access = PartnershipAccess.for_user(_get_partnership(slug), request.user)
    access.require_insider()
    return sorted(access.capabilities)


class SearchHitOut(Schema):
    kind: str  # "case", "decision" or "minutes"
    title: str
    number: str  # the case number ("26/004"); "" for minutes
    date: date | None
    snippet: str  # plain text
    url: str  # the page to read it on (internal pages for insiders)
    public_title_only: bool  # an exempt case shown by its public title only


class SearchCountsOut(Schema):
    case: int
    decision: int
    minutes: int


class SearchOut(Schema):
    query: str
    total: int
    counts: SearchCountsOut
    page: int
    pages: int
    hits: list[SearchHitOut]


class ErrorOut(Schema):
    detail: str


@api.get(
    "/partnerships/{slug}/search",
    response={200: SearchOut, 400: ErrorOut},
    tags=["search"],
)
def search(
    request: HttpRequest, slug: str, q: str = "", kind: str = "", page: int = 1
) -> Status[dict[str, object]]:
    """Cases, decisions and minutes matching every word of ``q``, as the
    search page shows them to the caller: insiders of the partnership get
    what they may see inside, everyone else what the public pages show.
    ``kind`` narrows to one of case, decision, minutes. A query holding a
    personal identity number is refused (400)."""
    partnership = _get_partnership(slug)
    form = SearchForm({"q": q, "kind": kind})
    if not form.is_valid():
        return Status(400, {"detail": " ".join(str(e) for e in form.errors.get("q", []))})
    access = PartnershipAccess.for_user(partnership, request.user)
    query = form.cleaned_data["q"]
    if not query:
        return Status(400, {"detail": gettext("Write what to search for.")})
    result = search_page(
        partnership,
        query,
        access=access if access.is_insider else None,
        kind=form.cleaned_data["kind"],
        page=page,
    )
    return Status(
        200,
        {
            "query": result.results.query,
            "total": result.results.total,
            "counts": result.results.counts,
            "page": result.number,
            "pages": result.num_pages,
            "hits": [
                {
                    "kind": h.kind,
                    "title": h.title,
                    "number": h.number,
                    "date": h.date,
                    "snippet": h.snippet,
                    "url": h.url,
                    "public_title_only": h.public_title_only,
                }
                for h in result.results.hits
            ],
        },
    )


api.add_router("/deviations", "deviations.api.router")
api.add_router("/crisis", "crisis.api.router")
