"""The rules of the action plan: which plan is in force, loading one plan's
tree, reporting progress on a measure, and which measures wait for a report.

Progress is reported on a measure with nothing under it (a measure with
measures under it shows theirs, :mod:`plans.rollup`). A report is one dated
entry and the measure's new progress and status, saved together; the form's
key makes a second submit of the same form add nothing, and the measure's
version makes a report based on an older state of the measure a conflict
instead of an overwrite.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from core.services import save_versioned
from partnerships.models import Organisation, Partnership
from plans import rollup
from plans.models import ActionPlan, Goal, Measure, ProgressEntry, Project, ProjectReport


def plans_of(partnership: Partnership, *, public: bool) -> QuerySet[ActionPlan]:
    plans = ActionPlan.objects.filter(partnership=partnership)
    if public:
        plans = plans.exclude(status=ActionPlan.Status.DRAFT)
    return plans.order_by("-first_year", "-pk")


def plan_in_force(partnership: Partnership, year: int) -> ActionPlan | None:
    """The adopted plan whose period holds ``year``; else the latest adopted."""
    adopted = list(
        ActionPlan.objects.filter(
            partnership=partnership, status=ActionPlan.Status.ADOPTED
        ).order_by("-first_year", "-pk")
    )
    for plan in adopted:
        if plan.first_year <= year <= plan.last_year:
            return plan
    return adopted[0] if adopted else None


def measures_of(plan: ActionPlan) -> QuerySet[Measure]:
    return (
        Measure.objects.filter(goal__plan=plan)
        .select_related("responsible_person")
        .prefetch_related(
            Prefetch("responsible_parties", queryset=Organisation.objects.order_by("name", "pk"))
        )
    )


def tree(plan: ActionPlan) -> rollup.PlanTree:
    """The plan with every goal and measure and their progress (three
    queries: the goals, the measures with their responsible person, their
    responsible parties)."""
    return rollup.build(plan, list(plan.goals.all()), list(measures_of(plan)))


@dataclass(frozen=True)
class Report:
    date: datetime.date
    progress: int
    status: str
    text: str
    organisation: Organisation | None
    client_key: uuid.UUID | None


def is_leaf(measure: Measure) -> bool:
    return not measure.children.exists()


def _create[M: (ActionPlan, Goal, Measure, Project, ProgressEntry, ProjectReport)](
    model: type[M], client_key: uuid.UUID | None, make: Callable[[], M]
) -> tuple[M, bool]:
    """``make()`` inside a transaction, unless this form's key made one
    already (then that one, and ``False``)."""
    if client_key is not None:
        existing = model.objects.filter(client_key=client_key).first()
        if existing is not None:
            return existing, False
    try:
        with transaction.atomic():
            return make(), True
    except IntegrityError:
        existing = model.objects.filter(client_key=client_key).first() if client_key else None
        if existing is None:
            raise
        return existing, False


def report_progress(
    measure: Measure, report: Report, *, by: Any, expected_version: int
) -> tuple[ProgressEntry, bool]:
    """Record one progress report; returns the entry and whether it is new
    (``False``: this form was already submitted, nothing more is stored).

    Raises ``ValidationError`` for a measure with measures under it or a
    "completed" below 100 per cent (nothing stored), and
    ``core.services.EditConflict`` when someone else changed the measure
    after the form was opened.
    """

    def make() -> ProgressEntry:
        if not is_leaf(measure):
            raise ValidationError(
                _("This measure shows the progress of the measures under it; report on those.")
            )
        if report.status == Measure.Status.COMPLETED and report.progress != 100:
            raise ValidationError(
                {"progress": _("A completed measure is at 100 per cent.")}, code="completed"
            )
        entry = ProgressEntry.objects.create(
            measure=measure,
            date=report.date,
            progress=report.progress,
            status=report.status,
            text=report.text,
            author=by,
            organisation=report.organisation,
            client_key=report.client_key,
        )
        measure.progress = report.progress
        measure.status = report.status
        if measure.last_reported_on is None or report.date >= measure.last_reported_on:
            measure.last_reported_on = report.date
        save_versioned(measure, expected_version, ["progress", "status", "last_reported_on"])
        return entry

    return _create(ProgressEntry, report.client_key, make)


def overdue(measure: Measure, plan: ActionPlan, today: datetime.date) -> bool:
    """A measure under way (started, not finished) with no progress report
    for longer than the plan's interval."""
    if measure.status in Measure.FINISHED:
        return False
    if measure.starts_on is None or measure.starts_on > today:
        return False
    since = measure.last_reported_on or measure.starts_on
    return (today - since).days > plan.report_every_days


def waiting_reports(
    partnership: Partnership,
    today: datetime.date,
    party_ids: frozenset[int] | None,
    user_id: int | None = None,
) -> list[tuple[Measure, ActionPlan]]:
    """Measures with nothing under them in an adopted plan whose progress
    report is overdue: those of the given parties or with the person as
    responsible (a coordinator), or all (``None``: the secretariat). One
    query."""
    leaves = (
        Measure.objects.filter(
            goal__plan__partnership=partnership,
            goal__plan__status=ActionPlan.Status.ADOPTED,
            children__isnull=True,
        )
        .exclude(status__in=Measure.FINISHED)
        .select_related("goal__plan")
        .order_by("last_reported_on", "starts_on", "pk")
    )
    if party_ids is not None:
        mine = Q(responsible_parties__in=party_ids)
        if user_id is not None:
            mine |= Q(responsible_person_id=user_id)
        leaves = leaves.filter(mine).distinct()
    return [(m, m.goal.plan) for m in leaves if overdue(m, m.goal.plan, today)]


# --- The secretariat writes the plan ---------------------------------------------------

PLAN_FIELDS = [
    "title",
    "first_year",
    "last_year",
    "summary",
    "status",
    "decision",
    "adopted_on",
    "report_every_days",
]
GOAL_FIELDS = ["priority_group", "title", "description", "weight", "position"]
MEASURE_FIELDS = [
    "title",
    "description",
    "parent",
    "responsible_person",
    "starts_on",
    "ends_on",
    "status",
    "weight",
    "position",
]


def create_plan(
    partnership: Partnership, data: dict[str, Any], client_key: uuid.UUID | None
) -> tuple[ActionPlan, bool]:
    fields = {name: data[name] for name in PLAN_FIELDS}
    return _create(
        ActionPlan,
        client_key,
        lambda: ActionPlan.objects.create(partnership=partnership, client_key=client_key, **fields),
    )


def update_plan(plan: ActionPlan, data: dict[str, Any], expected_version: int) -> ActionPlan:
    for name in PLAN_FIELDS:
        setattr(plan, name, data[name])
    save_versioned(plan, expected_version, PLAN_FIELDS)
    return plan


def create_goal(
    plan: ActionPlan, data: dict[str, Any], client_key: uuid.UUID | None
) -> tuple[Goal, bool]:
    fields = {name: data[name] for name in GOAL_FIELDS}
    return _create(
        Goal, client_key, lambda: Goal.objects.create(plan=plan, client_key=client_key, **fields)
    )


def update_goal(goal: Goal, data: dict[str, Any], expected_version: int) -> Goal:
    for name in GOAL_FIELDS:
        setattr(goal, name, data[name])
    save_versioned(goal, expected_version, GOAL_FIELDS)
    return goal


def _check_parent(goal: Goal, parent: Measure | None, measure: Measure | None) -> None:
    if parent is None:
        return
    if parent.goal_id != goal.pk or (measure is not None and parent.pk == measure.pk):
        raise ValidationError({"parent": _("Choose a measure under the same goal.")})


def create_measure(
    goal: Goal, data: dict[str, Any], client_key: uuid.UUID | None
) -> tuple[Measure, bool]:
    _check_parent(goal, data.get("parent"), None)
    fields = {name: data[name] for name in MEASURE_FIELDS}

    def make() -> Measure:
        measure = Measure.objects.create(goal=goal, client_key=client_key, **fields)
        _set_links(measure, data)
        return measure

    return _create(Measure, client_key, make)


def update_measure(measure: Measure, data: dict[str, Any], expected_version: int) -> Measure:
    _check_parent(measure.goal, data.get("parent"), measure)
    with transaction.atomic():
        for name in MEASURE_FIELDS:
            setattr(measure, name, data[name])
        save_versioned(measure, expected_version, MEASURE_FIELDS)
        _set_links(measure, data)
    return measure


MEASURE_LINKS = [
    "responsible_parties",
    "cases",
    "decisions",
    "followups",
    "agreements",
    "indicators",
]


def _set_links(measure: Measure, data: dict[str, Any]) -> None:
    """The measure's parties and what it concerns, as the form gave them (a
    link the form does not carry is left as it is)."""
    for name in MEASURE_LINKS:
        if name in data:
            getattr(measure, name).set(data[name])


# --- Samhandlingsprosjekter ----------------------------------------------------------

PROJECT_FIELDS = [
    "title",
    "summary",
    "owner",
    "starts_on",
    "ends_on",
    "status",
    "funding",
    "funding_source",
    "measure",
    "results",
    "public",
]


def projects_of(partnership: Partnership, *, public: bool) -> QuerySet[Project]:
    projects = Project.objects.filter(partnership=partnership)
    if public:
        projects = projects.filter(public=True)
    return projects.select_related("owner", "measure").prefetch_related(
        Prefetch("parties", queryset=Organisation.objects.order_by("name", "pk"))
    )


def _check_measure(partnership: Partnership, data: dict[str, Any]) -> None:
    measure = data.get("measure")
    if measure is not None and measure.goal.plan.partnership_id != partnership.pk:
        raise ValidationError({"measure": _("Choose a measure of this partnership's plans.")})


def create_project(
    partnership: Partnership, data: dict[str, Any], client_key: uuid.UUID | None
) -> tuple[Project, bool]:
    _check_measure(partnership, data)
    fields = {name: data[name] for name in PROJECT_FIELDS}

    def make() -> Project:
        project = Project.objects.create(partnership=partnership, client_key=client_key, **fields)
        project.parties.set(data["parties"])
        return project

    return _create(Project, client_key, make)


def update_project(project: Project, data: dict[str, Any], expected_version: int) -> Project:
    _check_measure(project.partnership, data)
    with transaction.atomic():
        for name in PROJECT_FIELDS:
            setattr(project, name, data[name])
        save_versioned(project, expected_version, PROJECT_FIELDS)
        project.parties.set(data["parties"])
    return project


def report_on_project(
    project: Project, data: dict[str, Any], *, by: Any, expected_version: int
) -> tuple[ProjectReport, bool]:
    """One status report, and the project's status moved with it (a
    conflict when someone changed the project after the form was opened)."""

    def make() -> ProjectReport:
        report = ProjectReport.objects.create(
            project=project,
            period=data["period"],
            date=data["date"],
            status=data["status"],
            text=data["text"],
            author=by,
            client_key=data.get("client_key"),
        )
        project.status = data["status"]
        save_versioned(project, expected_version, ["status"])
        return report

    return _create(ProjectReport, data.get("client_key"), make)
