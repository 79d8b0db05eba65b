"""The register of people: everyone who holds a role in a partnership today.

One entry per person, with every role they hold here: partnership roles
(secretariat, administrator), roles in a party or observer (coordinator,
leader, member; a membership of an observing organisation is "observer"),
and whatever the apps above contribute — today council seats, from
``councils/register.py``. Those apps register a *source* in their own
``register.py``; this module finds those modules the way Django's admin finds
``admin.py``, so nothing here imports an app above it. People who hold a role
without being able to log in (council members who never log in have no
password) are in the register too, marked as such.

A source returns :class:`Contribution` s: a kind of role, the roles of that
kind held today, and the councils (or other bodies) they are held in, which
the filter offers. Filters match *one role*: "Namsos kommune" and "Council
seat" find the people with a seat on behalf of Namsos, not a member of Namsos
who sits in a council for a region. An entry keeps all the person's roles.

Queries: the participations (with their organisations), the partnership
roles, the memberships, then each source's own (councils: two), whatever
the number of people. Filtering happens in memory: a partnership has a few
hundred people with a role, not hundreds of thousands.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.registry import Registry
from partnerships.capabilities import ROLE_LABELS, Capability, Role
from partnerships.models import Membership, Organisation, Participation, PartnershipRole

if TYPE_CHECKING:
    from partnerships.access import PartnershipAccess


@dataclass(frozen=True)
class Kind:
    """A kind of role, as the filter and the export name it."""

    key: str
    label: Any  # translatable


PARTNERSHIP = Kind("partnership", _("Partnership role"))
PARTY = Kind("party", _("Role in a party or observer"))


@dataclass(frozen=True)
class Held:
    """One role a person holds today, in words ("Coordinator, Levanger kommune")."""

    kind: str  # a Kind's key
    label: str
    organisation_id: int | None = None  # held in, or on behalf of, this organisation
    # The council (or other body) it is held in: a key of the filter's choices,
    # unique among all sources' bodies.
    body: str = ""
    url: str = ""  # where the viewer may look at or change it; "" when they may not


@dataclass
class Contribution:
    """A source's roles of one kind, with the bodies the filter offers."""

    kind: Kind
    roles: list[tuple[Any, Held]]  # (the person, the role)
    bodies: list[tuple[str, str]] = field(default_factory=list)  # (key, name)


@dataclass
class Context:
    """What every source is given: who asks, where, and which day it is."""

    access: PartnershipAccess
    today: datetime.date
    # Organisations taking part today, each with ``participation_role``.
    organisations: dict[int, Organisation]

    @property
    def partnership(self) -> Any:
        return self.access.partnership


Source = Callable[[Context], Iterable[Contribution]]

_SOURCES: Registry[Source] = Registry("register")


def source(function: Source) -> Source:
    """Register a source (used as a decorator in an app's ``register.py``)."""
    return _SOURCES.add(function)


@dataclass
class Entry:
    """One person and every role they hold in the partnership today."""

    user: Any
    roles: list[Held] = field(default_factory=list)

    @property
    def can_log_in(self) -> bool:
        """An active account with a password (seat holders who never log in
        have none)."""
        return bool(self.user.is_active and self.user.has_usable_password())

    def of_kind(self, kind: str) -> list[Held]:
        return [held for held in self.roles if held.kind == kind]


@dataclass
class Register:
    entries: list[Entry]
    kinds: list[Kind]
    bodies: list[tuple[str, str]]
    organisations: list[Organisation]  # taking part today, by name

    def select(
        self,
        *,
        text: str = "",
        organisation_id: int | None = None,
        kind: str = "",
        body: str = "",
    ) -> list[Entry]:
        """The entries whose name or e-mail contains ``text`` and who hold one
        role that matches the organisation, the kind and the body given."""
        needle = text.strip().casefold()

        def role_matches(held: Held) -> bool:
            return (
                (organisation_id is None or held.organisation_id == organisation_id)
                and (not kind or held.kind == kind)
                and (not body or held.body == body)
            )

        return [
            entry
            for entry in self.entries
            if (
                not needle
                or needle in entry.user.full_name.casefold()
                or needle in entry.user.email.casefold()
            )
            and any(role_matches(held) for held in entry.roles)
        ]


def collect(access: PartnershipAccess, today: datetime.date | None = None) -> Register:
    """Everyone holding a role in the partnership on ``today`` (default: today)."""
    today = today or timezone.localdate()
    organisations: dict[int, Organisation] = {}
    for participation in (
        Participation.objects.current(today)
        .filter(partnership=access.partnership)
        .select_related("organisation")
        .order_by("organisation__name", "pk")
    ):
        organisation = participation.organisation
        organisation.participation_role = participation.role  # type: ignore[attr-defined]
        organisations.setdefault(organisation.pk, organisation)
    context = Context(access=access, today=today, organisations=organisations)
    kinds: list[Kind] = []
    bodies: list[tuple[str, str]] = []
    people: dict[int, Entry] = {}
    for function in _SOURCES.items():
        for contribution in function(context):
            if contribution.kind not in kinds:
                kinds.append(contribution.kind)
            bodies.extend(contribution.bodies)
            for user, held in contribution.roles:
                people.setdefault(user.pk, Entry(user)).roles.append(held)
    entries = sorted(
        people.values(), key=lambda e: (e.user.full_name.casefold(), e.user.email, e.user.pk)
    )
    return Register(
        entries=entries, kinds=kinds, bodies=bodies, organisations=list(organisations.values())
    )


# --- The partnership's own roles ------------------------------------------------------


@source
def partnership_roles(context: Context) -> Iterator[Contribution]:
    """Secretariat and administrators (one query), then the roles in the
    parties and observers (one query; the organisations are the context's)."""
    access = context.access
    roles_url = (
        reverse("staff:roles", args=[context.partnership.slug])
        if access.can(Capability.MANAGE_PARTNERSHIP_ROLES)
        else ""
    )
    yield Contribution(
        PARTNERSHIP,
        [
            (
                role.user,
                Held(
                    PARTNERSHIP.key,
                    gettext("%(role)s (%(partnership)s)")
                    % {"role": role.get_role_display(), "partnership": context.partnership.name},
                    url=roles_url,
                ),
            )
            for role in PartnershipRole.objects.current(context.today)
            .filter(partnership=context.partnership)
            .select_related("user")
            .order_by("role", "pk")
        ],
    )
    may_manage = access.can(Capability.MANAGE_PEOPLE)
    memberships = (
        Membership.objects.current(context.today)
        .filter(organisation_id__in=list(context.organisations))
        .select_related("user")
        .order_by("organisation__name", "pk")
    )
    rows = []
    for membership in memberships:
        organisation = context.organisations[membership.organisation_id]
        observer = organisation.participation_role == Participation.Role.OBSERVER  # type: ignore[attr-defined]
        role = ROLE_LABELS[Role.OBSERVER] if observer else membership.get_role_display()
        url = (
            reverse("staff:membership", args=[context.partnership.slug, membership.pk])
            if may_manage
            else ""
        )
        label = gettext("%(role)s, %(organisation)s") % {
            "role": role,
            "organisation": organisation.name,
        }
        rows.append(
            (membership.user, Held(PARTY.key, label, organisation_id=organisation.pk, url=url))
        )
    yield Contribution(PARTY, rows)
