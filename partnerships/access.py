"""Who may do what in a partnership, resolved once per request.

``PartnershipAccess`` is built by :class:`partnerships.middleware.PartnershipMiddleware`
and attached as ``request.access``. The per-model helpers at the bottom fetch
one tenant-owned object for a person and answer 404 when it is missing *or*
not theirs to see (the same answer, so nothing leaks), and 403 when they may
see it but not change it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from core.models import Visibility
from partnerships.capabilities import (
    ROLE_LABELS,
    Capability,
    Role,
    capabilities_for,
    roles_with,
)
from partnerships.models import (
    CurrentQuerySet,
    Invitation,
    Membership,
    Organisation,
    Participation,
    Partnership,
    PartnershipRole,
)

# The roles a membership of a party can have (the others are partnership roles
# or, for observing organisations, given by the participation).
MEMBERSHIP_ROLES = frozenset({Role.COORDINATOR, Role.LEADER, Role.MEMBER})


@dataclass(frozen=True)
class PartnershipAccess:
    partnership: Partnership
    user_id: int | None
    # Every role the person holds here (partnership roles and all parties').
    roles: frozenset[Role] = frozenset()
    # Organisations (taking part in this partnership) the person belongs to.
    organisation_ids: frozenset[int] = frozenset()
    # What the person may do somewhere in the partnership (the union).
    capabilities: frozenset[Capability] = field(default=frozenset())
    # Secretariat, administrator: roles that count for every party.
    partnership_roles: frozenset[Role] = frozenset()
    # Organisation id → the person's roles in that party only.
    party_roles: dict[int, frozenset[Role]] = field(default_factory=dict, compare=False, hash=False)

    @classmethod
    def for_user(cls, partnership: Partnership, user: Any) -> PartnershipAccess:
        """Two queries for a logged-in person, none for the public."""
        if not getattr(user, "is_authenticated", False):
            return cls(partnership=partnership, user_id=None)
        partnership_roles = frozenset(
            Role(r)
            for r in PartnershipRole.objects.current()
            .filter(partnership=partnership, user=user)
            .values_list("role", flat=True)
        )
        participating = Participation.objects.current().filter(partnership=partnership)
        per_party: dict[int, set[Role]] = {}
        rows = (
            Membership.objects.current()
            .filter(user=user, organisation__participations__in=participating)
            .values_list("organisation_id", "role", "organisation__participations__role")
        )
        for org_id, membership_role, participation_role in rows:
            observer = participation_role == Participation.Role.OBSERVER
            per_party.setdefault(org_id, set()).add(
                Role.OBSERVER if observer else Role(membership_role)
            )
        party_roles = {org: frozenset(roles) for org, roles in per_party.items()}
        every_role = partnership_roles.union(*party_roles.values())
        return cls(
            partnership=partnership,
            user_id=user.pk,
            roles=every_role,
            organisation_ids=frozenset(party_roles),
            capabilities=capabilities_for(every_role),
            partnership_roles=partnership_roles,
            party_roles=party_roles,
        )

    @property
    def is_insider(self) -> bool:
        """Has any role in this partnership."""
        return bool(self.roles)

    @property
    def role_labels(self) -> list[str]:
        return sorted(str(ROLE_LABELS[role]) for role in self.roles)

    def can(self, capability: Capability) -> bool:
        """May the person do this somewhere in the partnership? For what is
        done for one party, ask :meth:`can_for` with the party."""
        return capability in self.capabilities

    def can_for(self, capability: Capability, organisation_id: int | None) -> bool:
        """May the person do this for the party ``organisation_id``: through a
        partnership role, or through their own roles in that party."""
        if capability in capabilities_for(self.partnership_roles):
            return True
        roles = self.party_roles.get(organisation_id) if organisation_id is not None else None
        return roles is not None and capability in capabilities_for(roles)

    def parties_where(self, capability: Capability) -> frozenset[int]:
        """The parties where the person's own roles there give ``capability``
        (partnership roles not counted: the secretariat acts for all, but is
        not a party)."""
        return frozenset(
            org for org, roles in self.party_roles.items() if capability in capabilities_for(roles)
        )

    def require_insider(self) -> None:
        if not self.is_insider:
            raise Http404

    def require(self, capability: Capability) -> None:
        """404 for outsiders (the partnership's inside is not theirs to know
        about), 403 for insiders who lack the capability."""
        self.require_insider()
        if not self.can(capability):
            raise PermissionDenied

    def can_see(
        self,
        visibility: str,
        *,
        organisation_id: int | None = None,
        council_member: bool = False,
    ) -> bool:
        """The visibility rule later modules share.

        ``organisation_id`` is the owning organisation for organisation-internal
        items; ``council_member`` says whether the person sits in the council
        that owns a council-internal item (the councils module knows that).
        """
        if visibility == Visibility.PUBLIC:
            return True
        if not self.is_insider:
            return False
        if visibility == Visibility.PARTNERSHIP:
            return self.can(Capability.VIEW_INTERNAL)
        if visibility == Visibility.COUNCIL:
            return council_member or self.can(Capability.VIEW_RESTRICTED)
        if visibility == Visibility.ORGANISATION:
            return organisation_id in self.organisation_ids or self.can(Capability.VIEW_RESTRICTED)
        if visibility == Visibility.RESTRICTED:
            return self.can(Capability.VIEW_RESTRICTED)
        return False


def request_access(request: Any) -> PartnershipAccess:
    """What the middleware resolved for this request's partnership."""
    return request.access  # type: ignore[no-any-return]


def participating_organisations(partnership: Partnership) -> QuerySet[Organisation]:
    return Organisation.objects.filter(
        participations__in=Participation.objects.current().filter(partnership=partnership)
    ).distinct()


def get_organisation_for_user(access: PartnershipAccess, organisation_id: int) -> Organisation:
    """An organisation taking part in the partnership, for insiders who may see people.

    Loads ``contact`` with the organisation (one query instead of two).
    """
    access.require(Capability.VIEW_PEOPLE)
    org = (
        participating_organisations(access.partnership)
        .select_related("contact")
        .filter(pk=organisation_id)
        .first()
    )
    if org is None:
        raise Http404
    return org


def can_edit_contact(access: PartnershipAccess, organisation: Organisation) -> bool:
    return access.can(Capability.EDIT_ANY_CONTACT) or access.can_for(
        Capability.EDIT_OWN_CONTACT, organisation.pk
    )


def people_who_may(
    capability: Capability, organisation_ids: Iterable[int], *, on: datetime.date | None = None
) -> dict[int, list[Any]]:
    """Per party: the active people whose own role in that party gives
    ``capability`` (on the day ``on``, default today) — who to tell when
    something waits for the party. One query for any number of parties."""
    wanted = set(organisation_ids)
    result: dict[int, list[Any]] = {pk: [] for pk in wanted}
    if not wanted:
        return result
    roles = [role.value for role in roles_with(capability) if role in MEMBERSHIP_ROLES]
    seen: set[tuple[int, int]] = set()
    for membership in (
        Membership.objects.current(on)
        .filter(organisation_id__in=wanted, role__in=roles, user__is_active=True)
        .select_related("user")
        .order_by("user__full_name", "pk")
    ):
        key = (membership.organisation_id, membership.user_id)
        if key not in seen:  # two memberships of one person in one party
            seen.add(key)
            result[membership.organisation_id].append(membership.user)
    return result


def memberships_in(partnership: Partnership) -> CurrentQuerySet[Membership]:
    return Membership.objects.filter(organisation__in=participating_organisations(partnership))


def get_membership_for_user(access: PartnershipAccess, membership_id: int) -> Membership:
    """A membership in one of the partnership's organisations, for those who
    manage people. Loads the person and organisation with it (one query)."""
    access.require(Capability.MANAGE_PEOPLE)
    membership = (
        memberships_in(access.partnership)
        .select_related("user", "organisation")
        .filter(pk=membership_id)
        .first()
    )
    if membership is None:
        raise Http404
    return membership


def get_invitation_for_user(access: PartnershipAccess, invitation_id: int) -> Invitation:
    access.require(Capability.MANAGE_PEOPLE)
    invitation = (
        Invitation.objects.filter(partnership=access.partnership, pk=invitation_id)
        .select_related("organisation")
        .first()
    )
    if invitation is None:
        raise Http404
    return invitation


def get_partnership_role_for_user(access: PartnershipAccess, role_id: int) -> PartnershipRole:
    access.require(Capability.MANAGE_PARTNERSHIP_ROLES)
    role = (
        PartnershipRole.objects.filter(partnership=access.partnership, pk=role_id)
        .select_related("user")
        .first()
    )
    if role is None:
        raise Http404
    return role


def partnerships_of(user: Any) -> QuerySet[Partnership]:
    """Every partnership in which the person has a role (for the profile page)."""
    if not getattr(user, "is_authenticated", False):
        return Partnership.objects.none()
    today_memberships = Membership.objects.current().filter(user=user)
    return (
        Partnership.objects.filter(
            Q(roles__in=PartnershipRole.objects.current().filter(user=user))
            | Q(
                participations__in=Participation.objects.current().filter(
                    organisation__memberships__in=today_memberships
                )
            )
        )
        .distinct()
        .order_by("name")
    )


def partnership_or_404(slug: str) -> Partnership:
    """The partnership an API address names; 404 for a name that names none."""
    found = Partnership.objects.filter(slug=slug).first()
    if found is None:
        raise Http404
    return found
