"""What is read about routines in more than one place: the clause a
routine belongs to, the routines in force grouped by agreement (the public
list and the API), one public routine, and the routines under one agreement
(its public page).

Rules:

- A routine is public when one of its versions is in force; what the public
  sees of it is the version in force and the versions it replaced, never a
  draft. A routine with nothing in force is not public at all.
- A routine names a clause by its stable key; the clause is shown as the
  agreement's version in force words it, or, when that version lacks it (or
  none is in force), as the newest version that has it — on the public side
  only versions the council has adopted (``AgreementVersion.PUBLIC``).
- Every function takes a fixed number of queries, whatever the number of
  routines, versions and clauses (see each docstring).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Prefetch

from agreements import binding
from agreements.models import Agreement, AgreementVersion, Clause
from partnerships.models import Partnership
from routines.models import Routine, RoutineVersion

Status = RoutineVersion.Status
ClauseKey = tuple[int, str]  # (agreement id, clause key)


def clauses_for(
    routines: Iterable[Routine], day: datetime.date, *, public: bool
) -> dict[ClauseKey, Clause]:
    """The clause each routine names, by (agreement, key): one query, none
    when no routine names a clause."""
    wanted = {(r.agreement_id, r.clause_key) for r in routines if r.clause_key}
    if not wanted:
        return {}
    rows = Clause.objects.filter(
        agreement_version__agreement_id__in={a for a, _k in wanted},
        key__in={k for _a, k in wanted},
    ).select_related("agreement_version")
    if public:
        rows = rows.filter(agreement_version__status__in=AgreementVersion.PUBLIC)
    found: dict[ClauseKey, list[Clause]] = {}
    for clause in rows:
        place = (clause.agreement_version.agreement_id, clause.key)
        if place in wanted:
            found.setdefault(place, []).append(clause)
    result = {}
    for place, candidates in found.items():
        versions = {c.agreement_version_id: c for c in candidates}
        current = binding.in_force([c.agreement_version for c in candidates], day)
        if current is not None:
            result[place] = versions[current.pk]
        else:
            newest = max(candidates, key=lambda c: (c.agreement_version.created, c.pk))
            result[place] = newest
    return result


def clause_of(routine: Routine, clauses: dict[ClauseKey, Clause]) -> Clause | None:
    return clauses.get((routine.agreement_id, routine.clause_key)) if routine.clause_key else None


def public_agreements(agreement_ids: Iterable[int]) -> set[int]:
    """Those of the agreements that have a published version (one query):
    only these are linked to their public page."""
    ids = set(agreement_ids)
    if not ids:
        return set()
    return set(
        AgreementVersion.objects.filter(
            agreement_id__in=ids, status__in=AgreementVersion.PUBLIC
        ).values_list("agreement_id", flat=True)
    )


# --- The public list -----------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    routine: Routine
    in_force: RoutineVersion | None  # not loaded under one agreement
    clause: Clause | None


@dataclass(frozen=True)
class AgreementGroup:
    agreement: Agreement
    public: bool  # the agreement has a published version: link to it
    entries: list[Entry] = field(default_factory=list)


def _in_force_routines(partnership: Partnership) -> list[Routine]:
    """The partnership's routines with a version in force, each with that
    version as ``current`` (two queries)."""
    return list(
        Routine.objects.filter(partnership=partnership, versions__status=Status.IN_FORCE)
        .select_related("agreement__level", "owner_council", "owner_party")
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=RoutineVersion.objects.filter(status=Status.IN_FORCE),
                to_attr="current",
            )
        )
        .order_by(
            "agreement__level__position",
            "agreement__position",
            "agreement__number",
            "agreement__title",
            "number",
            "title",
            "pk",
        )
    )


def in_force_by_agreement(partnership: Partnership, day: datetime.date) -> list[AgreementGroup]:
    """The routines in force, grouped by agreement in the register's order
    (four queries: the routines, their versions in force, the clauses they
    name, which agreements are published)."""
    routines = _in_force_routines(partnership)
    clauses = clauses_for(routines, day, public=True)
    public = public_agreements(r.agreement_id for r in routines)
    groups: dict[int, AgreementGroup] = {}
    for routine in routines:
        group = groups.setdefault(
            routine.agreement_id,
            AgreementGroup(routine.agreement, routine.agreement_id in public),
        )
        group.entries.append(Entry(routine, routine.current[0], clause_of(routine, clauses)))  # type: ignore[attr-defined]
    return list(groups.values())


# --- One public routine --------------------------------------------------------------


@dataclass(frozen=True)
class RoutinePage:
    routine: Routine
    in_force: RoutineVersion
    # Every version that was in force, newest first (the one in force first).
    history: list[RoutineVersion]
    clause: Clause | None
    agreement_public: bool


def load_public_routine(partnership: Partnership, slug: str) -> Routine | None:
    """A routine with its agreement, owner and the versions that were ever in
    force (as ``public_versions``, newest first), or None when nothing of it
    is in force (two queries)."""
    routine = (
        Routine.objects.filter(partnership=partnership, slug=slug)
        .select_related("agreement", "owner_council", "owner_party")
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=RoutineVersion.objects.filter(status__in=RoutineVersion.PUBLIC).order_by(
                    "-in_force_from", "-pk"
                ),
                to_attr="public_versions",
            )
        )
        .first()
    )
    if routine is None or not any(
        v.status == Status.IN_FORCE
        for v in routine.public_versions  # type: ignore[attr-defined]
    ):
        return None
    routine.partnership = partnership
    return routine


def routine_page(routine: Routine, day: datetime.date) -> RoutinePage:
    """A routine loaded by :func:`load_public_routine` with its clause and
    whether its agreement is published (two queries at most)."""
    versions: list[RoutineVersion] = routine.public_versions  # type: ignore[attr-defined]
    return RoutinePage(
        routine=routine,
        in_force=next(v for v in versions if v.status == Status.IN_FORCE),
        history=versions,
        clause=clause_of(routine, clauses_for([routine], day, public=True)),
        agreement_public=bool(public_agreements([routine.agreement_id])),
    )


# --- Under one agreement -------------------------------------------------------------


def under_agreement(agreement: Agreement, clauses: Iterable[Clause]) -> list[Entry]:
    """The routines in force under ``agreement``, each with the clause it
    names among ``clauses`` (those the agreement's page shows), in the
    clauses' order and then by number and title (one query)."""
    shown = {c.key: c for c in clauses}
    order = {key: n for n, key in enumerate(shown)}
    routines = (
        Routine.objects.filter(agreement=agreement, versions__status=Status.IN_FORCE)
        .select_related("owner_council", "owner_party")
        .order_by("number", "title", "pk")
    )
    entries = [Entry(r, None, shown.get(r.clause_key)) for r in routines]
    return sorted(
        entries,
        key=lambda e: order.get(e.routine.clause_key, len(order)),
    )
