"""The agreements, read-only and open to all (§ 6-4: they are published).

Mounted under ``/api/agreements/{partnership}``; the same rules as the public
pages (``agreements.publication``): only versions the council has adopted
are shown, anything else is 404 like an address that names nothing.

- ``GET …/{partnership}``: the agreements with level and version in force.
- ``GET …/{partnership}/coverage``: the 13 points of § 6-2 and the clauses in
  force that cover them.
- ``GET …/{partnership}/versions/{id}``: a version's clauses with the points
  they cover.
- ``GET …/{partnership}/agreement/{agreement}``: one agreement with its
  public versions.
- ``GET …/{partnership}/agreement/{agreement}/ratifications``: each party's
  handling of each version put to the parties.
- ``GET …/{partnership}/agreement/{agreement}/binding``: the version that
  binds a party on a day, or null and why.

Each answer takes a fixed number of queries, however many rows.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from agreements import binding, publication
from agreements.models import Agreement, AgreementVersion, Clause, Ratification
from core.schemas import PartyOut, PlausibleDate, party_out
from partnerships.access import partnership_or_404
from partnerships.models import Organisation, Partnership

router = Router(tags=["agreements"])

DAY = "The day to answer for (YYYY-MM-DD, years 1900–2999); today when left out."


# --- Schemas -----------------------------------------------------------------------


class LevelOut(Schema):
    name: str
    position: int
    ratified: bool = Field(
        description="Whether each party adopts each version; false for documents that bind "
        "in practice, whose version in force applies to all."
    )


class VersionOut(Schema):
    id: int
    label: str
    status: str = Field(
        description="adopted, ratification (being ratified by the parties), in_force, "
        "replaced or expired. Drafts are not published."
    )
    in_force_from: datetime.date | None
    in_force_to: datetime.date | None = Field(
        description="The last day; null: in force until further notice."
    )
    previous_id: int | None = Field(
        description="The version it is based on, when that is published."
    )
    summary: str = Field(description="What is new in this version.")


class AgreementOut(Schema):
    slug: str
    number: str
    title: str
    level: LevelOut
    all_parties: bool = Field(description="Binds every party; false: only those named.")
    parties: list[PartyOut] = Field(description="The parties it binds (today's, or those named).")
    in_force: VersionOut | None = Field(description="The version in force today.")
    upcoming: VersionOut | None = Field(
        description="A newer version on its way: adopted, being ratified or in force later."
    )


class AgreementDetailOut(AgreementOut):
    yields_to: str | None = Field(
        description="The slug of the agreement this one gives way to on conflict."
    )
    versions: list[VersionOut] = Field(description="The published versions, oldest first.")


class JointMeasureOut(Schema):
    name: str
    employer: str
    organisation: str
    financing: str


class ClauseOut(Schema):
    key: str = Field(description="The same clause across versions.")
    number: str
    heading: str
    text: str = Field(description="Sanitised HTML (p, h2–h4, strong, em, lists, links, tables).")
    points: list[int] = Field(description="The points of § 6-2 (1–13) the clause covers.")
    joint_measures: list[JointMeasureOut]


class VersionDetailOut(VersionOut):
    agreement: str = Field(description="The agreement's slug.")
    clauses: list[ClauseOut]


class CoveringClauseOut(Schema):
    agreement: str
    agreement_number: str
    agreement_title: str
    version_id: int
    version: str
    key: str
    number: str
    heading: str


class PointOut(Schema):
    point: int
    label: str
    covered: bool = Field(description="False: no clause in force covers it (a gap).")
    clauses: list[CoveringClauseOut]


class CoverageOut(Schema):
    date: datetime.date
    points: list[PointOut]


class RatificationOut(Schema):
    organisation: PartyOut
    outcome: str = Field(
        description="pending, adopted, adopted_with_changes, rejected, dispute, or "
        "not_recorded (nothing recorded for the party yet)."
    )
    body: str
    body_name: str
    case_number: str
    meeting_date: datetime.date | None
    changes: str = Field(description="What the party changed when it adopted with changes.")
    effective_from: datetime.date | None = Field(
        description="Binding for the party from; null: from the version's in-force date."
    )


class VersionRatificationsOut(Schema):
    version: VersionOut
    parties: list[RatificationOut]


class BindingOut(Schema):
    organisation: PartyOut
    date: datetime.date
    version: VersionOut | None = Field(description="The version that binds the party that day.")
    since: datetime.date | None = Field(description="From when the version binds the party.")
    changes: str = Field(description="The party's own changes, when it adopted with changes.")
    reason: str = Field(
        description="adopted, adopted_with_changes, in_force (a level the parties do not "
        "ratify: the version in force binds all); or, with no version: not_a_party (not a "
        "party of the partnership that day), not_bound (a special agreement that does not "
        "name it), terminated (its notice has run out), not_adopted (it has adopted no "
        "version in force that day)."
    )


class BindingQuery(Schema):
    organisation: str = Field(
        pattern=r"^[0-9]{1,9}$",
        description="The party's organisation number (nine digits) or its id.",
    )
    date: PlausibleDate | None = Field(None, description=DAY)


class DayQuery(Schema):
    date: PlausibleDate | None = Field(None, description=DAY)


# --- Helpers ----------------------------------------------------------------------


def _agreement(partnership: Partnership, slug: str) -> Agreement:
    found = publication.load_agreement(partnership, slug)
    if found is None:
        raise Http404
    return found


def _version_out(version: AgreementVersion, public: set[int]) -> dict[str, Any]:
    """A version, naming the version it is based on only when that is one of
    the ``public`` ones (a draft is not even named)."""
    return {
        "id": version.pk,
        "label": version.label,
        "status": version.status,
        "in_force_from": version.in_force_from,
        "in_force_to": version.in_force_to,
        "previous_id": version.previous_id if version.previous_id in public else None,
        "summary": version.summary,
    }


def _versions_out(versions: list[AgreementVersion]) -> list[dict[str, Any]]:
    public = {v.pk for v in versions}
    return [_version_out(v, public) for v in versions]


def _agreement_out(
    agreement: Agreement,
    versions: list[AgreementVersion],
    parties: list[Organisation],
    day: datetime.date,
) -> dict[str, Any]:
    current = binding.in_force(versions, day)
    coming = publication.upcoming(versions, current)
    by_pk = {v["id"]: v for v in _versions_out(versions)}
    level = agreement.level
    return {
        "slug": agreement.slug,
        "number": agreement.number,
        "title": agreement.title,
        "level": {"name": level.name, "position": level.position, "ratified": level.ratified},
        "all_parties": agreement.all_parties,
        "parties": [party_out(p) for p in publication.bound_parties(agreement, parties)],
        "in_force": by_pk[current.pk] if current else None,
        "upcoming": by_pk[coming.pk] if coming else None,
    }


# --- Endpoints --------------------------------------------------------------------


@router.get(
    "/{partnership}",
    response=list[AgreementOut],
    summary="The published agreements with level and version in force",
)
def list_agreements(request: HttpRequest, partnership: str) -> list[dict[str, Any]]:
    """In the order of the register: by level, then the agreement's place.
    Seven queries, however many agreements, versions and parties."""
    found = partnership_or_404(partnership)
    today = timezone.localdate()
    return [
        _agreement_out(entry.agreement, entry.versions, entry.parties, today)
        for group in publication.register(found, today)
        for entry in group.entries
    ]


@router.get(
    "/{partnership}/coverage",
    response=CoverageOut,
    summary="The 13 points of § 6-2 and the clauses in force that cover them",
)
def agreement_coverage(
    request: HttpRequest, partnership: str, query: Query[DayQuery]
) -> dict[str, Any]:
    """For each point of helse- og omsorgstjenesteloven § 6-2 first
    paragraph, the clauses of the versions in force on ``date`` (today when
    left out) that cover it; a point with none is a gap."""
    found = partnership_or_404(partnership)
    day = query.date or timezone.localdate()
    result = publication.coverage(found, day)
    return {
        "date": day,
        "points": [
            {
                "point": p.point,
                "label": p.label,
                "covered": not p.is_gap,
                "clauses": [
                    {
                        "agreement": c.agreement_version.agreement.slug,
                        "agreement_number": c.agreement_version.agreement.number,
                        "agreement_title": c.agreement_version.agreement.title,
                        "version_id": c.agreement_version_id,
                        "version": c.agreement_version.label,
                        "key": c.key,
                        "number": c.number,
                        "heading": c.heading,
                    }
                    for c in p.clauses
                ],
            }
            for p in result.points
        ],
    }


def _clause_out(clause: Clause) -> dict[str, Any]:
    return {
        "key": clause.key,
        "number": clause.number,
        "heading": clause.heading,
        "text": clause.text,
        "points": sorted(publication.points_of(clause)),
        "joint_measures": [
            {
                "name": m.name,
                "employer": m.employer,
                "organisation": m.organisation,
                "financing": m.financing,
            }
            for m in clause.joint_measures.all()
        ],
    }


@router.get(
    "/{partnership}/versions/{version_id}",
    response=VersionDetailOut,
    summary="A published version's clauses and the § 6-2 points they cover",
)
def get_agreement_version(
    request: HttpRequest, partnership: str, version_id: int
) -> dict[str, Any]:
    """404 for a draft, a consultation draft or a version of another
    partnership. Five queries."""
    found = partnership_or_404(partnership)
    version = (
        AgreementVersion.objects.filter(
            pk=version_id, agreement__partnership=found, status__in=AgreementVersion.PUBLIC
        )
        .select_related("agreement", "previous")
        .first()
    )
    if version is None:
        raise Http404
    previous = publication.compared_with(version)
    return {
        **_version_out(version, {previous.pk} if previous else set()),
        "agreement": version.agreement.slug,
        "clauses": [_clause_out(c) for c in publication.clauses_of([version.pk])],
    }


@router.get(
    "/{partnership}/agreement/{agreement}",
    response=AgreementDetailOut,
    summary="One agreement with its published versions",
)
def get_agreement(request: HttpRequest, partnership: str, agreement: str) -> dict[str, Any]:
    """404 for an agreement with no published version. Eight queries at most."""
    where = partnership_or_404(partnership)
    found = _agreement(where, agreement)
    versions = publication.public_versions(found)
    parties = publication.current_parties(where)
    yields_to = found.yields_to
    public_yield = (
        yields_to is not None
        and AgreementVersion.objects.filter(
            agreement=yields_to, status__in=AgreementVersion.PUBLIC
        ).exists()
    )
    return {
        **_agreement_out(found, versions, parties, timezone.localdate()),
        "yields_to": yields_to.slug if yields_to is not None and public_yield else None,
        "versions": _versions_out(versions),
    }


@router.get(
    "/{partnership}/agreement/{agreement}/ratifications",
    response=list[VersionRatificationsOut],
    summary="Each party's handling of each version put to the parties",
)
def agreement_ratifications(
    request: HttpRequest, partnership: str, agreement: str
) -> list[dict[str, Any]]:
    """Per published version the council has adopted (oldest first), every
    party the agreement binds with its outcome, body, case number and
    meeting date; ``not_recorded`` where nothing is recorded yet. Empty for
    a level the parties do not ratify. Seven queries."""
    where = partnership_or_404(partnership)
    found = _agreement(where, agreement)
    if not found.level.ratified:
        return []
    parties = publication.bound_parties(found, publication.current_parties(where))
    versions = publication.public_versions(found)
    out = []
    for version, shown in zip(versions, _versions_out(versions), strict=True):
        if version.status not in publication.RATIFIED_STATES:
            continue
        by_party = {r.organisation_id: r for r in version.ratifications.all()}
        rows = []
        for party in parties:
            r: Ratification | None = by_party.get(party.pk)
            rows.append(
                {
                    "organisation": party_out(party),
                    "outcome": r.outcome if r else "not_recorded",
                    "body": r.body if r else "",
                    "body_name": r.body_name if r else "",
                    "case_number": r.case_number if r else "",
                    "meeting_date": r.meeting_date if r else None,
                    "changes": r.changes if r else "",
                    "effective_from": r.effective_from if r else None,
                }
            )
        out.append({"version": shown, "parties": rows})
    return out


def _organisation(value: str) -> Organisation:
    """By organisation number (nine digits) or by id; 404 for neither."""
    query = Q(organisation_number=value) if len(value) == 9 else Q(pk=int(value))
    found = Organisation.objects.filter(query).first()
    if found is None:
        raise Http404
    return found


@router.get(
    "/{partnership}/agreement/{agreement}/binding",
    response=BindingOut,
    summary="Which version binds a party on a day",
)
def agreement_binding(
    request: HttpRequest, partnership: str, agreement: str, query: Query[BindingQuery]
) -> dict[str, Any]:
    """The version of the agreement that binds the party on ``date`` (today
    when left out): the newest it has adopted whose in-force date (or the
    party's own later date) has come, until it adopts a newer one. Null with
    the reason when none does. 404 for an organisation that does not exist.
    Eight queries."""
    where = partnership_or_404(partnership)
    found = _agreement(where, agreement)
    organisation = _organisation(query.organisation)
    day = query.date or timezone.localdate()
    party = publication.takes_part(where, organisation, day)
    result, reason = publication.binding_with_reason(found, organisation, day, party=party)
    public = {v.pk for v in publication.public_versions(found)}
    return {
        "organisation": party_out(organisation),
        "date": day,
        "version": _version_out(result.version, public) if result else None,
        "since": result.since if result else None,
        "changes": result.with_changes if result else "",
        "reason": reason,
    }
