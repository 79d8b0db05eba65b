"""The JSON API under /api/ with its OpenAPI schema at /api/openapi.json.

Public structure is open to all; anything internal goes through the same
access helpers as the HTML views. The interactive docs page is off: it loads
scripts from a CDN, which our CSP and offline servers forbid.
"""

from __future__ import annotations

from datetime import date
from typing import cast

from django.http import Http404, HttpRequest
from ninja import NinjaAPI, Schema
from ninja.security import django_auth

from accounts.models import User
from partnerships.access import PartnershipAccess, partnerships_of
from partnerships.models import Membership, Participation, Partnership
from portal.services import partnership_structure

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
