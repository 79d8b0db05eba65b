"""Which version of an agreement binds a party on a given day, and which
§ 6-2 points the agreements in force cover.

The rule for a ratified level (the samarbeidsavtale, tjenesteavtaler,
særavtaler): the latest version the party has adopted (as it stands, or with
its own changes) whose in-force date — or the party's own later date — has
come. Until the party adopts a newer version, the one it adopted before goes
on binding it ("gjelder inntil videre"), even after the others have moved on;
a version it rejected, is still handling or disputes never binds it. A
version with an end date binds nobody after it, and a party that has given
notice is bound until the day its notice ends.

For a level the parties do not ratify (guidelines that "bind in practice"),
the version in force for the partnership is the one that applies to all.

Everything here works on rows already loaded (``load``): the register asks
for every party and agreement at once without a query per cell.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from agreements.models import (
    Agreement,
    AgreementVersion,
    Clause,
    ClauseCoverage,
    LegalPoint,
    Ratification,
)
from partnerships.models import Organisation, Partnership

Status = AgreementVersion.Status
# Versions that have been adopted by the council and may bind someone.
ADOPTED_STATES = {Status.ADOPTED, Status.RATIFICATION, Status.IN_FORCE, Status.REPLACED}


@dataclass(frozen=True)
class Binding:
    """The version that binds one party, and how it came to."""

    version: AgreementVersion
    since: datetime.date
    ratification: Ratification | None  # None on a level the parties do not ratify

    @property
    def with_changes(self) -> str:
        if (
            self.ratification
            and self.ratification.outcome == Ratification.Outcome.ADOPTED_WITH_CHANGES
        ):
            return self.ratification.changes
        return ""


def load(partnership: Partnership) -> list[Agreement]:
    """The partnership's agreements with their levels, parties, versions,
    ratifications and terminations (five queries, whatever their number)."""
    versions: QuerySet[AgreementVersion] = AgreementVersion.objects.prefetch_related(
        Prefetch("ratifications", queryset=Ratification.objects.order_by("pk"))
    ).order_by("created", "pk")
    return list(
        Agreement.objects.filter(partnership=partnership)
        .select_related("level")
        .prefetch_related("parties", Prefetch("versions", queryset=versions), "terminations")
    )


def binds_party(agreement: Agreement, organisation: Organisation | int) -> bool:
    """Whether the agreement is one the party is a party to at all."""
    if agreement.all_parties:
        return True
    pk = organisation if isinstance(organisation, int) else organisation.pk
    return any(p.pk == pk for p in agreement.parties.all())


def binding(
    agreement: Agreement, organisation: Organisation | int, day: datetime.date
) -> Binding | None:
    """The version of ``agreement`` that binds the party on ``day``, or None."""
    pk = organisation if isinstance(organisation, int) else organisation.pk
    if not binds_party(agreement, pk):
        return None
    for termination in agreement.terminations.all():
        if termination.organisation_id == pk and termination.ends_on < day:
            return None
    versions: Iterable[AgreementVersion] = agreement.versions.all()
    if not agreement.level.ratified:
        current = in_force(versions, day)
        return Binding(current, current.in_force_from, None) if current else None  # type: ignore[arg-type]
    best: Binding | None = None
    for version in versions:
        if version.status not in ADOPTED_STATES and version.status != Status.EXPIRED:
            continue
        if version.in_force_from is None or (version.in_force_to and version.in_force_to < day):
            continue
        ratification = next(
            (r for r in version.ratifications.all() if r.organisation_id == pk), None
        )
        if ratification is None or ratification.outcome not in Ratification.BINDING:
            continue
        since = max(version.in_force_from, ratification.effective_from or version.in_force_from)
        if since > day:
            continue
        if best is None or (since, version.created) >= (best.since, best.version.created):
            best = Binding(version, since, ratification)
    return best


def in_force(versions: Iterable[AgreementVersion], day: datetime.date) -> AgreementVersion | None:
    """The version in force for the partnership on ``day``: the latest whose
    in-force date has come and that has not ended, once it is in force."""
    found = [
        v
        for v in versions
        if v.status in (Status.IN_FORCE, Status.REPLACED, Status.EXPIRED)
        and v.in_force_from is not None
        and v.in_force_from <= day
        and (v.in_force_to is None or v.in_force_to >= day)
    ]
    return max(found, key=lambda v: (v.in_force_from, v.created), default=None)


@dataclass(frozen=True)
class PointCoverage:
    point: int
    label: str
    clauses: list[Clause]

    @property
    def is_gap(self) -> bool:
        return not self.clauses


def coverage(partnership: Partnership, day: datetime.date) -> list[PointCoverage]:
    """Each of the 13 points of § 6-2 with the clauses in force that cover it
    (three queries). A point with no clause is a gap: the law is not met."""
    agreements = list(
        Agreement.objects.filter(partnership=partnership).prefetch_related("versions")
    )
    current = [v.pk for a in agreements if (v := in_force(a.versions.all(), day)) is not None]
    by_point: dict[int, list[Clause]] = defaultdict(list)
    rows = (
        ClauseCoverage.objects.filter(clause__agreement_version_id__in=current)
        .select_related("clause__agreement_version__agreement")
        .order_by(
            "clause__agreement_version__agreement__position", "clause__position", "clause__pk"
        )
    )
    for row in rows:
        by_point[row.point].append(row.clause)
    return [
        PointCoverage(int(point), str(label), by_point.get(int(point), []))
        for point, label in LegalPoint.choices
    ]
