"""API tokens issued to a party, for its own deviation system (Synergi …).

A token is ``secrets.token_urlsafe(32)`` (32 random bytes, 43 characters),
shown once to the person who makes it and stored only as its SHA-256 hash.
A token acts for exactly one party in one partnership. The coordinators and
leaders of a party issue and revoke its tokens; the secretariat those of
every party. Revoking is final: a revoked token never works again.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from deviations.access import parties_in_charge
from deviations.models import OrganisationToken
from partnerships.access import PartnershipAccess
from partnerships.models import Organisation

TOKEN_BYTES = 32
# The client keys of the token forms a person submitted lately, kept in their
# session so a double click (or a resubmitted form) makes one token.
SESSION_KEY = "deviation_token_client_keys"
REMEMBERED_KEYS = 20


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- Who may issue which ------------------------------------------------------


def visible_tokens(
    access: PartnershipAccess, organisations: list[Organisation]
) -> QuerySet[OrganisationToken]:
    """The partnership's tokens of these parties, newest first, with party and
    creator joined (one query for the whole list)."""
    return (
        OrganisationToken.objects.filter(
            partnership=access.partnership, organisation__in=[o.pk for o in organisations]
        )
        .select_related("organisation", "created_by")
        .order_by("-created", "-pk")
    )


# --- Issue, revoke, verify ------------------------------------------------------


def issue_token(
    access: PartnershipAccess, organisation: Organisation, *, name: str, by: User
) -> tuple[OrganisationToken, str]:
    """A new token for the party; returns the row and the token itself, which
    is stored nowhere (only its hash): show it now or never."""
    if organisation.pk not in {o.pk for o in parties_in_charge(access)}:
        raise PermissionDenied
    token = secrets.token_urlsafe(TOKEN_BYTES)
    row = OrganisationToken.objects.create(
        partnership=access.partnership,
        organisation=organisation,
        name=name.strip(),
        token_hash=hash_token(token),
        created_by=by,
    )
    return row, token


def issue_token_once(
    access: PartnershipAccess,
    organisation: Organisation,
    *,
    name: str,
    by: User,
    client_key: uuid.UUID,
    session: SessionBase,
) -> tuple[OrganisationToken, str] | None:
    """:func:`issue_token` at most once per ``client_key`` (one click of the
    form). Returns None when the key was used before: the token made then was
    shown then and cannot be shown again.

    The person's row is locked while their session's list of used keys is
    read fresh from the session store, so two submits at once are made one
    after the other and the second sees the first's key.
    """
    key = str(client_key)
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=by.pk).first()
        stored = _stored_keys(session)
        used = key in stored or key in session.get(SESSION_KEY, [])
        earlier = [k for k in stored if k != key][-(REMEMBERED_KEYS - 1) :]
        keys = [*earlier, key]
        session[SESSION_KEY] = keys
        if session.session_key is not None:
            # Written now, inside the lock, for the submit waiting on it;
            # the session middleware saves the same list again afterwards.
            session.save()
        if used:
            return None
        return issue_token(access, organisation, name=name, by=by)


def _stored_keys(session: SessionBase) -> list[str]:
    """The keys as the session store holds them now (not as this request
    loaded them)."""
    if session.session_key is None:
        return list(session.get(SESSION_KEY, []))
    fresh: Any = type(session)(session_key=session.session_key)
    return list(fresh.load().get(SESSION_KEY, []))


def revoke_token(token: OrganisationToken) -> bool:
    """Revoke through ``save()`` so the audit trail records who and when.
    Returns False if it was revoked already."""
    with transaction.atomic():
        locked = OrganisationToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is not None:
            return False
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        token.revoked_at = locked.revoked_at
    return True


def verify_token(token: str) -> OrganisationToken | None:
    """The working token row (with partnership and party) for a token, or None.

    One query; on the first use of the day one more to record the day (so a
    system polling every minute does not write every time).
    """
    if not token or len(token) > 200:
        return None
    found = (
        OrganisationToken.objects.filter(token_hash=hash_token(token), revoked_at__isnull=True)
        .select_related("partnership", "organisation")
        .first()
    )
    if found is None:
        return None
    today = timezone.localdate()
    if found.last_used_on != today:
        # A plain UPDATE: the day of use is not a change anyone makes, and the
        # audit trail leaves it out.
        OrganisationToken.objects.filter(pk=found.pk).update(last_used_on=today)
        found.last_used_on = today
    return found
