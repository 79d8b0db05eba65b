"""The one place that says which role may do what.

Views, the API and templates ask ``access.can(Capability.X)`` for what a
person may do in the partnership, and ``access.can_for(Capability.X, party)``
for what they may do *for one party*; nobody compares role names anywhere
else. Capabilities are per party: a person's partnership roles (secretariat,
administrator) count everywhere, but a membership counts only for its own
organisation. A coordinator of Levanger who is a plain member of Verdal
handles Levanger's deviations and edits Levanger's contact details, and only
reads Verdal's. Memberships of organisations that observe give ``observer``.
:data:`PARTY_CAPABILITIES` are the ones that are only ever asked per party.
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Role(StrEnum):
    ADMINISTRATOR = "administrator"
    SECRETARIAT = "secretariat"
    COORDINATOR = "coordinator"
    LEADER = "leader"
    MEMBER = "member"
    OBSERVER = "observer"


class Capability(StrEnum):
    # Read the partnership's internal pages and items marked partnership-internal.
    VIEW_INTERNAL = "view_internal"
    # See who belongs to which organisation, with contact details.
    VIEW_PEOPLE = "view_people"
    # Invite people and appoint them to roles in organisations.
    MANAGE_PEOPLE = "manage_people"
    # Give or take secretariat/administrator roles in the partnership.
    MANAGE_PARTNERSHIP_ROLES = "manage_partnership_roles"
    # Edit any party's coordinating-unit contact details.
    EDIT_ANY_CONTACT = "edit_any_contact"
    # Edit the own organisation's coordinating-unit contact details.
    EDIT_OWN_CONTACT = "edit_own_contact"
    # Read the audit trail of records.
    VIEW_AUDIT = "view_audit"
    # See items exempt from public access (with their legal basis).
    VIEW_RESTRICTED = "view_restricted"
    # Plan meetings, prepare cases and agendas, record decisions and minutes.
    MANAGE_MEETINGS = "manage_meetings"
    # Create, assign, edit and close any follow-up.
    MANAGE_FOLLOWUPS = "manage_followups"
    # Report progress on follow-ups the own organisation is responsible for.
    REPORT_FOLLOWUP_PROGRESS = "report_followup_progress"
    # Be the party's coordinating unit (koordinerende enhet): the one told
    # when a follow-up of the party, with nobody in particular responsible,
    # is due.
    COORDINATE_PARTY = "coordinate_party"
    # Report deviations from the own party and handle those it receives.
    HANDLE_DEVIATIONS = "handle_deviations"
    # See every submitted deviation of the partnership, escalate them, see the
    # statistics, configure categories and deadlines, issue API tokens.
    MANAGE_DEVIATIONS = "manage_deviations"
    # Fill and submit the own party's situation reports in a crisis, declare
    # its level, request and offer resources.
    REPORT_CRISIS = "report_crisis"
    # Read the shared situational picture of a crisis (read-only for observers).
    VIEW_CRISIS = "view_crisis"
    # Open and stand down crises, define indicators and forms, unlock reports,
    # keep the crisis log, declare the partnership level, generate agendas.
    MANAGE_CRISIS = "manage_crisis"
    # Draft agreements and their versions, send them on, and record any
    # party's ratification.
    MANAGE_AGREEMENTS = "manage_agreements"
    # Record the own party's ratification of an agreement version (its body,
    # case number, date and outcome).
    RECORD_RATIFICATION = "record_ratification"
    # Answer a consultation (høring) for the own party, formally.
    ANSWER_CONSULTATION = "answer_consultation"
    # Keep any samhandlingsrutine: new versions, reviews, owners.
    MANAGE_ROUTINES = "manage_routines"
    # Keep the routines the own party owns.
    KEEP_OWN_ROUTINES = "keep_own_routines"
    # Propose a task transfer for the own party, or register one that came
    # without agreement.
    PROPOSE_TASK_TRANSFER = "propose_task_transfer"
    # Keep the action plan and the joint projects: plans, goals, measures,
    # and progress on any measure.
    MANAGE_PLANS = "manage_plans"
    # Report progress on the plan's measures the own party is responsible for.
    REPORT_PLAN_PROGRESS = "report_plan_progress"
    # Import statistics files and keep the partnership's indicator values.
    MANAGE_STATISTICS = "manage_statistics"
    # See indicator figures the public does not (small numbers), with their
    # provenance.
    VIEW_SMALL_NUMBERS = "view_small_numbers"


_SECRETARIAT = frozenset(
    {
        Capability.VIEW_INTERNAL,
        Capability.VIEW_PEOPLE,
        Capability.MANAGE_PEOPLE,
        Capability.MANAGE_PARTNERSHIP_ROLES,
        Capability.EDIT_ANY_CONTACT,
        Capability.EDIT_OWN_CONTACT,
        Capability.VIEW_AUDIT,
        Capability.VIEW_RESTRICTED,
        Capability.MANAGE_MEETINGS,
        Capability.MANAGE_FOLLOWUPS,
        Capability.REPORT_FOLLOWUP_PROGRESS,
        Capability.MANAGE_DEVIATIONS,
        Capability.VIEW_CRISIS,
        Capability.MANAGE_CRISIS,
        Capability.MANAGE_AGREEMENTS,
        Capability.RECORD_RATIFICATION,
        Capability.ANSWER_CONSULTATION,
        Capability.MANAGE_ROUTINES,
        Capability.KEEP_OWN_ROUTINES,
        Capability.PROPOSE_TASK_TRANSFER,
        Capability.MANAGE_PLANS,
        Capability.REPORT_PLAN_PROGRESS,
        Capability.MANAGE_STATISTICS,
        Capability.VIEW_SMALL_NUMBERS,
    }
)

ROLE_CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.ADMINISTRATOR: _SECRETARIAT,
    Role.SECRETARIAT: _SECRETARIAT,
    Role.COORDINATOR: frozenset(
        {
            Capability.VIEW_INTERNAL,
            Capability.VIEW_PEOPLE,
            Capability.EDIT_OWN_CONTACT,
            Capability.COORDINATE_PARTY,
            Capability.REPORT_FOLLOWUP_PROGRESS,
            Capability.HANDLE_DEVIATIONS,
            Capability.REPORT_CRISIS,
            Capability.VIEW_CRISIS,
            Capability.RECORD_RATIFICATION,
            Capability.ANSWER_CONSULTATION,
            Capability.KEEP_OWN_ROUTINES,
            Capability.PROPOSE_TASK_TRANSFER,
            Capability.REPORT_PLAN_PROGRESS,
            Capability.VIEW_SMALL_NUMBERS,
        }
    ),
    Role.LEADER: frozenset(
        {
            Capability.VIEW_INTERNAL,
            Capability.VIEW_PEOPLE,
            Capability.REPORT_FOLLOWUP_PROGRESS,
            Capability.HANDLE_DEVIATIONS,
            Capability.REPORT_CRISIS,
            Capability.VIEW_CRISIS,
            Capability.RECORD_RATIFICATION,
            Capability.ANSWER_CONSULTATION,
            Capability.KEEP_OWN_ROUTINES,
            Capability.PROPOSE_TASK_TRANSFER,
            Capability.REPORT_PLAN_PROGRESS,
            Capability.VIEW_SMALL_NUMBERS,
        }
    ),
    Role.MEMBER: frozenset({Capability.VIEW_INTERNAL}),
    Role.OBSERVER: frozenset({Capability.VIEW_INTERNAL, Capability.VIEW_CRISIS}),
}

ROLE_LABELS: dict[Role, Promise] = {
    Role.ADMINISTRATOR: _("Administrator"),
    Role.SECRETARIAT: _("Secretariat"),
    Role.COORDINATOR: _("Coordinator"),
    Role.LEADER: _("Leader"),
    Role.MEMBER: _("Member"),
    Role.OBSERVER: _("Observer"),
}

# Roles whose holders must log in with a second factor.
TWO_FACTOR_ROLES = frozenset({Role.ADMINISTRATOR, Role.SECRETARIAT})


# Done for one party, never for the partnership as a whole: asked with
# ``access.can_for(capability, organisation_id)``.
PARTY_CAPABILITIES = frozenset(
    {
        Capability.EDIT_OWN_CONTACT,
        Capability.COORDINATE_PARTY,
        Capability.REPORT_FOLLOWUP_PROGRESS,
        Capability.HANDLE_DEVIATIONS,
        Capability.REPORT_CRISIS,
        Capability.RECORD_RATIFICATION,
        Capability.ANSWER_CONSULTATION,
        Capability.KEEP_OWN_ROUTINES,
        Capability.PROPOSE_TASK_TRANSFER,
        Capability.REPORT_PLAN_PROGRESS,
    }
)


def capabilities_for(roles: frozenset[Role]) -> frozenset[Capability]:
    result: frozenset[Capability] = frozenset()
    for role in roles:
        result |= ROLE_CAPABILITIES[role]
    return result


def roles_with(capability: Capability) -> frozenset[Role]:
    """The roles that give ``capability`` (for finding the people to notify)."""
    return frozenset(role for role, given in ROLE_CAPABILITIES.items() if capability in given)
