"""Roles in parties and partnerships, and invitations, for the person's
download (see :mod:`core.personal_data`). Three queries: memberships,
partnership roles and invitations to the person's e-mail address, each with
what they name joined in."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext_lazy as _

from core.personal_data import Section, source, when
from partnerships.models import Invitation, Membership, PartnershipRole


@source
def roles(user: Any) -> Iterator[Section]:
    memberships = (
        Membership.objects.filter(user=user)
        .select_related("organisation")
        .order_by("valid_from", "pk")
    )
    yield Section(
        "partnerships.memberships",
        _("Roles in parties"),
        [
            {
                "organisation": m.organisation.name,
                "role": str(m.get_role_display()),
                "from": when(m.valid_from),
                "ended": when(m.valid_to),
            }
            for m in memberships
        ],
    )
    partnership_roles = (
        PartnershipRole.objects.filter(user=user)
        .select_related("partnership")
        .order_by("valid_from", "pk")
    )
    yield Section(
        "partnerships.partnership_roles",
        _("Roles in health partnerships"),
        [
            {
                "partnership": r.partnership.name,
                "role": str(r.get_role_display()),
                "from": when(r.valid_from),
                "ended": when(r.valid_to),
            }
            for r in partnership_roles
        ],
    )
    invitations = (
        Invitation.objects.filter(email__iexact=user.email)
        .select_related("partnership", "organisation")
        .order_by("created", "pk")
    )
    yield Section(
        "partnerships.invitations",
        _("Invitations to you"),
        [
            {
                "partnership": i.partnership.name,
                "organisation": i.organisation.name,
                "name": i.full_name,
                "role": str(i.get_role_display()),
                "status": str(i.get_status_display()),
                "sent": when(i.created),
                "expires": when(i.expires),
            }
            for i in invitations
        ],
        _("The link of an invitation is stored only as a hash, which is not included."),
    )
