"""What the public sees of the agreements (§ 6-4: they are published in
full): the register, one agreement with who is bound by which version, one
version with its text, and the § 6-2 coverage. The public pages and the API
read from here.

Rules:

- Only versions in ``AgreementVersion.PUBLIC`` states (from the council's
  adoption on) are shown. Drafts and consultation drafts are internal: an
  agreement with no public version is not in the register, its page and its
  draft versions are 404, and a public version based on a draft is shown
  without the comparison.
- Which version binds a party comes from ``agreements.binding`` on rows
  loaded once; what covers the 13 points of § 6-2 is the text in force.
- Every function here takes a fixed number of queries, whatever the number
  of agreements, versions, clauses and parties (see each docstring).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from agreements import binding
from agreements.models import (
    Agreement,
    AgreementLevel,
    AgreementVersion,
    Clause,
    ClauseCoverage,
    JointMeasure,
    LegalPoint,
    Ratification,
    Termination,
)
from partnerships.models import Organisation, Participation, Partnership

Status = AgreementVersion.Status
Outcome = Ratification.Outcome
# A version still on its way to the parties: adopted by the council, sent to
# them, or in force from a date still to come.
ON_ITS_WAY = {Status.ADOPTED, Status.RATIFICATION, Status.IN_FORCE}
# Versions a party takes a stand on.
RATIFIED_STATES = {Status.ADOPTED, Status.RATIFICATION, Status.IN_FORCE, Status.REPLACED}


# --- Loading -------------------------------------------------------------------------


def _agreements(partnership: Partnership) -> QuerySet[Agreement]:
    """The partnership's agreements as ``binding`` needs them: level, parties,
    versions with their ratifications, terminations (five queries)."""
    versions = AgreementVersion.objects.prefetch_related(
        Prefetch("ratifications", queryset=Ratification.objects.order_by("pk"))
    ).order_by("created", "pk")
    return (
        Agreement.objects.filter(partnership=partnership)
        .select_related("level")
        .prefetch_related(
            Prefetch("parties", queryset=Organisation.objects.order_by("name")),
            Prefetch("versions", queryset=versions),
            Prefetch("terminations", queryset=Termination.objects.order_by("ends_on", "pk")),
        )
    )


def public_versions(agreement: Agreement) -> list[AgreementVersion]:
    """The agreement's public versions, oldest first (from what is loaded)."""
    return [v for v in agreement.versions.all() if v.status in AgreementVersion.PUBLIC]


def current_parties(partnership: Partnership) -> list[Organisation]:
    """The parties (not observers) taking part today, by name (one query)."""
    return list(
        Organisation.objects.filter(
            participations__in=Participation.objects.current().filter(
                partnership=partnership, role=Participation.Role.PARTY
            )
        )
        .distinct()
        .order_by("name")
    )


def bound_parties(agreement: Agreement, parties: list[Organisation]) -> list[Organisation]:
    """The parties the agreement binds: all of today's, or the named ones."""
    if agreement.all_parties:
        return parties
    return list(agreement.parties.all())


def upcoming(
    versions: list[AgreementVersion], current: AgreementVersion | None
) -> AgreementVersion | None:
    """The newest public version on its way that is newer than the one in
    force: adopted, being ratified, or in force from a later date."""
    newer = [
        v
        for v in versions
        if v.status in ON_ITS_WAY
        and v != current
        and (current is None or (v.created, v.pk) > (current.created, current.pk))
    ]
    return newer[-1] if newer else None


def adopted_by(version: AgreementVersion, parties: Iterable[Organisation]) -> int:
    """How many of ``parties`` have adopted the version (as it stands or
    with their own changes), from its loaded ratifications."""
    wanted = {p.pk for p in parties}
    return sum(
        1
        for r in version.ratifications.all()
        if r.organisation_id in wanted and r.outcome in Ratification.BINDING
    )


# --- The register --------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One agreement in the register."""

    agreement: Agreement
    versions: list[AgreementVersion]
    in_force: AgreementVersion | None
    upcoming: AgreementVersion | None
    parties: list[Organisation]
    adopted: int  # parties that have adopted the upcoming version

    @property
    def binds_all(self) -> bool:
        return self.agreement.all_parties


@dataclass(frozen=True)
class LevelGroup:
    level: AgreementLevel
    entries: list[Entry] = field(default_factory=list)


def register(partnership: Partnership, day: datetime.date) -> list[LevelGroup]:
    """The public agreements grouped by level in the level's order, each with
    its version in force on ``day``, the one on its way and how many parties
    have adopted that (six queries: the agreements as ``binding`` loads them
    and today's parties)."""
    parties = current_parties(partnership)
    groups: dict[int, LevelGroup] = {}
    for agreement in _agreements(partnership):
        versions = public_versions(agreement)
        if not versions:
            continue
        current = binding.in_force(versions, day)
        coming = upcoming(versions, current)
        bound = bound_parties(agreement, parties)
        group = groups.setdefault(agreement.level_id, LevelGroup(agreement.level))
        group.entries.append(
            Entry(
                agreement=agreement,
                versions=versions,
                in_force=current,
                upcoming=coming,
                parties=bound,
                adopted=adopted_by(coming, bound) if coming else 0,
            )
        )
    return sorted(groups.values(), key=lambda g: (g.level.position, g.level.name, g.level.pk))


# --- One agreement -------------------------------------------------------------------


@dataclass(frozen=True)
class PartyLine:
    """One party of an agreement: the version that binds it on the day, and
    its handling of the version on its way (or of the one in force)."""

    party: Organisation
    binding: binding.Binding | None
    ratification: Ratification | None
    bound_until: datetime.date | None  # when it has given notice


@dataclass(frozen=True)
class AgreementPage:
    agreement: Agreement
    versions: list[AgreementVersion]  # public, oldest first
    in_force: AgreementVersion | None
    upcoming: AgreementVersion | None
    shown: AgreementVersion  # the version whose text is shown
    clauses: list[Clause]
    parties: list[PartyLine]
    # The version whose ratifications the party lines show (None on a level
    # the parties do not ratify).
    ratified_version: AgreementVersion | None
    yields_to: Agreement | None
    adopted: int


def load_agreement(partnership: Partnership, slug: str) -> Agreement | None:
    """One public agreement as ``binding`` needs it, or None (five queries)."""
    found = _agreements(partnership).filter(slug=slug).select_related("level", "yields_to").first()
    if found is None or not public_versions(found):
        return None
    found.partnership = partnership  # known: no query to load it again
    return found


def clauses_of(version_ids: Iterable[int]) -> list[Clause]:
    """The clauses of the versions with what they cover of § 6-2 and their
    joint measures, in order (three queries)."""
    return list(
        Clause.objects.filter(agreement_version_id__in=list(version_ids))
        .prefetch_related(
            Prefetch("coverage", queryset=ClauseCoverage.objects.order_by("point")),
            Prefetch("joint_measures", queryset=JointMeasure.objects.order_by("pk")),
        )
        .order_by("position", "pk")
    )


def _is_public(agreement: Agreement | None) -> bool:
    return (
        agreement is not None
        and AgreementVersion.objects.filter(
            agreement=agreement, status__in=AgreementVersion.PUBLIC
        ).exists()
    )


def agreement_page(agreement: Agreement, day: datetime.date) -> AgreementPage:
    """An agreement loaded by :func:`load_agreement` with the text in force
    (or, before any version is, the newest public one), every party's binding
    version on ``day`` and its handling of the newest version it is asked to
    adopt. Five queries beyond the loading: today's parties, the clauses with
    their points and joint measures, and whether the agreement it gives way
    to is public (only when it names one)."""
    versions = public_versions(agreement)
    current = binding.in_force(versions, day)
    coming = upcoming(versions, current)
    shown = current or versions[-1]
    parties = bound_parties(agreement, current_parties(agreement.partnership))
    ratified_version: AgreementVersion | None = None
    if agreement.level.ratified:
        asked = [v for v in versions if v.status in RATIFIED_STATES]
        ratified_version = coming or (asked[-1] if asked else None)
    ended = {t.organisation_id: t.ends_on for t in agreement.terminations.all()}
    lines = []
    for party in parties:
        ratification = None
        if ratified_version is not None:
            ratification = next(
                (r for r in ratified_version.ratifications.all() if r.organisation_id == party.pk),
                None,
            )
        lines.append(
            PartyLine(
                party=party,
                binding=binding.binding(agreement, party, day),
                ratification=ratification,
                bound_until=ended.get(party.pk),
            )
        )
    yields_to = agreement.yields_to if _is_public(agreement.yields_to) else None
    return AgreementPage(
        agreement=agreement,
        versions=versions,
        in_force=current,
        upcoming=coming,
        shown=shown,
        clauses=clauses_of([shown.pk]),
        parties=lines,
        ratified_version=ratified_version,
        yields_to=yields_to,
        adopted=adopted_by(coming, parties) if coming else 0,
    )


def public_version(partnership: Partnership, slug: str, pk: int) -> AgreementVersion | None:
    """A public version of the agreement, with its agreement, level and the
    version it is based on (one query)."""
    return (
        AgreementVersion.objects.filter(
            pk=pk,
            agreement__partnership=partnership,
            agreement__slug=slug,
            status__in=AgreementVersion.PUBLIC,
        )
        .select_related("agreement__level", "previous")
        .first()
    )


def compared_with(version: AgreementVersion) -> AgreementVersion | None:
    """The version this one is based on, when that is public too."""
    previous = version.previous
    return previous if previous is not None and previous.is_public else None


def points_of(clause: Clause) -> frozenset[int]:
    """The § 6-2 points a clause covers, from its prefetched coverage."""
    return frozenset(c.point for c in clause.coverage.all())


# --- § 6-2 coverage ------------------------------------------------------------------


@dataclass(frozen=True)
class Coverage:
    points: list[binding.PointCoverage]
    in_force: list[AgreementVersion]  # the versions counted, with their agreements
    joint_measures: list[JointMeasure]

    @property
    def gaps(self) -> list[binding.PointCoverage]:
        return [p for p in self.points if p.is_gap]


def coverage(partnership: Partnership, day: datetime.date) -> Coverage:
    """Each of the 13 points of § 6-2 with the clauses in force on ``day``
    that cover it, and the joint measures (§ 6-2 second paragraph) of those
    versions (four queries: agreements, their versions, the coverage and the
    joint measures). The same rule as :func:`agreements.binding.coverage`,
    with the versions and joint measures the page shows besides."""
    agreements = list(
        Agreement.objects.filter(partnership=partnership)
        .select_related("level")
        .prefetch_related("versions")
    )
    current = [v for a in agreements if (v := binding.in_force(a.versions.all(), day)) is not None]
    versions = {v.pk: v for v in current}
    by_point: dict[int, list[Clause]] = defaultdict(list)
    rows = (
        ClauseCoverage.objects.filter(clause__agreement_version_id__in=list(versions))
        .select_related("clause")
        .order_by("clause__position", "clause__pk")
    )
    order = {a.pk: n for n, a in enumerate(agreements)}
    for row in sorted(
        rows, key=lambda r: order[versions[r.clause.agreement_version_id].agreement_id]
    ):
        # The version (and its agreement) as loaded above: no query per clause.
        row.clause.agreement_version = versions[row.clause.agreement_version_id]
        by_point[row.point].append(row.clause)
    measures = list(
        JointMeasure.objects.filter(clause__agreement_version_id__in=list(versions))
        .select_related("clause")
        .order_by("clause__position", "pk")
    )
    for measure in measures:
        measure.clause.agreement_version = versions[measure.clause.agreement_version_id]
    measures.sort(key=lambda m: order[m.clause.agreement_version.agreement_id])
    return Coverage(
        points=[
            binding.PointCoverage(int(point), str(label), by_point.get(int(point), []))
            for point, label in LegalPoint.choices
        ],
        in_force=current,
        joint_measures=measures,
    )


# --- Which version binds a party -----------------------------------------------------


class Reason:
    """Why a version binds a party on a day, or why none does."""

    ADOPTED = "adopted"
    ADOPTED_WITH_CHANGES = "adopted_with_changes"
    IN_FORCE = "in_force"  # a level the parties do not ratify
    NOT_A_PARTY = "not_a_party"
    NOT_BOUND = "not_bound"
    TERMINATED = "terminated"
    NOT_ADOPTED = "not_adopted"

    ALL = (
        ADOPTED,
        ADOPTED_WITH_CHANGES,
        IN_FORCE,
        NOT_A_PARTY,
        NOT_BOUND,
        TERMINATED,
        NOT_ADOPTED,
    )


def takes_part(partnership: Partnership, organisation: Organisation, day: datetime.date) -> bool:
    """Whether the organisation was a party of the partnership on ``day``
    (one query)."""
    return (
        Participation.objects.current(day)
        .filter(partnership=partnership, organisation=organisation, role=Participation.Role.PARTY)
        .exists()
    )


def binding_with_reason(
    agreement: Agreement, organisation: Organisation, day: datetime.date, *, party: bool
) -> tuple[binding.Binding | None, str]:
    """The version that binds the party on ``day`` and why, or None and why
    not. ``party``: whether it was a party of the partnership that day."""
    if not party:
        return None, Reason.NOT_A_PARTY
    if not binding.binds_party(agreement, organisation):
        return None, Reason.NOT_BOUND
    found = binding.binding(agreement, organisation, day)
    if found is not None and found.version.status in AgreementVersion.PUBLIC:
        if found.ratification is None:
            return found, Reason.IN_FORCE
        if found.ratification.outcome == Outcome.ADOPTED_WITH_CHANGES:
            return found, Reason.ADOPTED_WITH_CHANGES
        return found, Reason.ADOPTED
    if any(
        t.organisation_id == organisation.pk and t.ends_on < day
        for t in agreement.terminations.all()
    ):
        return None, Reason.TERMINATED
    return None, Reason.NOT_ADOPTED
