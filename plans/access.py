"""Who may do what with the action plan.

Every insider (``VIEW_INTERNAL``) reads every plan, drafts included. The
secretariat (``MANAGE_PLANS``) reports progress on any measure; a party's
coordinator or leader (``REPORT_PLAN_PROGRESS`` for that party) on the
measures the party is responsible for, and the measure's responsible person
on theirs. A plan or measure of another partnership is 404 (the same answer
as one that does not exist); an insider who may not report gets 403.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from partnerships.access import PartnershipAccess
from partnerships.capabilities import Capability
from plans.models import ActionPlan, Goal, Measure, Project


def reporting_parties(access: PartnershipAccess, measure: Measure) -> list[int]:
    """The responsible parties of the measure the person reports for (all of
    them for the secretariat). Uses the measure's prefetched parties."""
    parties = [party.pk for party in measure.responsible_parties.all()]
    if access.can(Capability.MANAGE_PLANS):
        return parties
    return [pk for pk in parties if access.can_for(Capability.REPORT_PLAN_PROGRESS, pk)]


def may_report(access: PartnershipAccess, measure: Measure) -> bool:
    if access.can(Capability.MANAGE_PLANS):
        return True
    if access.user_id is not None and measure.responsible_person_id == access.user_id:
        return True
    return bool(reporting_parties(access, measure))


def get_plan_for_user(access: PartnershipAccess, pk: int) -> ActionPlan:
    access.require(Capability.VIEW_INTERNAL)
    return get_object_or_404(ActionPlan, pk=pk, partnership=access.partnership)


def get_measure_for_user(access: PartnershipAccess, pk: int) -> Measure:
    """A measure of the partnership with its goal and plan (one query) and
    its responsible parties (one)."""
    access.require(Capability.VIEW_INTERNAL)
    return get_object_or_404(
        Measure.objects.select_related(
            "goal__plan", "responsible_person", "parent"
        ).prefetch_related("responsible_parties"),
        pk=pk,
        goal__plan__partnership=access.partnership,
    )


def get_goal_for_user(access: PartnershipAccess, pk: int) -> Goal:
    access.require(Capability.VIEW_INTERNAL)
    return get_object_or_404(
        Goal.objects.select_related("plan__partnership"),
        pk=pk,
        plan__partnership=access.partnership,
    )


def may_report_on_project(access: PartnershipAccess, project: Project) -> bool:
    """The secretariat, and the owner party's coordinators and leaders."""
    return access.can(Capability.MANAGE_PLANS) or access.can_for(
        Capability.REPORT_PLAN_PROGRESS, project.owner_id
    )


def get_project_for_user(access: PartnershipAccess, pk: int) -> Project:
    access.require(Capability.VIEW_INTERNAL)
    return get_object_or_404(
        Project.objects.select_related("owner", "measure__goal__plan").prefetch_related("parties"),
        pk=pk,
        partnership=access.partnership,
    )
