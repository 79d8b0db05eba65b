"""The JSON API under /api/ with its OpenAPI schema at /api/openapi.json.

Public structure is open to all; anything internal goes through the same
access helpers as the HTML views. The interactive docs page is off: it loads
scripts from a CDN, which our CSP and offline servers forbid.
"""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django.http import Http404, HttpRequest
from django.utils.translation import gettext
from ninja import NinjaAPI, Query, Schema, Status
from ninja.security import django_auth

from accounts.models import User
from core.schemas import ErrorOut
from partnerships.access import PartnershipAccess, partnerships_of
from partnerships.models import Membership, Participation, Partnership
from portal.services import partnership_structure
from search.forms import SearchForm
from search.services import MAX_PAGE, search_page

ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}
VALIDATION_ERRORS = {
    "title": "ValidationErrorsOut",
    "type": "object",
    "description": "What was wrong with the request's fields, one entry per problem.",
    "properties": {
        "detail": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "loc": {"type": "array", "items": {"type": ["string", "integer"]}},
                    "msg": {"type": "string"},
                    "type": {"type": "string"},
                },
                "required": ["loc", "msg", "type"],
            },
        }
    },
    "required": ["detail"],
}
COMMON = {
    "400": "The address or the body holds a character that is not allowed (a NUL), or "
    "the request breaks a rule the detail names.",
    "401": "No token, or a token that is not valid (revoked, unknown).",
    "404": "Not found, or not yours to see.",
    "413": "The request body is larger than the limit.",
    "422": "The request does not fit the schema (the fields say where), or a text holds "
    "a personal identity number.",
}


class SamspillAPI(NinjaAPI):
    """The schema states every answer an operation can give, not only its
    success: the edge middleware's 400/413, 401 for token operations, 404
    where the address names something, 422 for invalid input."""

    def get_openapi_schema(self, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(**kwargs)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.setdefault("ErrorOut", ErrorOut.model_json_schema())
        components["ValidationErrorsOut"] = VALIDATION_ERRORS
        for methods in schema.get("paths", {}).values():
            for operation in methods.values():
                _document_common_answers(operation)
        return schema


def _json(ref: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ref}}}


def _document_common_answers(operation: dict[str, Any]) -> None:
    responses = operation.setdefault("responses", {})
    parameters = operation.get("parameters", [])
    wanted = ["400"]
    if operation.get("security"):
        wanted.append("401")
    if any(p.get("in") == "path" for p in parameters) or operation.get("security"):
        wanted.append("404")
    if "requestBody" in operation:
        wanted.append("413")
    for code in wanted:
        responses.setdefault(code, _json(ERROR_REF, COMMON[code]))
    if parameters or "requestBody" in operation:
        validation = {"$ref": "#/components/schemas/ValidationErrorsOut"}
        declared = responses.get("422", {}).get("content", {}).get("application/json", {})
        if declared.get("schema"):
            responses["422"] = _json({"anyOf": [declared["schema"], validation]}, COMMON["422"])
        else:
            responses["422"] = _json(validation, COMMON["422"])


api = SamspillAPI(
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
    # The language the partnership writes its texts in (BCP 47: nb or nn).
    language: str
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
        "language": partnership.content_language,
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
    kind: str  # "case", "decision", "minutes", "agreement", "clause" or "routine"
    title: str
    # The case number ("26/004"), or the agreement's, clause's or routine's; "" for minutes.
    number: str
    date: date | None
    snippet: str  # plain text
    url: str  # the page to read it on (internal pages for insiders)
    public_title_only: bool  # an exempt case shown by its public title only


class SearchCountsOut(Schema):
    case: int
    decision: int
    minutes: int
    agreement: int
    clause: int
    routine: int


class SearchOut(Schema):
    query: str
    total: int
    counts: SearchCountsOut
    page: int
    pages: int
    hits: list[SearchHitOut]


@api.get(
    "/partnerships/{slug}/search",
    response={200: SearchOut, 400: ErrorOut},
    tags=["search"],
)
def search(
    request: HttpRequest,
    slug: str,
    q: str = "",
    kind: str = "",
    page: int = Query(1, ge=1, le=MAX_PAGE),
) -> Status[dict[str, object]]:
    """Cases, decisions, minutes, agreements, clauses and routines matching
    every word of ``q``, as the search page shows them to the caller:
    insiders of the partnership get what they may see inside, everyone else
    what the public pages show. ``kind`` narrows to one of case, decision,
    minutes, agreement, clause, routine. A query holding a personal identity
    number is refused (400)."""
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
                    "snippet": h.summary,  # minutes: "council · status"
                    "url": h.url,
                    "public_title_only": h.public_title_only,
                }
                for h in result.results.hits
            ],
        },
    )


api.add_router("/deviations", "deviations.api.router")
api.add_router("/crisis", "crisis.api.router")
api.add_router("/agreements", "agreements.api.router")
api.add_router("/routines", "routines.api.router")
api.add_router("/plans", "plans.api.router")
api.add_router("/statistics", "indicators.api.router")
