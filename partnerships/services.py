"""Business rules for people and roles in a partnership.

Called from views, the API, management commands and tests alike; every
function takes the acting user so the audit trail says who did it.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.services import save_versioned
from partnerships.models import (
    Contact,
    Invitation,
    Membership,
    Organisation,
    Partnership,
    PartnershipRole,
)

INVITATION_DAYS = 14


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite(
    *,
    partnership: Partnership,
    organisation: Organisation,
    email: str,
    full_name: str,
    role: str,
    invited_by: Any,
) -> tuple[Invitation, bool]:
    """Invite someone to an organisation; returns (invitation, created).

    An open invitation for the same address and organisation is reused (and
    the e-mail sent again) instead of creating a second one, so a double
    submit or two secretaries at once give one invitation.
    """
    email = email.strip().lower()
    if Membership.objects.current().filter(user__email=email, organisation=organisation).exists():
        raise ValidationError(
            _("%(email)s is already a member of %(organisation)s.")
            % {"email": email, "organisation": organisation.name}
        )
    token = secrets.token_urlsafe(32)
    created = True
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                partnership=partnership,
                organisation=organisation,
                email=email,
                full_name=full_name.strip(),
                role=role,
                token_hash=hash_token(token),
                invited_by=invited_by,
                expires=timezone.now() + timedelta(days=INVITATION_DAYS),
            )
    except IntegrityError:
        created = False
        invitation = Invitation.objects.get(
            organisation=organisation, email=email, status=Invitation.Status.PENDING
        )
        # A fresh token: the old e-mail's link stops working, the new one works.
        invitation.token_hash = hash_token(token)
        invitation.expires = timezone.now() + timedelta(days=INVITATION_DAYS)
        invitation.save(update_fields=["token_hash", "expires"])
    _send_invitation(invitation, token)
    return invitation, created


def _send_invitation(invitation: Invitation, token: str) -> None:
    link = settings.SITE_URL + reverse("accounts:accept_invitation", args=[token])
    subject = _("Invitation to %(partnership)s in Samspill") % {
        "partnership": invitation.partnership.name
    }
    body = _(
        "You have been invited to join %(organisation)s in %(partnership)s in Samspill.\n\n"
        "Open this link to accept the invitation (valid for %(days)d days):\n%(link)s\n\n"
        "If you did not expect this invitation, you can ignore this e-mail."
    ) % {
        "organisation": invitation.organisation.name,
        "partnership": invitation.partnership.name,
        "days": INVITATION_DAYS,
        "link": link,
    }
    send_mail(subject, body, None, [invitation.email])


def invitation_by_token(token: str) -> Invitation | None:
    invitation = (
        Invitation.objects.filter(token_hash=hash_token(token))
        .select_related("organisation", "partnership")
        .first()
    )
    if invitation is None or not invitation.is_usable:
        return None
    return invitation


@transaction.atomic
def accept_invitation(
    invitation: Invitation,
    *,
    user: User | None = None,
    password: str | None = None,
    full_name: str | None = None,
) -> User:
    """Turn an invitation into a membership, creating the user if needed.

    Locks the invitation row so that two clicks on the link cannot create two
    memberships (PostgreSQL; SQLite serialises writers anyway).
    """
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not locked.is_usable:
        raise ValidationError(_("This invitation is no longer valid."))
    if user is None:
        user = User.objects.filter(email=locked.email).first()
    if user is None:
        user = User.objects.create_user(
            email=locked.email, password=password, full_name=(full_name or locked.full_name)
        )
    elif not user.is_active:
        # Closed after their last role ended: open again, with the new password.
        user.is_active = True
        user.full_name = full_name or user.full_name
        user.set_password(password)
        user.save(update_fields=["is_active", "full_name", "password"])
    elif user.email != locked.email:
        raise ValidationError(_("This invitation was sent to another e-mail address."))
    if (
        not Membership.objects.current()
        .filter(user=user, organisation=locked.organisation)
        .exists()
    ):
        Membership.objects.create(user=user, organisation=locked.organisation, role=locked.role)
    locked.status = Invitation.Status.ACCEPTED
    locked.accepted_by = user
    locked.save(update_fields=["status", "accepted_by"])
    return user


def revoke_invitation(invitation: Invitation) -> None:
    if invitation.status == Invitation.Status.PENDING:
        invitation.status = Invitation.Status.REVOKED
        invitation.save(update_fields=["status"])


def change_membership_role(membership: Membership, role: str, expected_version: int) -> Membership:
    membership.role = role
    return save_versioned(membership, expected_version, ["role"])  # type: ignore[return-value]


def end_membership(membership: Membership, expected_version: int) -> Membership:
    """Memberships end rather than vanish: the history of who sat where stays."""
    membership.valid_to = timezone.localdate()
    return save_versioned(membership, expected_version, ["valid_to"])  # type: ignore[return-value]


def grant_partnership_role(partnership: Partnership, user: User, role: str) -> PartnershipRole:
    existing = PartnershipRole.objects.current().filter(
        partnership=partnership, user=user, role=role
    )
    found = existing.first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return PartnershipRole.objects.create(partnership=partnership, user=user, role=role)
    except IntegrityError:
        # Granted by someone else a moment ago: same result.
        return PartnershipRole.objects.get(
            partnership=partnership, user=user, role=role, valid_to__isnull=True
        )


def revoke_partnership_role(role: PartnershipRole) -> None:
    remaining = (
        PartnershipRole.objects.current()
        .filter(partnership=role.partnership)
        .exclude(pk=role.pk)
        .exists()
    )
    if not remaining:
        raise ValidationError(
            _("The partnership must keep at least one secretariat member or administrator.")
        )
    role.valid_to = timezone.localdate()
    role.save(update_fields=["valid_to"])


def update_contact(contact: Contact, data: dict[str, str], expected_version: int) -> Contact:
    for name, value in data.items():
        setattr(contact, name, value)
    return save_versioned(contact, expected_version, list(data))  # type: ignore[return-value]
