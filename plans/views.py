"""The internal action plan pages under ``/<slug>/intern/handlingsplan/``.

Every insider reads every plan, drafts included, and the measures waiting
for their progress report; who may report on which measure is
:mod:`plans.access`. Items of another partnership are 404.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.forms import rebind_after_conflict
from core.own import Own
from core.pages import person, posted
from core.services import EditConflict
from partnerships.access import request_access
from partnerships.capabilities import Capability
from partnerships.views import Crumb, insider_view, staff_crumbs
from plans import access as plan_access
from plans import links, services
from plans.forms import (
    GoalForm,
    MeasureForm,
    PlanForm,
    ProgressForm,
    ProjectForm,
    ProjectReportForm,
)
from plans.models import ActionPlan, Measure, Project


def _crumbs(request: HttpRequest, *extra: Crumb) -> list[Crumb]:
    slug = request_access(request).partnership.slug
    return staff_crumbs(request, (_("Action plan"), reverse("plans:index", args=[slug])), *extra)


def _plan_crumb(plan: ActionPlan) -> Crumb:
    return (Own(plan.title), reverse("plans:plan", args=[plan.partnership.slug, plan.pk]))


def _own_parties(request: HttpRequest) -> frozenset[int] | None:
    """``None`` for the secretariat (every measure), else the parties the
    person reports plan progress for."""
    access = request_access(request)
    if access.can(Capability.MANAGE_PLANS):
        return None
    return access.parties_where(Capability.REPORT_PLAN_PROGRESS)


@insider_view
def index(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    """The plans, drafts included, and the measures whose progress report is
    overdue for the person (the secretariat: all of them)."""
    access = request_access(request)
    today = timezone.localdate()
    return render(
        request,
        "plans/manage/index.html",
        {
            "plans": list(services.plans_of(access.partnership, public=False)),
            "can_manage": access.can(Capability.MANAGE_PLANS),
            "waiting": services.waiting_reports(
                access.partnership, today, _own_parties(request), access.user_id
            ),
            "breadcrumbs": staff_crumbs(request, (_("Action plan"), None)),
        },
    )


@insider_view
def plan_page(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    access = request_access(request)
    plan = plan_access.get_plan_for_user(access, pk)
    tree = services.tree(plan)
    today = timezone.localdate()
    reportable = {
        node.measure.pk
        for node in tree.measures()
        if not node.children and plan_access.may_report(access, node.measure)
    }
    overdue = {
        node.measure.pk
        for node in tree.measures()
        if not node.children and services.overdue(node.measure, plan, today)
    }
    return render(
        request,
        "plans/manage/plan.html",
        {
            "plan": plan,
            "tree": tree,
            "reportable": reportable,
            "overdue": overdue,
            "can_manage": access.can(Capability.MANAGE_PLANS),
            "breadcrumbs": _crumbs(request, (Own(plan.title), None)),
        },
    )


@insider_view
def measure_page(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    access = request_access(request)
    measure = plan_access.get_measure_for_user(access, pk)
    plan = measure.goal.plan
    node = next(n for n in services.tree(plan).measures() if n.measure.pk == measure.pk)
    return render(
        request,
        "plans/manage/measure.html",
        {
            "plan": plan,
            "measure": measure,
            "node": node,
            "entries": list(
                measure.entries.select_related("author", "organisation").order_by("-date", "-pk")
            ),
            "projects": list(measure.projects.order_by("title", "pk")),
            "may_report": not node.children and plan_access.may_report(access, measure),
            "can_manage": access.can(Capability.MANAGE_PLANS),
            "overdue": not node.children and services.overdue(measure, plan, timezone.localdate()),
            "breadcrumbs": _crumbs(request, _plan_crumb(plan), (Own(measure.title), None)),
            **links.context(measure, public=False, access=access),
        },
    )


@insider_view
def report(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    """Report progress on a measure: one dated entry, and the measure's new
    progress and status. A repeat of the same form adds nothing; a report
    on a measure someone changed meanwhile is shown again with the change."""
    access = request_access(request)
    measure = plan_access.get_measure_for_user(access, pk)
    if not plan_access.may_report(access, measure):
        raise PermissionDenied
    plan = measure.goal.plan
    measure_url = reverse("plans:measure", args=[partnership_slug, measure.pk])
    if not services.is_leaf(measure):
        messages.info(request, _("This measure shows the progress of the measures under it."))
        return redirect(measure_url)
    parties = [
        p
        for p in measure.responsible_parties.all()
        if p.pk in plan_access.reporting_parties(access, measure)
    ]

    def make(data: QueryDict | None) -> ProgressForm:
        return ProgressForm(
            data,
            parties=parties,
            initial={
                "date": timezone.localdate(),
                "progress": measure.progress,
                "status": measure.status,
                "version": measure.version,
                "client_key": uuid.uuid4(),
            },
        )

    form = make(posted(request))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data: dict[str, Any] = form.cleaned_data
            organisation = data.get("organisation")
            if organisation not in parties:
                # One party: the person reports for it (the field is hidden).
                organisation = parties[0] if len(parties) == 1 else None
            try:
                _entry, new = services.report_progress(
                    measure,
                    services.Report(
                        date=data["date"],
                        progress=data["progress"],
                        status=data["status"],
                        text=data["text"],
                        organisation=organisation,
                        client_key=data.get("client_key"),
                    ),
                    by=person(request),
                    expected_version=data["version"],
                )
            except EditConflict as conflict:
                form = rebind_after_conflict(make, form, conflict)
                status = 409
            except ValidationError as error:
                _refused(form, error)
                status = 400
            else:
                if new:
                    messages.success(request, _("The progress report is saved."))
                else:
                    messages.info(request, _("This progress report had already been saved."))
                return redirect(measure_url)
        else:
            status = 400
    return render(
        request,
        "plans/manage/report.html",
        {
            "plan": plan,
            "measure": measure,
            "form": form,
            "breadcrumbs": _crumbs(
                request,
                _plan_crumb(plan),
                (Own(measure.title), measure_url),
                (_("Report progress"), None),
            ),
        },
        status=status,
    )


# --- The secretariat writes the plan, its goals and measures ----------------------------


def _form_page(
    request: HttpRequest,
    make: Callable[[QueryDict | None], Any],
    save: Callable[[dict[str, Any]], tuple[Any, str]],
    *,
    heading: str,
    crumbs: list[Crumb],
) -> HttpResponse:
    """Show ``make``'s form; on a valid POST ``save`` it (which returns the
    saved thing and the message to show) and go to the saved thing's page.
    A refusal comes back at the fields (400), a conflict with the typed text
    and the other person's change (409)."""
    form = make(posted(request))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                saved, message = save(form.cleaned_data)
            except EditConflict as conflict:
                form = rebind_after_conflict(make, form, conflict)
                status = 409
            except ValidationError as error:
                _refused(form, error)
            else:
                messages.success(request, message)
                return redirect(saved)
    return render(
        request,
        "plans/manage/form.html",
        {"form": form, "heading": heading, "breadcrumbs": crumbs},
        status=status,
    )


def _refused(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _plan_url(plan: ActionPlan) -> str:
    return reverse("plans:plan", args=[plan.partnership.slug, plan.pk])


def _measure_url(measure: Measure, slug: str) -> str:
    return reverse("plans:measure", args=[slug, measure.pk])


def _initial(instance: Any, names: list[str]) -> dict[str, Any]:
    initial = {name: getattr(instance, name) for name in names}
    initial["version"] = instance.version
    return initial


@insider_view
def plan_new(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    access = request_access(request)
    access.require(Capability.MANAGE_PLANS)
    year = timezone.localdate().year
    initial = {
        "first_year": year,
        "last_year": year + 3,
        "status": ActionPlan.Status.DRAFT,
        "report_every_days": 91,
        "client_key": uuid.uuid4(),
    }

    def save(data: dict[str, Any]) -> tuple[Any, str]:
        plan, new = services.create_plan(access.partnership, data, data.get("client_key"))
        made = _("The plan is created.") if new else _("This plan had already been created.")
        return _plan_url(plan), made

    return _form_page(
        request,
        lambda data: PlanForm(data, initial=initial, partnership=access.partnership),
        save,
        heading=_("New action plan"),
        crumbs=_crumbs(request, (_("New action plan"), None)),
    )


@insider_view
def plan_edit(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    access = request_access(request)
    plan = plan_access.get_plan_for_user(access, pk)
    access.require(Capability.MANAGE_PLANS)
    initial = _initial(plan, services.PLAN_FIELDS)

    def save(data: dict[str, Any]) -> tuple[Any, str]:
        services.update_plan(plan, data, data["version"])
        return _plan_url(plan), _("The plan is saved.")

    return _form_page(
        request,
        lambda data: PlanForm(data, initial=initial, partnership=access.partnership),
        save,
        heading=_("Edit the plan"),
        crumbs=_crumbs(request, _plan_crumb(plan), (_("Edit"), None)),
    )


@insider_view
def goal_new(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    access = request_access(request)
    plan = plan_access.get_plan_for_user(access, pk)
    access.require(Capability.MANAGE_PLANS)
    initial = {"weight": 1, "position": plan.goals.count(), "client_key": uuid.uuid4()}

    def save(data: dict[str, Any]) -> tuple[Any, str]:
        _goal, new = services.create_goal(plan, data, data.get("client_key"))
        made = _("The goal is added.") if new else _("This goal had already been added.")
        return _plan_url(plan), made

    return _form_page(
        request,
        lambda data: GoalForm(data, initial=initial),
        save,
        heading=_("New goal"),
        crumbs=_crumbs(request, _plan_crumb(plan), (_("New goal"), None)),
    )


@insider_view
def goal_edit(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    access = request_access(request)
    goal = plan_access.get_goal_for_user(access, pk)
    access.require(Capability.MANAGE_PLANS)
    initial = _initial(goal, services.GOAL_FIELDS)

    def save(data: dict[str, Any]) -> tuple[Any, str]:
        services.update_goal(goal, data, data["version"])
        return _plan_url(goal.plan), _("The goal is saved.")

    return _form_page(
        request,
        lambda data: GoalForm(data, initial=initial),
        save,
        heading=_("Edit the goal"),
        crumbs=_crumbs(request, _plan_crumb(goal.plan), (Own(goal.title), None)),
    )


@insider_view
def measure_new(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    access = request_access(request)
    goal = plan_access.get_goal_for_user(access, pk)
    access.require(Capability.MANAGE_PLANS)
    under = request.GET.get("under", "")
    number = under.isascii() and under.isdigit() and len(under) <= 9
    parent = goal.measures.filter(pk=int(under)).first() if number else None
    initial = {
        "status": Measure.Status.PLANNED,
        "weight": 1,
        "position": goal.measures.filter(parent=parent).count(),
        "parent": parent,
        "client_key": uuid.uuid4(),
    }

    def save(data: dict[str, Any]) -> tuple[Any, str]:
        measure, new = services.create_measure(goal, data, data.get("client_key"))
        made = _("The measure is added.") if new else _("This measure had already been added.")
        return _measure_url(measure, partnership_slug), made

    return _form_page(
        request,
        lambda data: MeasureForm(data, initial=initial, goal=goal, partnership=access.partnership),
        save,
        heading=_("New measure"),
        crumbs=_crumbs(request, _plan_crumb(goal.plan), (_("New measure"), None)),
    )


@insider_view
def measure_edit(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    access = request_access(request)
    measure = plan_access.get_measure_for_user(access, pk)
    access.require(Capability.MANAGE_PLANS)
    initial = _initial(measure, services.MEASURE_FIELDS)
    for name in services.MEASURE_LINKS:
        initial[name] = list(getattr(measure, name).all())

    def save(data: dict[str, Any]) -> tuple[Any, str]:
        services.update_measure(measure, data, data["version"])
        return _measure_url(measure, partnership_slug), _("The measure is saved.")

    return _form_page(
        request,
        lambda data: MeasureForm(
            data,
            initial=initial,
            goal=measure.goal,
            partnership=access.partnership,
            measure=measure,
        ),
        save,
        heading=_("Edit the measure"),
        crumbs=_crumbs(
            request,
            _plan_crumb(measure.goal.plan),
            (Own(measure.title), _measure_url(measure, partnership_slug)),
            (_("Edit"), None),
        ),
    )


# --- Samhandlingsprosjekter ----------------------------------------------------------


def _projects_crumbs(request: HttpRequest, *extra: Crumb) -> list[Crumb]:
    slug = request_access(request).partnership.slug
    return _crumbs(request, (_("Joint projects"), reverse("plans:projects", args=[slug])), *extra)


def _project_url(project: Project) -> str:
    return reverse("plans:project", args=[project.partnership.slug, project.pk])


@insider_view
def projects(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    """Every joint project, public or not, with owner, parties, period and
    status (three queries after the access: the projects with owner and
    measure, their parties)."""
    access = request_access(request)
    return render(
        request,
        "plans/manage/projects.html",
        {
            "projects": list(services.projects_of(access.partnership, public=False)),
            "can_manage": access.can(Capability.MANAGE_PLANS),
            "breadcrumbs": _crumbs(request, (_("Joint projects"), None)),
        },
    )


@insider_view
def project_page(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    access = request_access(request)
    project = plan_access.get_project_for_user(access, pk)
    return render(
        request,
        "plans/manage/project.html",
        {
            "project": project,
            "reports": list(project.reports.select_related("author").order_by("-date", "-pk")),
            "may_report": plan_access.may_report_on_project(access, project),
            "can_manage": access.can(Capability.MANAGE_PLANS),
            "breadcrumbs": _projects_crumbs(request, (Own(project.title), None)),
        },
    )


@insider_view
def project_new(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    access = request_access(request)
    access.require(Capability.MANAGE_PLANS)
    initial = {"status": Project.Status.PLANNED, "client_key": uuid.uuid4()}

    def save(data: dict[str, Any]) -> tuple[Any, str]:
        project, new = services.create_project(access.partnership, data, data.get("client_key"))
        made = _("The project is added.") if new else _("This project had already been added.")
        return _project_url(project), made

    return _form_page(
        request,
        lambda data: ProjectForm(data, initial=initial, partnership=access.partnership),
        save,
        heading=_("New joint project"),
        crumbs=_projects_crumbs(request, (_("New joint project"), None)),
    )


@insider_view
def project_edit(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    access = request_access(request)
    project = plan_access.get_project_for_user(access, pk)
    access.require(Capability.MANAGE_PLANS)
    initial = _initial(project, services.PROJECT_FIELDS)
    initial["parties"] = list(project.parties.all())

    def save(data: dict[str, Any]) -> tuple[Any, str]:
        services.update_project(project, data, data["version"])
        return _project_url(project), _("The project is saved.")

    return _form_page(
        request,
        lambda data: ProjectForm(data, initial=initial, partnership=access.partnership),
        save,
        heading=_("Edit the project"),
        crumbs=_projects_crumbs(
            request, (Own(project.title), _project_url(project)), (_("Edit"), None)
        ),
    )


@insider_view
def project_report(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    """A status report on a project: the secretariat, or the owner party's
    coordinators and leaders."""
    access = request_access(request)
    project = plan_access.get_project_for_user(access, pk)
    if not plan_access.may_report_on_project(access, project):
        raise PermissionDenied
    initial = {
        "date": timezone.localdate(),
        "status": project.status,
        "version": project.version,
        "client_key": uuid.uuid4(),
    }

    def save(data: dict[str, Any]) -> tuple[Any, str]:
        _report, new = services.report_on_project(
            project, data, by=person(request), expected_version=data["version"]
        )
        made = (
            _("The status report is saved.")
            if new
            else _("This status report had already been saved.")
        )
        return _project_url(project), made

    return _form_page(
        request,
        lambda data: ProjectReportForm(data, initial=initial),
        save,
        heading=_("Write a status report"),
        crumbs=_projects_crumbs(
            request, (Own(project.title), _project_url(project)), (_("Status report"), None)
        ),
    )
