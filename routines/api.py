"""The routines in force, read-only and open to all.

Mounted under ``/api/routines/{partnership}``; the same rules as the public
pages (``routines.publication``): only routines with a version in force are
shown, with that version and the versions it replaced; drafts never. A
routine with nothing in force is 404 like an address that names nothing.

- ``GET …/{partnership}``: the routines in force, by agreement.
- ``GET …/{partnership}/{slug}``: one routine with its text in force and the
  versions that were in force.

Each answer takes a fixed number of queries, however many rows.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Router, Schema

from agreements.models import Agreement, Clause
from core.schemas import PartyOut, party_out
from partnerships.access import partnership_or_404
from routines import publication
from routines.models import Routine, RoutineVersion

router = Router(tags=["routines"])


# --- Schemas -----------------------------------------------------------------------


class RoutineAgreementOut(Schema):
    slug: str
    number: str
    title: str
    published: bool = Field(
        description="Whether the agreement has a published version (and a public page)."
    )


class RoutineClauseOut(Schema):
    key: str = Field(description="The same clause in every version of the agreement.")
    number: str
    heading: str


class RoutineOwnerOut(Schema):
    kind: str = Field(description="council or party.")
    name: str
    council: str | None = Field(description="The council's address name, when a council owns it.")
    party: PartyOut | None = Field(description="The party, when a party owns it.")


class RoutineVersionOut(Schema):
    label: str
    status: str = Field(description="in_force or replaced. Drafts are not published.")
    in_force_from: datetime.date
    in_force_to: datetime.date | None = Field(
        description="The last day; null: in force until further notice."
    )
    summary: str = Field(description="What changed in this version.")


class RoutineOut(Schema):
    slug: str
    number: str
    title: str
    agreement: RoutineAgreementOut
    clause: RoutineClauseOut | None = Field(
        description="The clause it belongs to, as the agreement in force words it; null: "
        "the agreement as a whole."
    )
    owner: RoutineOwnerOut
    version: str = Field(description="The name of the version in force.")
    in_force_from: datetime.date
    next_review: datetime.date | None
    url: str = Field(description="The routine's public page (a path on this site).")


class RoutineDetailOut(RoutineOut):
    text: str = Field(description="Sanitised HTML (p, h2–h4, strong, em, lists, links, tables).")
    versions: list[RoutineVersionOut] = Field(
        description="The versions that were in force, newest first (the one in force first)."
    )


# --- Helpers ----------------------------------------------------------------------


def _agreement_out(agreement: Agreement, published: bool) -> dict[str, Any]:
    return {
        "slug": agreement.slug,
        "number": agreement.number,
        "title": agreement.title,
        "published": published,
    }


def _clause_out(clause: Clause | None) -> dict[str, Any] | None:
    if clause is None:
        return None
    return {"key": clause.key, "number": clause.number, "heading": clause.heading}


def _owner_out(routine: Routine) -> dict[str, Any]:
    council, party = routine.owner_council, routine.owner_party
    return {
        "kind": "council" if council is not None else "party",
        "name": routine.owner_name,
        "council": council.slug if council is not None else None,
        "party": party_out(party) if party is not None else None,
    }


def _routine_out(
    routine: Routine,
    in_force: RoutineVersion,
    clause: Clause | None,
    published: bool,
) -> dict[str, Any]:
    return {
        "slug": routine.slug,
        "number": routine.number,
        "title": routine.title,
        "agreement": _agreement_out(routine.agreement, published),
        "clause": _clause_out(clause),
        "owner": _owner_out(routine),
        "version": in_force.label,
        "in_force_from": in_force.in_force_from,
        "next_review": routine.next_review,
        "url": reverse("public_routines:routine", args=[routine.partnership.slug, routine.slug]),
    }


# --- Endpoints --------------------------------------------------------------------


@router.get(
    "/{partnership}",
    response=list[RoutineOut],
    summary="The routines in force, by agreement",
)
def list_routines(request: HttpRequest, partnership: str) -> list[dict[str, Any]]:
    """In the order of the public list: by agreement, then the routine's
    number and title. Five queries, however many routines."""
    found = partnership_or_404(partnership)
    out = []
    for group in publication.in_force_by_agreement(found, timezone.localdate()):
        for entry in group.entries:
            entry.routine.partnership = found
            assert entry.in_force is not None
            out.append(_routine_out(entry.routine, entry.in_force, entry.clause, group.public))
    return out


@router.get(
    "/{partnership}/{slug}",
    response=RoutineDetailOut,
    summary="One routine with its text in force and the versions that were in force",
)
def get_routine(request: HttpRequest, partnership: str, slug: str) -> dict[str, Any]:
    """404 for a routine with nothing in force and one of another
    partnership. Five queries at most."""
    found = partnership_or_404(partnership)
    routine = publication.load_public_routine(found, slug)
    if routine is None:
        raise Http404
    page = publication.routine_page(routine, timezone.localdate())
    return {
        **_routine_out(routine, page.in_force, page.clause, page.agreement_public),
        "text": page.in_force.text,
        "versions": [
            {
                "label": v.label,
                "status": v.status,
                "in_force_from": v.in_force_from,
                "in_force_to": v.in_force_to,
                "summary": v.summary,
            }
            for v in page.history
        ],
    }
