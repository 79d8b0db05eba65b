"""The public pages of the action plan: the plan in force with its progress,
an earlier adopted plan, and one measure with its progress reports.

Public for everyone, logged in or not. A draft plan is not public: its
address, and its measures', answer 404 like an address that names nothing.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.own import Own
from councils.public_views import public_cases
from partnerships.models import Partnership
from plans import links, services
from plans.models import ActionPlan, Measure


def _partnership(request: HttpRequest) -> Partnership:
    return request.partnership  # type: ignore[attr-defined, no-any-return]


def _crumbs(request: HttpRequest, *extra: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    p = _partnership(request)
    return [
        (p.name, reverse("portal:home", args=[p.slug])),
        (_("Action plan"), reverse("public_plans:index", args=[p.slug]) if extra else None),
        *extra,
    ]


def _plan_page(request: HttpRequest, plan: ActionPlan | None, crumbs: list) -> HttpResponse:
    partnership = _partnership(request)
    decision_case = None
    if plan is not None and plan.decision_id is not None:
        # Linked only when the case that adopted the plan is itself public.
        decision_case = (
            public_cases(partnership).filter(treatments__decision=plan.decision_id).first()
        )
    return render(
        request,
        "plans/public/plan.html",
        {
            "plan": plan,
            "decision_case": decision_case,
            "tree": services.tree(plan) if plan is not None else None,
            "others": [
                p
                for p in services.plans_of(partnership, public=True)
                if plan is None or p.pk != plan.pk
            ],
            "breadcrumbs": crumbs,
        },
    )


def index(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    """The plan in force (this year's, else the latest adopted), every goal
    and measure with its progress, and the other adopted plans (six queries,
    seven when a council's decision adopted the plan: the partnership, the
    plans in force, the goals, the measures, their parties, the other plans,
    the public case of the decision)."""
    plan = services.plan_in_force(_partnership(request), timezone.localdate().year)
    return _plan_page(request, plan, _crumbs(request))


def plan_page(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    plan = get_object_or_404(services.plans_of(_partnership(request), public=True), pk=pk)
    return _plan_page(request, plan, _crumbs(request, (Own(plan.title), None)))


def measure_page(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    """A measure of a public plan: what it is, who is responsible, its
    progress (rolled up from the measures under it, if any) and its dated
    progress reports."""
    measure = get_object_or_404(
        Measure.objects.select_related("goal__plan", "parent").prefetch_related(
            "responsible_parties"
        ),
        pk=pk,
        goal__plan__partnership=_partnership(request),
    )
    plan = measure.goal.plan
    if plan.status == ActionPlan.Status.DRAFT:
        raise Http404
    tree = services.tree(plan)
    node = next(n for n in tree.measures() if n.measure.pk == measure.pk)
    return render(
        request,
        "plans/public/measure.html",
        {
            "plan": plan,
            "measure": measure,
            "node": node,
            "entries": list(measure.entries.order_by("-date", "-pk")),
            "projects": list(measure.projects.filter(public=True).order_by("title", "pk")),
            **links.context(measure, public=True),
            "breadcrumbs": _crumbs(
                request,
                (Own(plan.title), reverse("public_plans:plan", args=[partnership_slug, plan.pk])),
                (Own(measure.title), None),
            ),
        },
    )


def projects(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    """The public joint projects (three queries: the partnership, the
    projects with owner and measure, their parties)."""
    return render(
        request,
        "plans/public/projects.html",
        {
            "projects": list(services.projects_of(_partnership(request), public=True)),
            "breadcrumbs": _crumbs(request, (_("Joint projects"), None)),
        },
    )


def project_page(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    """A public project with its status reports (not who wrote them); a
    project that is not public is 404 like one that does not exist."""
    project = get_object_or_404(
        services.projects_of(_partnership(request), public=True).select_related(
            "measure__goal__plan"
        ),
        pk=pk,
    )
    measure = project.measure
    public_measure = measure is not None and measure.goal.plan.status != ActionPlan.Status.DRAFT
    return render(
        request,
        "plans/public/project.html",
        {
            "project": project,
            "reports": list(project.reports.order_by("-date", "-pk")),
            "public_measure": public_measure,
            "breadcrumbs": _crumbs(
                request,
                (_("Joint projects"), reverse("public_plans:projects", args=[partnership_slug])),
                (Own(project.title), None),
            ),
        },
    )
