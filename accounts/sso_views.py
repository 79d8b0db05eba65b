"""Single sign-on pages: start a log-in at a provider, take its answer, and
the page after logging out that offers the provider's own log-out.

A verified identity is linked to a person only through an invitation (the
invitation page's "accept with ..." starts the log-in) or by an administrator
(the admin's "link a log-in", with the reference shown here to a person
nobody has linked). Signing in never gives a role, and every way in ends in
:func:`accounts.services.complete_login`.
"""

from __future__ import annotations

from typing import cast

from auditlog.context import set_actor
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts import sso
from accounts.models import ExternalIdentity, User
from accounts.services import (
    complete_login,
    confirmed_totp_device,
    requires_two_factor,
    start_pending_login,
)
from accounts.views import safe_next
from partnerships import services as partnership_services
from partnerships.models import Invitation


def _failed(request: HttpRequest, p: sso.Provider, error: sso.SignOnError) -> HttpResponse:
    return render(
        request,
        "accounts/sso_failed.html",
        {"provider": p, "message": error.message, "reference": error.reference},
        status=error.status,
    )


def _provider_or_404(key: str) -> sso.Provider:
    p = sso.provider(key)
    if p is None:
        raise Http404
    return p


@never_cache
def sso_start(request: HttpRequest, key: str) -> HttpResponse:
    """A plain link (GET) from the log-in or invitation page: remember the
    sign-in in the session and send the browser to the provider."""
    p = _provider_or_404(key)
    invitation_id = None
    token = request.GET.get("invitasjon", "")
    if token:
        invitation = partnership_services.invitation_by_token(token)
        if invitation is None:
            return render(request, "partnerships/invitation_invalid.html", status=404)
        invitation_id = invitation.pk
    next_url = safe_next(request, request.GET.get("next", ""))
    try:
        return redirect(sso.start(request, p, next_url, invitation_id))
    except sso.SignOnError as error:
        return _failed(request, p, error)


def _usable_invitation(pk: int | None) -> Invitation | None:
    if pk is None:
        return None
    invitation = Invitation.objects.select_related("organisation", "partnership").filter(pk=pk)
    found = invitation.first()
    if found is None or not found.is_usable:
        raise sso.SignOnError(_("This invitation is no longer valid. Nobody has been logged in."))
    return found


def _accept(invitation: Invitation, user: User | None) -> User:
    try:
        return partnership_services.accept_invitation(
            invitation, user=user, full_name=invitation.full_name
        )
    except ValidationError as error:
        raise sso.SignOnError(" ".join(error.messages), status=403) from None


def _identity(request: HttpRequest, verified: sso.Verified) -> tuple[ExternalIdentity, bool]:
    """The linked identity of a verified sign-in, linking it through the
    sign-in's invitation when it has one; True when an invitation was
    accepted."""
    p = verified.provider
    invitation = _usable_invitation(verified.invitation_id)
    identity = (
        ExternalIdentity.objects.select_related("user")
        .filter(issuer=verified.issuer, subject=verified.subject)
        .first()
    )
    if identity is not None:
        if not identity.user.is_active:
            raise sso.SignOnError(
                _("Your Samspill account is closed. Nobody has been logged in."), status=403
            )
        if invitation is not None:
            with set_actor(identity.user):
                _accept(invitation, identity.user)
        return identity, invitation is not None
    if invitation is None:
        raise sso.SignOnError(
            _(
                "No Samspill account is linked to this %(provider)s log-in, so nobody has been "
                "logged in. If you have been invited, use the link in the invitation e-mail and "
                "choose %(provider)s there. Otherwise ask the administrator to link your log-in, "
                "and give them the reference below."
            )
            % {"provider": p.name},
            status=403,
            reference=sso.reference_for(verified),
        )
    existing = User.objects.filter(email=invitation.email, is_active=True).first()
    if existing is not None and request.user.pk != existing.pk:
        raise sso.SignOnError(
            _(
                "You already have a Samspill account. Log in with it first, then open the "
                "invitation link again to accept it and link your %(provider)s log-in. "
                "Nobody has been logged in."
            )
            % {"provider": p.name},
            status=403,
        )
    try:
        with transaction.atomic():
            user = _accept(invitation, existing)
            with set_actor(user):
                identity = ExternalIdentity.objects.create(
                    user=user,
                    name=p.name,
                    confirmed=True,
                    provider=p.key,
                    issuer=verified.issuer,
                    subject=verified.subject,
                    linked_how=ExternalIdentity.LinkedHow.INVITATION,
                )
    except IntegrityError:
        # The same identity linked a moment ago by a second, racing answer.
        raise sso.SignOnError(
            _("This log-in was already being completed. Start again."), status=409
        ) from None
    return identity, True


@never_cache
def sso_callback(request: HttpRequest, key: str) -> HttpResponse:
    """The provider's answer: verify it, find (or link) the person, and log
    them in; any failure leaves nobody logged in and says why."""
    p = _provider_or_404(key)
    try:
        verified = sso.finish(request, p)
        identity, accepted = _identity(request, verified)
    except sso.SignOnError as error:
        return _failed(request, p, error)
    user = cast(User, identity.user)
    ExternalIdentity.objects.filter(pk=identity.pk).update(last_used=timezone.now())
    target = safe_next(request, verified.next_url)
    if accepted and verified.invitation_id is not None:
        invitation = Invitation.objects.select_related("organisation", "partnership").get(
            pk=verified.invitation_id
        )
        messages.success(
            request,
            _("Welcome! You are now a member of %(org)s.") % {"org": invitation.organisation.name},
        )
        target = reverse("staff:home", args=[invitation.partnership.slug])
    if not verified.meets_second_factor and requires_two_factor(user):
        # The provider's level is not enough for this person: the
        # authenticator app is still asked for, as after a password.
        start_pending_login(request, user, verified.sign_in())
        step = "two_factor_verify" if confirmed_totp_device(user) else "two_factor_setup"
        return redirect(reverse(f"accounts:{step}") + "?next=" + target)
    complete_login(
        request,
        user,
        identity if verified.meets_second_factor else None,
        sign_in=verified.sign_in(),
    )
    return redirect(target)


@never_cache
def logged_out(request: HttpRequest) -> HttpResponse:
    """After logging out of Samspill: where the person signed in with a
    provider that has its own log-out, the way to end that session too."""
    if request.user.is_authenticated:
        return redirect("accounts:start")
    key = request.GET.get("fra", "")
    p = sso.provider(key) if key else None
    return render(
        request,
        "accounts/logged_out.html",
        {
            "provider": p,
            "provider_logout": sso.logout_url(request, key) if p is not None else None,
        },
    )
